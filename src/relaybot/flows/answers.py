"""The small types every step kind shares: what the person sent, what a step may look at,
and how a step says no (or "not yet")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from relaybot.core.i18n import Translator
from relaybot.core.types import Attachment, Update

if TYPE_CHECKING:
    from relaybot.core.app import Context


class Invalid(Exception):
    """Raised by a validator or a `check`: `message` is a text id shown with `values`."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Choice:
    """A button on a step. Pressing it, or typing its label, answers with `value`."""

    label: str
    value: str


@dataclass(frozen=True)
class FlowView:
    """What a prompt, a list of choices, a condition or a check may look at.

    `data` holds the answers so far; `ctx` is the update's context (its database session,
    the person's locale, the clock), absent only when a form is described outside a turn.
    """

    t: Translator
    data: Mapping[str, Any]
    ctx: Context | None = None

    @property
    def today(self) -> date:
        """Today by the update's clock, so a test's frozen time decides what "past" means."""
        return self.ctx.now.date() if self.ctx is not None else date.today()


@dataclass(frozen=True)
class Answer:
    """One update as a step sees it: the typed text, a pressed choice, the attachments."""

    text: str = ""
    choice: str | None = None  # the value of a pressed choice button
    command: str | None = None  # a `flow:` payload the step takes (done, calendar pages)
    attachments: tuple[Attachment, ...] = ()
    media_group: str | None = None  # parts of one album share it
    channel: str = ""

    @classmethod
    def of(cls, update: Update, *, command: str | None = None) -> Answer:
        """Read an update once, so that no step kind parses payloads or attachments itself."""
        from relaybot.flows.words import CHOICE

        payload = update.payload or ""
        group = update.raw.get("media_group_id")
        return cls(
            text=(update.text or "").strip() if not payload.startswith(CHOICE) else "",
            choice=payload[len(CHOICE) :] if payload.startswith(CHOICE) else None,
            command=command,
            attachments=update.attachments,
            media_group=str(group) if group else None,
            channel=update.channel,
        )

    def of_kind(self, kind: str) -> list[Attachment]:
        """The attachments of one kind ("photo", "contact", "location"), in the order sent."""
        return [a for a in self.attachments if a.kind == kind]


@dataclass(frozen=True)
class Progress:
    """A step that needs more than one update (an album, a multi-choice, a calendar page).

    `draft` is what it has so far, kept in the dialog state until the step is answered;
    `notice` (a text id with `values`) is said first; `prompt` asks the question again.
    """

    draft: Any = None
    notice: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    prompt: bool = True


class Reopen(Exception):
    """Raised by `on_complete` when an answer cannot be used after all (a time taken
    meanwhile): the dialog goes back to `step` with that answer forgotten and the later ones
    kept. `notice` (a text id with `values`) is said first; `draft` is kept for the step, as
    a `Progress` would; with `prompt` False the notice carries the step's buttons instead of
    its question being asked again."""

    def __init__(
        self,
        step: str,
        notice: str | None = None,
        *,
        draft: Any = None,
        prompt: bool = True,
        **values: Any,
    ) -> None:
        super().__init__(step)
        self.step = step
        self.progress = Progress(draft=draft, notice=notice, values=values, prompt=prompt)
