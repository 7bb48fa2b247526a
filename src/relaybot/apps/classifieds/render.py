"""An ad as its post: the same text for the preview, the channel and every later edit."""

from __future__ import annotations

from typing import Any

from relaybot import N_, Attachment, Translator

from .models import Ad
from .stages import NEGOTIABLE, format_price

SOLD_MARK = N_("SOLD")


def post_text(ad: Ad, t: Translator, *, with_contact: bool = True) -> str:
    """The caption (or text) of the ad's post, in the channel's language."""
    a: dict[str, Any] = ad.answers
    lines: list[str] = []
    heading = f"{ad.kind_title} · {a['category']}" if a.get("category") else ad.kind_title
    if ad.status == "sold":
        heading = f"{t(SOLD_MARK)} · {heading}"
    lines.append(heading)
    if a.get("title"):
        lines.append(str(a["title"]))
    if a.get("description"):
        lines += ["", str(a["description"])]
    details: list[str] = []
    if "price" in a and a["price"] is not None:
        price = a["price"]
        shown = t(N_("Negotiable")) if price.get(NEGOTIABLE) else format_price(price)
        details.append(t(N_("Price: {price}"), price=shown))
    if a.get("region"):
        details.append(t(N_("Region: {region}"), region=a["region"]))
    if a.get("condition"):
        details.append(t(N_("Condition: {condition}"), condition=a["condition"]))
    if with_contact and a.get("contact"):
        details.append(t(N_("Contact: {contact}"), contact=a["contact"]))
    if details:
        lines += ["", *details]
    if ad.feedback:
        lines += ["", t(N_("Updates:")), *(f"• {note}" for note in ad.feedback)]
    lines += ["", f"#ad{ad.id}"]
    return "\n".join(lines)


def details_text(ad: Ad, t: Translator) -> str:
    """What the discussion group is told under the post: how to reach the author."""
    contact = ad.answers.get("contact")
    lines = [t(N_("Ad #{id}: {title}"), id=ad.id, title=ad.answers.get("title") or ad.kind_title)]
    if contact:
        lines.append(t(N_("Contact: {contact}"), contact=contact))
    lines.append(t(N_("Reply to the author directly, not in this thread.")))
    return "\n".join(lines)


def photos_of(ad: Ad) -> list[Attachment]:
    return [Attachment("photo", str(ref)) for ref in ad.answers.get("photos") or ()]
