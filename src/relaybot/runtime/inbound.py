"""Inbound abuse limits, checked by the gateway before an update costs a durable write.

Every update draws from two token buckets: one per user and one per chat (of one bot). A
person never empties them; a flood does, and then its updates are acknowledged to the
channel (so it does not redeliver) and dropped. The first drop in a while turns into a single
"notice" update instead, which the worker answers with one polite message through the normal
outbox, so even the refusal keeps the chat's order and the channel's send limits.

Channel-neutral: the gateway calls `screen` for web chat posts and webhooks alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from relaybot.config import Settings
from relaybot.core.channel import Limit
from relaybot.core.clock import Clock
from relaybot.core.i18n import N_
from relaybot.core.types import Update
from relaybot.runtime import metrics
from relaybot.runtime.ratelimit import MemoryRateLimiter, RateLimiter

NOTICE_PAYLOAD = "relaybot:throttled"
NOTICE_TEXT = N_(
    "You are sending messages faster than I can read them, so I skipped some. "
    "Please wait a minute, then send your message again."
)
NOTICE_INTERVAL = 300.0
# Column widths of the inbound queue: longer identifiers are not a real channel's.
MAX_ID = 128
MAX_NAME = 256


def is_notice(update: Update) -> bool:
    return update.kind == "event" and update.payload == NOTICE_PAYLOAD


class InboundGuard:
    """Admits, trims or drops incoming updates; remembers whom it warned recently."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        max_warned: int = 100_000,
    ) -> None:
        self.clock = clock
        self.limiter = limiter or MemoryRateLimiter(clock)
        self.user_rate = settings.inbound_user_per_minute / 60.0
        self.user_burst = settings.inbound_user_burst
        self.chat_rate = settings.inbound_chat_per_minute / 60.0
        self.chat_burst = settings.inbound_chat_burst
        self.max_text = settings.max_update_text
        self.max_warned = max_warned
        self._warned: dict[str, float] = {}

    def limits(self, update: Update) -> list[Limit]:
        limits = [Limit(f"in:chat:{update.bot}:{update.chat_id}", self.chat_rate, self.chat_burst)]
        if update.user_id:
            key = f"in:user:{update.bot}:{update.user_id}"
            limits.append(Limit(key, self.user_rate, self.user_burst))
        return limits

    async def admit(self, update: Update) -> bool:
        """Take a token for `update` from its user's and its chat's bucket, if both have one."""
        return await self.limiter.reserve(self.limits(update)) == 0.0

    async def screen(self, updates: Sequence[Update]) -> list[Update]:
        """What to store: admitted updates (trimmed) and at most one notice per flooding chat."""
        kept: list[Update] = []
        for update in updates:
            if not _well_formed(update):
                metrics.UPDATES_REJECTED.labels(update.channel[:32], "malformed").inc()
                continue
            update = self._trimmed(update)
            if await self.admit(update):
                kept.append(update)
                continue
            metrics.UPDATES_THROTTLED.labels(update.channel, update.bot).inc()
            if self._should_warn(update):
                kept.append(notice_for(update))
        return kept

    def _trimmed(self, update: Update) -> Update:
        changes: dict[str, object] = {}
        if len(update.text) > self.max_text:
            changes["text"] = update.text[: self.max_text]
        if update.user_name is not None and len(update.user_name) > MAX_NAME:
            changes["user_name"] = update.user_name[:MAX_NAME]
        if update.payload is not None and len(update.payload) > self.max_text:
            changes["payload"] = update.payload[: self.max_text]
        return msgspec.structs.replace(update, **changes) if changes else update

    def _should_warn(self, update: Update) -> bool:
        now = self.clock.now()
        key = update.chat_key
        last = self._warned.get(key)
        if last is not None and now - last < NOTICE_INTERVAL:
            return False
        if len(self._warned) >= self.max_warned:
            self._warned = {k: t for k, t in self._warned.items() if now - t < NOTICE_INTERVAL}
            if len(self._warned) >= self.max_warned:
                self._warned.clear()
        self._warned[key] = now
        return True


def notice_for(update: Update) -> Update:
    """The stand-in for the first dropped update: the worker answers it with NOTICE_TEXT."""
    return Update(
        channel=update.channel,
        bot=update.bot,
        chat_id=update.chat_id,
        user_id=update.user_id,
        update_id=f"throttled:{update.update_id}"[:MAX_ID],
        kind="event",
        payload=NOTICE_PAYLOAD,
        language=update.language,
        chat_type=update.chat_type,
        received_at=update.received_at,
        trace_id=update.trace_id,
    )


def _well_formed(update: Update) -> bool:
    required = (update.bot, update.chat_id, update.update_id)
    return (
        all(0 < len(value) <= MAX_ID for value in required)
        and len(update.user_id) <= MAX_ID
        and 0 < len(update.channel) <= 32
    )
