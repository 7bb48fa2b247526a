"""A stored bot and its `BotConfig`: which parts are secret, how they are sealed and shown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from relaybot.config import BotConfig
from relaybot.security.bot_keys import BotCipher
from relaybot.store.bots import StoredBot

# Options with such names are secrets (Mattermost's outgoing_token, a signing secret...):
# they are sealed with the token, never stored or shown in the clear.
SECRET_OPTION = re.compile(r"token|secret|password|signing|api_key", re.IGNORECASE)
MASK = "***"


def is_secret_option(key: str) -> bool:
    return bool(SECRET_OPTION.search(key))


def mask(value: str | None) -> str | None:
    """Enough to tell two values apart, never enough to use one.

    A Telegram token shows its bot id (public anyway); anything else its last four characters
    when long enough to spare them."""
    if value is None:
        return None
    head, colon, _rest = value.partition(":")
    if colon and head.isdigit():
        return f"{head}:{MASK}"
    return f"{MASK}{value[-4:]}" if len(value) >= 16 else MASK


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def split(bot: BotConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """(columns in the clear, secrets to seal) of `bot`."""
    options = {k: v for k, v in bot.options.items() if not is_secret_option(k)}
    secret_options = {k: _secret(v) for k, v in bot.options.items() if is_secret_option(k)}
    secrets: dict[str, Any] = {
        "token": _secret(bot.token),
        "webhook_secret": _secret(bot.webhook_secret),
        "options": secret_options,
    }
    columns = {
        "name": bot.name,
        "app": bot.app,
        "channel": bot.channel,
        "title": bot.title,
        "mode": bot.mode,
        "api_base": bot.api_base,
        "options": options,
    }
    return columns, secrets


def has_secrets(secrets: Mapping[str, Any]) -> bool:
    return bool(secrets.get("token") or secrets.get("webhook_secret") or secrets.get("options"))


def to_config(stored: StoredBot, cipher: BotCipher | None) -> BotConfig:
    """The stored bot as every adapter and app sees it; BotKeyError when it cannot be opened."""
    secrets: dict[str, Any] = {}
    if stored.credentials is not None:
        if cipher is None:
            from relaybot.security.bot_keys import BotKeyError

            raise BotKeyError(
                f"bot {stored.name!r} has stored credentials but no bots key is configured: "
                "set RELAYBOT_BOTS_KEY (or bots_key_file) to the key they were stored with"
            )
        secrets = cipher.open(stored.credentials, bot=stored.name)
    return BotConfig(
        name=stored.name,
        app=stored.app,
        channel=stored.channel,
        title=stored.title,
        mode=stored.mode,
        api_base=stored.api_base,
        token=secrets.get("token"),
        webhook_secret=secrets.get("webhook_secret"),
        options={**stored.options, **(secrets.get("options") or {})},
    )


def view(
    bot: BotConfig,
    *,
    source: str,
    enabled: bool = True,
    stored: StoredBot | None = None,
) -> dict[str, Any]:
    """What `bots list/show` and `/api/bots` show: every secret masked."""
    options = {k: (mask(_secret(v)) if is_secret_option(k) else v) for k, v in bot.options.items()}
    return {
        "name": bot.name,
        "app": bot.app,
        "channel": bot.channel,
        "title": bot.title,
        "mode": bot.mode,
        "api_base": bot.api_base,
        "token": mask(_secret(bot.token)),
        "webhook_secret": mask(_secret(bot.webhook_secret)),
        "options": options,
        "enabled": enabled,
        "source": source,
        "revision": stored.revision if stored else None,
        "created_at": stored.created_at.isoformat() if stored else None,
        "updated_at": stored.updated_at.isoformat() if stored else None,
        "changed_by": stored.changed_by if stored else None,
    }
