"""Texts the help desk shows: its greeting and help, and requests in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from relaybot import N_, Attachment, Button, Translator

from ..demands import status_label
from ..models import Demand, DemandMessage, HelpdeskUser
from ..roles import Label
from .actions import CancelRequest, Close, Decline, History, Menu, StopFollowing, SwitchTo, TakeNext

GREETING = N_(
    "Hello! This is a help desk: tell us what you need, and a person who can help will "
    "answer you right here."
)
HELP = N_(
    "How it works: choose New request, pick a place and the kind of help, and describe what "
    "you need. A helper takes your request and you talk here; close it when you got help.\n\n"
    "Typed commands: /menu, /new, /my, /open N, /exit, /history, /close, /cancel, /id.\n"
    "Helpers: /next takes the next waiting request, /decline gives it back.\n"
    "Moderators: /queue [status], /join N, /leave N.\n"
    "Administrators: /scenarios, /link USER CATEGORY, /unlink USER CATEGORY, "
    "/grant USER ROLE, /revoke USER ROLE."
)
PREVIEW = 80
SHOWN_KINDS = frozenset({"photo", "document", "audio", "video", "location", "other"})

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
    """Attachments the reader's channel can show, and how many it cannot (a Telegram file id
    works only for the bot that received it; a URL or a location works everywhere)."""
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
    """A stored attachment, or None when it is not one a reader can be shown."""
    kind, ref = raw.get("kind"), raw.get("ref")
    if kind not in SHOWN_KINDS or not isinstance(ref, str) or not ref:
        return None
    extra = {k: v for k in ("caption", "mime_type", "name") if isinstance(v := raw.get(k), str)}
    return Attachment(kind=kind, ref=ref, **extra)


def menu_button(t: Translator) -> Button:
    return Menu().button(t(N_("Menu")))


def switch_button(t: Translator, demand_id: int) -> Button:
    return SwitchTo(number=demand_id).button(t(N_("Switch to #{number}"), number=demand_id))


def take_button(t: Translator) -> Button:
    return TakeNext().button(t(N_("Take next")))


def role_buttons(t: Translator, demand: Demand, role: str) -> list[list[Button]]:
    """What a participant can do with the request they are in."""
    number = demand.id
    history = History(number=number).button(t(N_("History")))
    if role == "requester":
        return [
            [Close(number=number).button(t(N_("I got help, close it")))],
            [CancelRequest(number=number).button(t(N_("Cancel the request")))],
            [history, menu_button(t)],
        ]
    if role == "provider":
        return [
            [Decline(number=number).button(t(N_("Decline")))],
            [history, menu_button(t)],
        ]
    return [
        [Close(number=number).button(t(N_("Close the request")))],
        [StopFollowing(number=number).button(t(N_("Stop following")))],
        [history, menu_button(t)],
    ]
