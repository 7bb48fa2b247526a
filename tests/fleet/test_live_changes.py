"""Bots added, disabled and removed with `relaybot bots ...` while `relaybot run` runs.

The running process is never told directly: it finds each change in the database (its
periodic check), as it would a change made on another machine.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import select

from relaybot.store.db import create_engine, session_maker
from relaybot.store.models import DeadLetter, DialogStateRow, OutboxMessage
from relaybot.testing import TelegramStandin, free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.waiting import eventually

TOKEN = "555000111:AAH-live-bot-token-abcdefghijklmn"
SECRET = "live-bot-webhook-secret"
COUNTING = "relaybot.testing.counting:CountingApp"
CHAT = 4242


def update(update_id: int, text: str) -> dict[str, Any]:
    person = {"id": CHAT, "is_bot": False, "first_name": "Aigul", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": CHAT, "type": "private", "first_name": "Aigul"},
            "from": person,
            "text": text,
        },
    }


async def post(relay: RelaybotProcess, body: dict[str, Any], *, secret: str = SECRET) -> int:
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.post(
            f"{relay.url}/webhook/telegram/shop",
            json=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
    return response.status_code


async def unknown(relay: RelaybotProcess) -> bool:
    """The bot's webhook is gone. Asked with a wrong secret, so that no update is accepted
    while the bot still serves (it answers 401 then)."""
    return await post(relay, update(999, "anyone?"), secret="not-the-secret") == 404


async def ready_for_new_bots(relay: RelaybotProcess) -> bool:
    """The process imports every channel's code once, in the background, after it starts."""
    return "every channel is ready for new bots" in relay.log_path.read_text()


def relaybot(tmp_path: Path, database_url: str) -> RelaybotProcess:
    env = relaybot_env(
        {
            "RELAYBOT_DATABASE_URL": database_url,
            "RELAYBOT_BOTS_KEY": Fernet.generate_key().decode(),
            "RELAYBOT_POLL_INTERVAL": "0.2",
            "RELAYBOT_OUTBOX_BACKOFF_BASE": "0.2",
            "RELAYBOT_OUTBOX_BACKOFF_MAX": "0.5",
            "RELAYBOT_OUTBOX_MAX_ATTEMPTS": "1000",
            "RELAYBOT_LOG_LEVEL": "info",
        }
    )
    return RelaybotProcess(["run"], env=env, workdir=tmp_path, name="relaybot", port=free_port())


async def outbox_of(database_url: str, bot: str) -> list[tuple[str, str | None]]:
    engine = create_engine(database_url)
    try:
        async with session_maker(engine)() as session:
            rows = await session.execute(
                select(OutboxMessage.status, OutboxMessage.last_error)
                .where(OutboxMessage.bot == bot)
                .order_by(OutboxMessage.id)
            )
            return [(status, error) for status, error in rows]
    finally:
        await engine.dispose()


async def count_rows(database_url: str, model: Any, bot: str) -> int:
    engine = create_engine(database_url)
    try:
        async with session_maker(engine)() as session:
            return len(list(await session.scalars(select(model).where(model.bot == bot))))
    finally:
        await engine.dispose()


async def test_a_bot_added_disabled_and_removed_while_relaybot_runs(
    tmp_path: Path, database_url: str
):
    async with TelegramStandin() as telegram:
        relay = relaybot(tmp_path, database_url)
        await relay.start()
        try:
            await eventually(lambda: ready_for_new_bots(relay), timeout=60, interval=0.2)
            assert await post(relay, update(1, "before")) == 404
            add = ["bots", "add", "shop", "--app", COUNTING, "--channel", "telegram"]
            add += ["--token", TOKEN, "--webhook-secret", SECRET, "--api-base", telegram.url]
            await asyncio.to_thread(relay.cli, *add)
            added_at = time.monotonic()

            async def first_answer() -> bool:
                return await post(relay, update(2, "hello")) == 200

            await eventually(first_answer, timeout=5.0, interval=0.1)
            answered_in = time.monotonic() - added_at
            assert answered_in < 5.0
            await telegram.wait_until(lambda: bool(telegram.sent_to(CHAT)), timeout=10)
            assert [m.text for m in telegram.sent_to(CHAT)] == ["hello #1"]

            await asyncio.to_thread(relay.cli, "bots", "disable", "shop")

            await eventually(lambda: unknown(relay), timeout=5.0, interval=0.1)
            assert await post(relay, update(3, "disabled?")) == 404
            await asyncio.to_thread(relay.cli, "bots", "enable", "shop")
            await eventually(first_answer, timeout=5.0, interval=0.1)

            # Telegram fails every send for a while: the replies wait in the outbox.
            telegram.fail("sendMessage", status=502, times=10_000)
            assert await post(relay, update(4, "one more")) == 200
            assert await post(relay, update(5, "and another")) == 200

            async def waiting() -> bool:
                return len(await outbox_of(database_url, "shop")) == 3

            await eventually(waiting, timeout=10)
            await asyncio.to_thread(relay.cli, "bots", "remove", "shop")

            await eventually(lambda: unknown(relay), timeout=5.0, interval=0.1)
            assert await post(relay, update(6, "removed?")) == 404
            telegram.faults.clear()
            await telegram.wait_until(lambda: len(telegram.sent_to(CHAT)) == 3, timeout=15)
        finally:
            await relay.stop()
        assert [m.text for m in telegram.sent_to(CHAT)] == [
            "hello #1",
            "one more #2",
            "and another #3",
        ]
        assert [s for s, _ in await outbox_of(database_url, "shop")] == ["sent"] * 3
        assert await count_rows(database_url, DeadLetter, "shop") == 0
        assert await count_rows(database_url, DialogStateRow, "shop") == 1  # kept till expiry
        log = relay.log_path.read_text()
        assert TOKEN not in log and SECRET not in log and "Traceback" not in log


async def test_replies_of_a_bot_removed_while_nothing_ran_go_to_the_dlq_saying_why(
    tmp_path: Path, sqlite_url: str
):
    async with TelegramStandin() as telegram:
        relay = relaybot(tmp_path, sqlite_url)
        await relay.start()
        add = ["bots", "add", "shop", "--app", COUNTING, "--channel", "telegram"]
        add += ["--token", TOKEN, "--webhook-secret", SECRET, "--api-base", telegram.url]
        try:
            await eventually(lambda: ready_for_new_bots(relay), timeout=60, interval=0.2)
            await asyncio.to_thread(relay.cli, *add)
            telegram.fail("sendMessage", status=502, times=10_000)

            async def accepted() -> bool:
                return await post(relay, update(1, "hello")) == 200

            await eventually(accepted, timeout=5.0, interval=0.1)

            async def waiting() -> bool:
                return len(await outbox_of(sqlite_url, "shop")) == 1

            await eventually(waiting, timeout=10)
        finally:
            await relay.stop()
        await asyncio.to_thread(relay.cli, "bots", "remove", "shop")  # its credentials go
        await relay.start()
        try:

            async def dead() -> list[tuple[str, str | None]]:
                rows = await outbox_of(sqlite_url, "shop")
                return rows if rows and rows[0][0] == "dead" else []

            ((_, error),) = await eventually(dead, timeout=10)
        finally:
            await relay.stop()
    assert error is not None and "is not configured here any more" in error
    assert "credentials are gone" in error
    assert await count_rows(sqlite_url, DeadLetter, "shop") == 1
