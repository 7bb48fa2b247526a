"""What a bot must have before it is stored: checks per channel, with messages naming the field.

The last check builds the bot's adapter and app exactly as a running process will, so a bot
that passes here starts everywhere; what those constructors refuse is reported the same way.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from relaybot.apps import load_app_class
from relaybot.channels.registry import ADAPTERS, AdapterDeps, build_adapter, known_channels
from relaybot.config import BotConfig
from relaybot.store.bots import BotInvalid

TELEGRAM_TOKEN = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$")
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_TOKEN = 4096
HEADER_SAFE = re.compile(r"^[!-~]+$")
APP_NAME = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*)?$", re.ASCII)


def invalid(field: str, message: str) -> BotInvalid:
    return BotInvalid(f"{field}: {message}", field=field)


def parse(fields: dict[str, Any]) -> BotConfig:
    """`fields` as a BotConfig, or BotInvalid naming the first field that is wrong."""
    try:
        return BotConfig.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "bot"
        if field == "name":
            raise invalid("name", "1 to 64 letters, digits, _ or - (it is part of URLs)") from None
        raise invalid(field, str(first["msg"])) from None


def _secret(value: Any) -> str:
    return "" if value is None else str(value.get_secret_value())


def _url(field: str, value: str | None) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
        raise invalid(field, f"{value[:100]!r} is not an http(s) URL")


def check_fields(bot: BotConfig) -> None:
    """The checks that need no network and no database."""
    if bot.channel not in ADAPTERS:
        raise invalid(
            "channel", f"unknown channel {bot.channel!r} (known: {', '.join(known_channels())})"
        )
    if not APP_NAME.match(bot.app):
        raise invalid("app", "a bundled app's name or a module:Class path")
    try:
        load_app_class(bot.app)
    except ValueError as exc:
        raise invalid("app", str(exc)) from None
    except Exception:  # an import error, or an app module that fails as it loads
        raise invalid("app", f"cannot import {bot.app!r}") from None
    token, secret = _secret(bot.token), _secret(bot.webhook_secret)
    if len(token) > MAX_TOKEN:
        raise invalid("token", f"at most {MAX_TOKEN} characters")
    for field, value in (("token", token), ("webhook_secret", secret)):
        if value and not HEADER_SAFE.match(value):  # both travel in HTTP headers
            raise invalid(field, "printable ASCII letters, digits and signs, without spaces")
    _url("api_base", bot.api_base)
    if bot.channel == "telegram":
        if not token:
            raise invalid("token", "a Telegram bot needs the token @BotFather gave")
        if not TELEGRAM_TOKEN.match(token):
            raise invalid(
                "token",
                "not a Telegram token: it looks like 123456789:AAH4... (the bot's id, a colon, "
                "then 20 or more letters, digits, _ or -)",
            )
        if bot.mode == "webhook" and not WEBHOOK_SECRET.match(secret):
            raise invalid("webhook_secret", "1-256 characters of A-Z a-z 0-9 _ -")
    elif bot.channel == "mattermost":
        if not token:
            raise invalid("token", "a Mattermost bot needs its bot account's access token")
        if bot.api_base is None:
            raise invalid("api_base", "set it to your Mattermost server's URL")
        if not secret:
            raise invalid("webhook_secret", "set it to the slash command's token from Mattermost")
    elif bot.channel == "chat2desk":
        if not token:
            raise invalid("token", "a Chat2Desk bot needs its API token")
        if not secret:
            raise invalid("webhook_secret", "a Chat2Desk bot needs the secret of its webhook")
    elif bot.channel == "webchat" and (token or secret):
        raise invalid("token", "a web chat bot has no token or webhook secret")


async def check_builds(bot: BotConfig, deps: AdapterDeps) -> None:
    """Build the adapter and the app as a process will; what they refuse is BotInvalid.

    A Telegram bot's adapter checks nothing `check_fields` did not, except its options, so
    only those are read: building it would import aiogram, seconds at the shell."""
    try:
        if bot.channel == "telegram":
            from relaybot.channels.options import read_options
            from relaybot.channels.telegram.options import TelegramOptions

            read_options(bot, TelegramOptions)
        else:
            adapter = build_adapter(bot, deps)
            await adapter.close()
    except ValueError as exc:
        raise invalid("options", _without_bot(str(exc), bot.name)) from None
    try:
        load_app_class(bot.app)(bot, deps.settings)
    except (ValueError, ValidationError) as exc:
        raise invalid("options", _without_bot(str(exc), bot.name)) from None


def _without_bot(message: str, name: str) -> str:
    return message.removeprefix(f"bot {name!r}: ")
