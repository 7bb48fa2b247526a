"""A full disk: webhooks answer 503, nothing is half-written, and relaybot resumes by itself."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event, func, select, text

from relaybot.store.models import InboundUpdate
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin
from tests.channels.helpers import TELEGRAM_SECRET, TELEGRAM_TOKEN, telegram_bot


async def test_a_full_disk_is_answered_503_and_the_redelivery_gets_its_answer(
    make_settings, sqlite_url
) -> None:
    async with TelegramStandin() as telegram:
        settings = make_settings(sqlite_url, bots=[telegram_bot(telegram)])
        async with RelaybotServer(settings) as server:
            assert server.system is not None
            webhook = f"{server.url}/webhook/telegram/water"
            state = telegram.bot(TELEGRAM_TOKEN)
            state.webhook_url, state.webhook_secret = webhook, TELEGRAM_SECRET
            aida = telegram.user(TELEGRAM_TOKEN, user_id=5200001, first_name="Aida")
            await aida.say("/start", expect=2)

            engine = server.system.engine
            async with server.system.sessions() as session:
                pages = int(await session.scalar(text("PRAGMA page_count")) or 0)
            disk_full = True

            @event.listens_for(engine.sync_engine, "connect")
            def _no_room_left(dbapi_connection: Any, _record: Any) -> None:
                if disk_full:  # the file may not grow by a single page
                    cursor = dbapi_connection.cursor()
                    cursor.execute(f"PRAGMA max_page_count={pages}")
                    cursor.close()

            await engine.dispose()  # every connection from now on has a full disk
            async with server.system.sessions() as session:
                stored_before = await session.scalar(
                    select(func.count()).select_from(InboundUpdate)
                )

            headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
            answers: list[httpx.Response] = []
            async with httpx.AsyncClient(timeout=30) as http:
                for n in range(200):  # until one needs a new page of the file
                    body = {"update_id": 900000 + n, "message": aida._message(text=f"hi {n}")}
                    answers.append(await http.post(webhook, json=body, headers=headers))
                    if answers[-1].status_code != 200:
                        break
                refused = answers[-1]
                assert refused.status_code == 503, refused.text
                assert refused.headers["Retry-After"] == "5"
                assert "send it again" in refused.json()["detail"]

                disk_full = False
                await engine.dispose()  # space is back
                start = len(aida.messages)
                redelivered = await http.post(webhook, json=body, headers=headers)
                assert redelivered.status_code == 200
                await aida.replies(start, expect=1, timeout=30)

            async with server.system.sessions() as session:
                stored = await session.scalar(select(func.count()).select_from(InboundUpdate))
                pending = await session.scalar(
                    select(func.count())
                    .select_from(InboundUpdate)
                    .where(InboundUpdate.status == "pending")
                )
            accepted = sum(1 for a in answers if a.status_code == 200)
            assert stored == (stored_before or 0) + accepted + 1, "each answered 200 was stored"
            assert pending == 0, "what was stored while the disk was full was handled after"
