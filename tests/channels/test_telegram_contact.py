"""A contact shared in Telegram reaches the dialog as a contact, not only as its number."""

from __future__ import annotations

from aiogram import types

from relaybot.channels.telegram.parse import to_update


def test_a_shared_contact_becomes_a_contact_attachment_with_the_number_as_text() -> None:
    update = types.Update.model_validate(
        {
            "update_id": 10,
            "message": {
                "message_id": 5,
                "date": 1_700_000_000,
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "Aida"},
                "contact": {
                    "phone_number": "996555123456",
                    "first_name": "Aida",
                    "last_name": "Osmonova",
                },
            },
        }
    )
    parsed = to_update(update, bot="water")
    assert parsed is not None
    assert parsed.text == "996555123456"
    assert [(a.kind, a.ref, a.name) for a in parsed.attachments] == [
        ("contact", "996555123456", "Aida Osmonova")
    ]
