"""What a channel can answer when asked to deliver; the sender decides what each means."""

from __future__ import annotations


class DeliveryError(Exception):
    """Delivery failed for a reason that may pass: retried with backoff."""


class RetryAfter(DeliveryError):
    """The channel asked us to wait; the whole bot pauses for `seconds`."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"retry after {seconds}s")
        self.seconds = seconds


class ChatBlocked(DeliveryError):
    """The user blocked the bot or left: never retried, the chat is marked blocked."""


class PermanentDeliveryError(DeliveryError):
    """The channel refused the message itself (bad request): straight to the dead-letter queue."""
