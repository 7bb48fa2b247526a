"""A bot's own settings: part of the contract, since every app and channel is given one."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr

BOT_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class BotConfig(BaseModel):
    """One bot: a name (used in webhook paths), the app it runs and the channel it speaks on."""

    name: str = Field(pattern=BOT_NAME_PATTERN)
    app: str
    channel: str = "webchat"
    title: str | None = None
    token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    mode: Literal["webhook", "polling"] = "webhook"
    api_base: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


# The apps relaybot ships, by the name a bot's `app` gives, and where each one's class is.
BUNDLED_APPS: dict[str, str] = {
    "orders": "relaybot.apps.orders.app:OrdersApp",
    "helpdesk": "relaybot.apps.helpdesk.app:HelpdeskApp",
    "booking": "relaybot.apps.booking.app:BookingApp",
    "classifieds": "relaybot.apps.classifieds.app:ClassifiedsApp",
    "classifieds-filter": "relaybot.apps.classifieds.filter_app:ClassifiedsFilterApp",
    "reminders": "relaybot.apps.reminders.app:RemindersApp",
}
