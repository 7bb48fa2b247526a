"""The buttons of the ad bot; each carries an ad id, checked against the presser's rights."""

from __future__ import annotations

from typing import Literal

from relaybot import Payload

AdAction = Literal["post", "edit", "discard", "sold", "repost", "leave"]
StageName = Literal[
    "category", "title", "description", "price", "region", "condition", "photos", "contact"
]


class NewAd(Payload, prefix="cl-new"):
    """Begin an ad of one kind (its row id)."""

    kind: int


class AdAct(Payload, prefix="cl-ad"):
    """Post, edit, discard, mark sold, repost or leave one ad."""

    ad: int
    act: AdAction


class EditField(Payload, prefix="cl-edit"):
    """Answer one stage of a draft again."""

    ad: int
    stage: StageName


class AddFeedback(Payload, prefix="cl-note"):
    """Add a line of news to a posted ad (price lowered, still available...)."""

    ad: int


class Approve(Payload, prefix="cl-ok"):
    """A moderator lets a pending ad into the channel."""

    ad: int


class Reject(Payload, prefix="cl-no"):
    """A moderator refuses a pending ad, with a reason for its author."""

    ad: int
