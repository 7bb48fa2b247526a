"""Two hundred bots in one `relaybot run`, web chat and Telegram mixed: every one answers."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from relaybot.config import BotConfig, load_settings
from relaybot.fleet.definition import has_secrets, split
from relaybot.security.bot_keys import load_bots_key
from relaybot.store import bots as bots_store
from relaybot.system import open_store
from relaybot.testing import TelegramStandin, free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.waiting import eventually

pytestmark = pytest.mark.slow

COUNTING = "relaybot.testing.counting:CountingApp"
EACH = 100  # Telegram bots, and as many web chat bots
SECRET = "many-bots-webhook-secret"


def telegram_token(n: int) -> str:
    return f"{200000 + n}:AAH-many-bots-token-{n:04d}-abcdefghij"


def telegram_update(n: int) -> dict[str, Any]:
    chat = 9_000_000 + n
    person = {"id": chat, "is_bot": False, "first_name": "Nur", "language_code": "en"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Nur"},
            "from": person,
            "text": f"hello tg{n}",
        },
    }


async def add_bots(env: dict[str, str], api_base: str) -> None:
    """Store the bots as `relaybot bots add` does, without checking each against its channel
    (the CLI tests do that): this test is about serving them."""
    settings = load_settings(
        None, database_url=env["RELAYBOT_DATABASE_URL"], bots_key=env["RELAYBOT_BOTS_KEY"]
    )
    cipher = load_bots_key(settings).cipher
    assert cipher is not None
    bots = [
        BotConfig(
            name=f"tg{n}",
            app=COUNTING,
            channel="telegram",
            token=telegram_token(n),
            webhook_secret=SECRET,
            api_base=api_base,
        )
        for n in range(EACH)
    ] + [BotConfig(name=f"web{n}", app=COUNTING) for n in range(EACH)]
    async with open_store(settings) as sessions:
        for bot in bots:
            columns, secrets = split(bot)
            sealed = cipher.seal(secrets) if has_secrets(secrets) else None
            await bots_store.insert(
                sessions,
                {**columns, "credentials": sealed, "enabled": True},
                actor="test",
                channel="cli",
            )


async def test_two_hundred_bots_in_one_process_all_answer(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with TelegramStandin() as telegram:
        env = relaybot_env(
            {
                "RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'relaybot.db'}",
                "RELAYBOT_BOTS_KEY": Fernet.generate_key().decode(),
                "RELAYBOT_POLL_INTERVAL": "0.2",
                "RELAYBOT_LOG_LEVEL": "warning",
            }
        )
        await add_bots(env, telegram.url)
        relay = RelaybotProcess(
            ["run"], env=env, workdir=tmp_path, name="relaybot", port=free_port()
        )
        await relay.start(timeout=60)
        try:
            limits = asyncio.Semaphore(20)
            async with httpx.AsyncClient(base_url=relay.url, timeout=30) as http:
                (await http.get("/")).raise_for_status()  # the visitor's cookie
                bots = (await http.get("/chat/api/bots")).json()
                assert len([b for b in bots["bots"] if b["name"].startswith("web")]) == EACH

                async def to_telegram_bot(n: int) -> None:
                    async with limits:
                        answer = await http.post(
                            f"/webhook/telegram/tg{n}",
                            json=telegram_update(n),
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        )
                    assert answer.status_code == 200, answer.text

                async def to_web_bot(n: int) -> None:
                    body = {"id": uuid.uuid4().hex, "text": f"hello web{n}", "locale": "en"}
                    async with limits:
                        answer = await http.post(
                            f"/chat/api/web{n}/messages",
                            json=body,
                            headers={"Origin": relay.url},
                        )
                    assert answer.status_code == 202, answer.text

                await asyncio.gather(
                    *(to_telegram_bot(n) for n in range(EACH)),
                    *(to_web_bot(n) for n in range(EACH)),
                )
                await telegram.wait_until(lambda: len(telegram.sent) == EACH, timeout=30)

                async def web_answers() -> list[str]:
                    found = []
                    for n in range(EACH):
                        history = (await http.get(f"/chat/api/web{n}/history")).json()
                        found += [m["text"] for m in history["messages"] if m["direction"] == "out"]
                    return found if len(found) == EACH else []

                answered = await eventually(web_answers, timeout=30, interval=0.5)
        finally:
            await relay.stop()
    assert sorted(m.text for m in telegram.sent) == sorted(f"hello tg{n} #1" for n in range(EACH))
    assert {m.token for m in telegram.sent} == {telegram_token(n) for n in range(EACH)}
    assert sorted(answered) == sorted(f"hello web{n} #1" for n in range(EACH))
