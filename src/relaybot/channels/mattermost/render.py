"""Outgoing messages as Mattermost posts and forms as interactive dialogs."""

from __future__ import annotations

from typing import Any

from relaybot.channels.verify import Signer
from relaybot.core.types import OutgoingMessage

TITLE_LIMIT = 24
LABEL_LIMIT = 24
HINT_LIMIT = 150


def attachments(
    message: OutgoingMessage,
    *,
    chat_id: str,
    actions_url: str,
    signer: Signer,
    form: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """Message buttons whose signed context says which chat pressed what."""
    rows: list[dict[str, Any]] = []
    number = 0
    for row in message.buttons:
        actions = []
        for button in row:
            number += 1
            signed = {"chat": chat_id, "payload": button.payload, "label": button.text}
            actions.append(_action(number, button.text, actions_url, signer.sign(signed)))
        if actions:
            rows.append({"actions": actions})
    if form is not None:
        number += 1
        opener = {"chat": chat_id, "form": form}
        label = str(form.get("open") or "Form")
        action = _action(number, label, actions_url, signer.sign(opener))
        action["style"] = "primary"
        rows.append({"actions": [action]})
    for item in message.media:
        if item.kind == "photo" and item.ref.startswith(("http://", "https://")):
            rows.append({"image_url": item.ref, "text": item.caption or ""})
    return rows


def _action(number: int, label: str, url: str, token: str) -> dict[str, Any]:
    return {
        "id": f"b{number}",
        "name": label,
        "type": "button",
        "integration": {"url": url, "context": {"token": token}},
    }


def media_links(message: OutgoingMessage) -> list[str]:
    """Media that an attachment cannot show inline go as links under the text."""
    return [
        item.ref
        for item in message.media
        if not (item.kind == "photo" and item.ref.startswith(("http://", "https://")))
    ]


def dialog(form: dict[str, Any], *, fallback_title: str, state: str) -> dict[str, Any]:
    elements = []
    for field in form.get("fields") or []:
        label = str(field.get("label") or field.get("name"))[:LABEL_LIMIT]
        element: dict[str, Any] = {"display_name": label, "name": str(field["name"])}
        choices = field.get("choices") or []
        if choices and field.get("choices_only"):
            element["type"] = "select"
            element["options"] = [{"text": c["label"], "value": c["value"]} for c in choices]
        else:
            element["type"] = "text"
            if choices:
                element["placeholder"] = ", ".join(c["label"] for c in choices)[:HINT_LIMIT]
        if field.get("help"):
            element["help_text"] = str(field["help"])[:HINT_LIMIT]
        if field.get("error"):  # a rejected answer: what was wrong, on its own field
            element["help_text"] = f"⚠ {field['error']}"[:HINT_LIMIT]
        if field.get("value") is not None:
            element["default"] = str(field["value"])
        if field.get("optional"):
            element["optional"] = True
        elements.append(element)
    body: dict[str, Any] = {
        "callback_id": str(form.get("flow") or "form"),
        "title": str(form.get("title") or fallback_title)[:TITLE_LIMIT],
        "elements": elements,
        "submit_label": str(form.get("submit") or "Submit"),
        "notify_on_cancel": False,
        "state": state,
    }
    if form.get("intro"):
        body["introduction_text"] = str(form["intro"])
    return body
