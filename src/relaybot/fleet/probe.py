"""`relaybot bots check`: ask the channel who the bot's credentials belong to.

Telegram answers `getMe`, Mattermost `users/me`, Chat2Desk lists the account's webhooks. The
answer says what was found or why the channel refused; a token never appears in it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from relaybot.config import BotConfig
from relaybot.runtime.logs import scrub

TIMEOUT = 10.0
DEADLINE = 8.0
"""A check answers within this, whatever the channel does: a hung server is an answer too."""


@dataclass(frozen=True)
class Probe:
    ok: bool
    message: str


def _clean(text: str, bot: BotConfig) -> str:
    token = bot.token.get_secret_value() if bot.token else ""
    if token:
        text = text.replace(token, "***")
    return scrub(text)[:300]


async def probe(bot: BotConfig) -> Probe:
    try:
        async with asyncio.timeout(DEADLINE):
            return await _asked(bot)
    except TimeoutError:
        return Probe(False, f"{bot.channel} did not answer within {DEADLINE:g} s")


async def _asked(bot: BotConfig) -> Probe:
    try:
        if bot.channel == "telegram":
            return await _telegram(bot)
        if bot.channel == "mattermost":
            return await _mattermost(bot)
        if bot.channel == "chat2desk":
            return await _chat2desk(bot)
    except httpx.HTTPError as exc:
        return Probe(False, f"{bot.channel} could not be reached: {type(exc).__name__}")
    return Probe(True, f"a {bot.channel} bot has no account elsewhere: nothing to check")


def _load_telegram() -> None:
    import relaybot.channels.telegram.adapter  # noqa: F401 - aiogram with it


async def _telegram_loaded() -> None:
    """aiogram is imported in a thread: the event loop importing it while another thread does
    (the start-up's warm-up, another check) would wait for that thread, answering nobody."""
    await asyncio.to_thread(_load_telegram)


async def _telegram(bot: BotConfig) -> Probe:
    await _telegram_loaded()
    from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

    from relaybot.channels.telegram.adapter import telegram_bot

    client = telegram_bot(bot, timeout=TIMEOUT)
    try:
        me = await client.get_me()
        webhook = await client.get_webhook_info()
    except TelegramNetworkError as exc:
        return Probe(False, f"Telegram could not be reached: {_clean(str(exc), bot)}")
    except TelegramAPIError as exc:
        return Probe(False, f"Telegram refused the token: {_clean(exc.message, bot)}")
    finally:
        await client.session.close()
    where = f"webhook {webhook.url}" if webhook.url else "no webhook set (long polling works)"
    return Probe(True, f"Telegram knows this bot: @{me.username} (id {me.id}); {where}")


async def _mattermost(bot: BotConfig) -> Probe:
    assert bot.api_base is not None and bot.token is not None
    headers = {"Authorization": f"Bearer {bot.token.get_secret_value()}"}
    async with httpx.AsyncClient(base_url=bot.api_base, headers=headers, timeout=TIMEOUT) as http:
        response = await http.get("/api/v4/users/me")
    body = _json(response)
    if response.status_code != 200 or not isinstance(body, dict):
        reason = body.get("message") if isinstance(body, dict) else None
        return Probe(
            False,
            f"Mattermost refused the token ({response.status_code}): "
            f"{_clean(str(reason or response.reason_phrase), bot)}",
        )
    return Probe(
        True,
        f"Mattermost signs this token in as @{body.get('username')} (id {body.get('id')})",
    )


async def _chat2desk(bot: BotConfig) -> Probe:
    from relaybot.channels.chat2desk.options import DEFAULT_API_BASE

    assert bot.token is not None
    base = (bot.api_base or DEFAULT_API_BASE).rstrip("/")
    headers = {"Authorization": bot.token.get_secret_value()}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=TIMEOUT) as http:
        response = await http.get("/v1/webhooks")
    body = _json(response)
    if response.status_code != 200 or not isinstance(body, dict):
        return Probe(False, f"Chat2Desk refused the token ({response.status_code})")
    hooks = body.get("data") or []
    return Probe(True, f"Chat2Desk accepts the token; the account has {len(hooks)} webhook(s)")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


async def set_telegram_webhook(bot: BotConfig, public_url: str) -> Probe:
    """Point Telegram at this bot's webhook, signed with its secret."""
    await _telegram_loaded()
    from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

    from relaybot.channels.options import read_options
    from relaybot.channels.telegram.adapter import telegram_bot
    from relaybot.channels.telegram.options import TelegramOptions

    url = f"{public_url.rstrip('/')}/webhook/telegram/{bot.name}"
    client = telegram_bot(bot, timeout=TIMEOUT)
    try:
        await client.set_webhook(
            url=url,
            secret_token=bot.webhook_secret.get_secret_value() if bot.webhook_secret else None,
            allowed_updates=read_options(bot, TelegramOptions).allowed_updates,
        )
    except (TelegramAPIError, TelegramNetworkError) as exc:
        return Probe(False, f"Telegram refused setWebhook: {_clean(str(exc), bot)}")
    finally:
        await client.session.close()
    return Probe(True, f"Telegram delivers to {url}")


async def delete_telegram_webhook(bot: BotConfig) -> Probe:
    await _telegram_loaded()
    from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

    from relaybot.channels.telegram.adapter import telegram_bot

    client = telegram_bot(bot, timeout=TIMEOUT)
    try:
        await client.delete_webhook()
    except (TelegramAPIError, TelegramNetworkError) as exc:
        return Probe(False, f"Telegram refused deleteWebhook: {_clean(str(exc), bot)}")
    finally:
        await client.session.close()
    return Probe(True, "Telegram no longer delivers to relaybot's webhook")
