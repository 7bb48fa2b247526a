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


def test_a_contact_passed_on_to_another_chat_is_sent_as_a_contact_with_its_text_after() -> None:
    from aiogram.methods import SendContact, SendMessage

    from relaybot.channels.telegram.render import plan
    from relaybot.core.types import Attachment, OutgoingMessage

    message = OutgoingMessage(
        text="The client's number", media=(Attachment("contact", "+996555123456", name="Aida"),)
    )
    methods = plan(42, message, None)
    assert [type(m) for m in methods] == [SendContact, SendMessage]
    contact = methods[0]
    assert isinstance(contact, SendContact)
    assert (contact.phone_number, contact.first_name) == ("+996555123456", "Aida")
    assert isinstance(methods[1], SendMessage) and methods[1].text == "The client's number"
