"""Texts the help desk shows about requests, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from relaybot import N_, Attachment, Button, Translator

from ..demands import status_label
from ..models import Demand, DemandMessage, HelpdeskUser
from ..roles import Label
from .commands import payload

PREVIEW = 80

MEMBER_LABELS = {
    "requester": N_("Requester"),
    "provider": N_("Helper"),
    "moderator": N_("Moderator"),
}


def text(t: Translator, message: str, values: Mapping[str, Any]) -> str:
    """Render a text id, translating the values that are text ids themselves."""
    rendered = {k: t(v) if isinstance(v, Label) else v for k, v in values.items()}
    return t(message, **rendered)


def member_label(t: Translator, role: str) -> str:
    return t(MEMBER_LABELS.get(role, role))


def preview(value: str, limit: int = PREVIEW) -> str:
    line = " ".join(value.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def demand_line(t: Translator, demand: Demand) -> str:
    return t(
        N_("#{number} · {category} · {status} — {preview}"),
        number=demand.id,
        category=demand.scenario.title,
        status=t(status_label(demand.status)),
        preview=preview(demand.description, 60),
    )


def demand_head(t: Translator, demand: Demand) -> str:
    return t(
        N_("Request #{number} · {category} · {status}"),
        number=demand.id,
        category=demand.scenario.title,
        status=t(status_label(demand.status)),
    )


def history_lines(t: Translator, messages: Sequence[DemandMessage], *, total: int) -> list[str]:
    lines: list[str] = []
    if total > len(messages):
        lines.append(
            t(N_("(the latest {shown} of {total} messages)"), shown=len(messages), total=total)
        )
    for message in messages:
        body = message.text or ""
        if message.attachments:
            marker = t(N_("[attachments: {count}]"), count=len(message.attachments))
            body = f"{body} {marker}".strip()
        lines.append(f"{member_label(t, message.author_role)}: {body}")
    if not messages:
        lines.append(t(N_("(no messages yet)")))
    return lines


def portable_media(
    messages: Sequence[tuple[DemandMessage, HelpdeskUser]], to: HelpdeskUser, *, limit: int = 10
) -> tuple[list[Attachment], int]:
    """Attachments the reader's channel can show, and how many it cannot.

    A Telegram file id only works for the bot that received it; a URL or a location works
    everywhere.
    """
    shown: list[Attachment] = []
    hidden = 0
    for message, author in messages:
        for raw in message.attachments:
            attachment = to_attachment(raw)
            if attachment is None:
                continue
            portable = (
                author.bot == to.bot
                or attachment.kind == "location"
                or attachment.ref.startswith(("https://", "http://"))
            )
            if portable and len(shown) < limit:
                shown.append(attachment)
            else:
                hidden += 1
    return shown, hidden


def to_attachment(raw: Mapping[str, Any]) -> Attachment | None:
    kind, ref = raw.get("kind"), raw.get("ref")
    if kind not in ("photo", "document", "audio", "video", "location", "other"):
        return None
    if not isinstance(ref, str) or not ref:
        return None
    return Attachment(
        kind=kind,
        ref=ref,
        caption=raw.get("caption") if isinstance(raw.get("caption"), str) else None,
        mime_type=raw.get("mime_type") if isinstance(raw.get("mime_type"), str) else None,
        name=raw.get("name") if isinstance(raw.get("name"), str) else None,
    )


def menu_button(t: Translator) -> Button:
    return Button(t(N_("Menu")), payload("menu"))


def switch_button(t: Translator, demand_id: int) -> Button:
    return Button(t(N_("Switch to #{number}"), number=demand_id), payload("open", demand_id))


def take_button(t: Translator) -> Button:
    return Button(t(N_("Take next")), payload("next"))


def role_buttons(t: Translator, demand: Demand, role: str) -> list[list[Button]]:
    """What a participant can do with the request they are in."""
    number = demand.id
    history = Button(t(N_("History")), payload("history", number))
    if role == "requester":
        return [
            [Button(t(N_("I got help, close it")), payload("close", number))],
            [Button(t(N_("Cancel the request")), payload("cancel", number))],
            [history, menu_button(t)],
        ]
    if role == "provider":
        return [
            [Button(t(N_("Decline")), payload("decline", number))],
            [history, menu_button(t)],
        ]
    return [
        [Button(t(N_("Close the request")), payload("close", number))],
        [Button(t(N_("Stop following")), payload("leave", number))],
        [history, menu_button(t)],
    ]
