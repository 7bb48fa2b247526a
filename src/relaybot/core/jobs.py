"""Periodic work an app declares (`App.jobs`): what the scheduler runs and what a run may use."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.core.app import ButtonsSpec, button_rows
from relaybot.core.bots import BotConfig
from relaybot.core.types import Address, Attachment, OutgoingMessage

if TYPE_CHECKING:
    from relaybot.config import Settings

_JOB_NAME = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,100}$")


@dataclass
class JobContext:
    """What a job may use: the transaction its run commits in, the time, and the outbox."""

    db: AsyncSession
    now: datetime
    settings: Settings
    bots: Mapping[str, BotConfig]
    outgoing: list[tuple[Address, OutgoingMessage, float | None]] = field(default_factory=list)

    def send(
        self,
        to: Address,
        text: str,
        *,
        buttons: ButtonsSpec = None,
        media: Sequence[Attachment] = (),
        not_before: float | None = None,
    ) -> None:
        """Queue a message; it is written to the outbox when the run commits, not before."""
        message = OutgoingMessage(text=text, buttons=button_rows(buttons), media=tuple(media))
        self.outgoing.append((to, message, not_before))


JobFunction = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    """`every` seconds, or on `cron` (five fields, in `timezone`); exactly one of the two."""

    name: str
    run: JobFunction
    every: float | None = None
    cron: str | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if not _JOB_NAME.match(self.name):
            raise ValueError(f"job name {self.name!r}: use lower-case letters, digits and ._:-")
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"job {self.name!r}: give exactly one of every= or cron=")
        if self.every is not None and self.every <= 0:
            raise ValueError(f"job {self.name!r}: every= must be positive, not {self.every}")
        if self.cron is not None and not croniter.is_valid(self.cron):
            raise ValueError(f"job {self.name!r}: {self.cron!r} is not a valid cron line")
        ZoneInfo(self.timezone)  # raises for an unknown zone, naming it

    @property
    def lease_name(self) -> str:
        """The lease that lets only one of several schedulers run this job at a time."""
        return f"job:{self.name}"

    def next_due(self, now: float) -> float:
        """When the job is due after `now` (epoch seconds), in its own time zone for cron."""
        if self.every is not None:
            return now + self.every
        assert self.cron is not None
        local = datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        following: datetime = croniter(self.cron, local).get_next(datetime)
        return following.timestamp()

    @property
    def runs_at_start(self) -> bool:
        """Interval jobs run as soon as they are first seen; cron jobs wait for their time."""
        return self.every is not None
