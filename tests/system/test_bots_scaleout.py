"""Scaled out: a bot added over REST at one gateway is served by the other and the workers.

Real processes on the real PostgreSQL and Redis: two gateways, three workers and a sender,
each finding the change on its own (a Redis announcement, the periodic check behind it).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from relaybot.config import load_settings
from relaybot.system import build_system
from relaybot.testing import TelegramStandin, free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env
from relaybot.testing.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ADMIN = "scaleout-admin-token-0123456789abcdef"
TOKEN = "600700800:AAH-scaleout-bot-token-abcdefghijk"
SECRET = "scaleout-webhook-secret"
CHATS = 6
FIRST_CHAT = 810_000


def telegram_update(chat: int, update_id: int) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": f"U{chat}", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": f"U{chat}"},
            "from": person,
            "text": f"hi from {chat}",
        },
    }


def ready_for_new_bots(process: RelaybotProcess) -> bool:
    """Each process imports every channel's code once, in the background, after it starts."""
    return "every channel is ready for new bots" in process.log_path.read_text()


async def test_a_bot_added_at_one_gateway_is_served_by_the_other_and_the_workers(
    tmp_path: Path, postgres_url: str, redis_url: str, redis_namespace: str
):
    env = relaybot_env(
        {
            "RELAYBOT_DATABASE_URL": postgres_url,
            "RELAYBOT_DATABASE_POOL_SIZE": "3",
            "RELAYBOT_QUEUE_URL": redis_url,
            "RELAYBOT_QUEUE_NAMESPACE": redis_namespace,
            "RELAYBOT_POLL_INTERVAL": "0.2",
            "RELAYBOT_BOTS_KEY": Fernet.generate_key().decode(),
            "RELAYBOT_ADMIN_TOKEN": ADMIN,
            # An app of the operator's own that admin tokens may name over REST.
            "RELAYBOT_API_APPS": '["relaybot.testing.counting:CountingApp"]',
            "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
            "RELAYBOT_LOG_LEVEL": "info",
        }
    )
    migrate = RelaybotProcess(["migrate"], env=env, workdir=tmp_path, name="migrate")
    await migrate.start()
    assert migrate.process is not None and await migrate.process.wait() == 0, migrate.tail()
    gateways = [
        RelaybotProcess(
            ["gateway"], env=env, workdir=tmp_path, name=f"gateway{i}", port=free_port()
        )
        for i in (1, 2)
    ]
    workers = [
        RelaybotProcess(["worker"], env=env, workdir=tmp_path, name=f"worker{i}") for i in (1, 2, 3)
    ]
    sender = RelaybotProcess(["sender"], env=env, workdir=tmp_path, name="sender")
    everyone = [*gateways, *workers, sender]
    async with TelegramStandin() as telegram:
        try:
            await asyncio.gather(*(p.start(timeout=120) for p in everyone))

            async def warmed_up() -> bool:
                return all(ready_for_new_bots(p) for p in everyone)

            await eventually(warmed_up, timeout=120, interval=0.5)
            first, second = gateways
            admin = {"Authorization": f"Bearer {ADMIN}"}
            async with httpx.AsyncClient(timeout=30) as http:
                created = await http.post(
                    f"{first.url}/api/bots",
                    headers=admin,
                    json={
                        "name": "city",
                        "app": "relaybot.testing.counting:CountingApp",
                        "channel": "telegram",
                        "token": TOKEN,
                        "webhook_secret": SECRET,
                        "api_base": telegram.url,
                    },
                )
                assert created.status_code == 201, created.text
                added_at = time.monotonic()
                hook = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

                async def served_by_second() -> bool:
                    body = telegram_update(FIRST_CHAT, 1)
                    answer = await http.post(
                        f"{second.url}/webhook/telegram/city", json=body, headers=hook
                    )
                    return answer.status_code == 200

                await eventually(served_by_second, timeout=5.0, interval=0.1)
                assert time.monotonic() - added_at < 5.0
                for n in range(1, CHATS):
                    gateway = gateways[n % 2]
                    answer = await http.post(
                        f"{gateway.url}/webhook/telegram/city",
                        json=telegram_update(FIRST_CHAT + n, 1 + n),
                        headers=hook,
                    )
                    assert answer.status_code == 200, answer.text

                def everyone_answered() -> bool:
                    return all(telegram.sent_to(FIRST_CHAT + n) for n in range(CHATS))

                await telegram.wait_until(everyone_answered, timeout=20)
                for n in range(CHATS):
                    assert [m.text for m in telegram.sent_to(FIRST_CHAT + n)] == [
                        f"hi from {FIRST_CHAT + n} #1"
                    ]

                removed = await http.delete(f"{second.url}/api/bots/city", headers=admin)
                assert removed.status_code == 200

                async def gone_from_first() -> bool:
                    answer = await http.post(
                        f"{first.url}/webhook/telegram/city",
                        json=telegram_update(FIRST_CHAT, 99),
                        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                    )
                    return answer.status_code == 404

                await eventually(gone_from_first, timeout=5.0, interval=0.1)
        finally:
            await asyncio.gather(*(p.stop() for p in everyone))
    logs = "".join(p.log_path.read_text() for p in everyone)
    assert TOKEN not in logs and SECRET not in logs
    worker_logs = [w.log_path.read_text() for w in workers]
    assert all("bot serving" in log and "bot=city" in log for log in worker_logs)


async def test_a_change_is_announced_over_redis_without_waiting_for_the_periodic_check(
    make_settings: Any, postgres_url: str, redis_url: str, redis_namespace: str
):
    settings = make_settings(
        postgres_url,
        queue_url=redis_url,
        queue_namespace=redis_namespace,
        bots_key=Fernet.generate_key().decode(),
        bots_reload_seconds=60,
    )
    here = await build_system(settings)
    there = await build_system(load_settings(None, **settings.model_dump()))
    try:
        await here.start(("worker",))
        await there.start(("worker",))
        await asyncio.sleep(0.5)  # both subscribed
        assert here.bot_admin is not None and there.registry is not None
        await here.bot_admin.add(
            {"name": "announced", "app": "orders"}, actor="test", channel="cli"
        )

        async def known_there() -> bool:
            assert there.registry is not None
            return "announced" in there.registry.bots

        await eventually(known_there, timeout=3.0)
    finally:
        await here.close()
        await there.close()
