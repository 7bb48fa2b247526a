"""Inbound flood limits: a flood is acknowledged, dropped with one polite notice, and slows
nobody else down."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from relaybot.channels.webchat.routes import COOKIE
from relaybot.channels.webchat.store import hash_token
from relaybot.core.clock import ManualClock
from relaybot.core.types import Update
from relaybot.runtime.inbound import NOTICE_PAYLOAD, InboundGuard
from relaybot.store.models import InboundUpdate, WebchatSession
from relaybot.testing import RelaybotServer, WebchatClient

FLOOD = 1000
NOTICE = "faster than I can read"


def throttled_count(bot: str) -> float:
    value = REGISTRY.get_sample_value(
        "relaybot_updates_throttled_total", {"channel": "webchat", "bot": bot}
    )
    return value or 0.0


def update(n: int, *, chat: str = "c1", user: str = "u1", text: str = "hi") -> Update:
    return Update(
        channel="telegram", bot="b", chat_id=chat, user_id=user, update_id=str(n), text=text
    )


async def test_a_person_typing_fast_is_never_throttled(make_settings, sqlite_url):
    clock = ManualClock()
    guard = InboundGuard(make_settings(sqlite_url), clock)
    kept = []
    for n in range(200):  # bursts of ten quick taps with ten seconds between: a busy human
        kept += await guard.screen([update(n)])
        clock.advance(0.2 if n % 10 else 10.0)
    assert len(kept) == 200 and all(u.payload != NOTICE_PAYLOAD for u in kept)


async def test_a_flood_gets_one_notice_per_five_minutes_and_refills_slowly(
    make_settings, sqlite_url
):
    clock = ManualClock()
    guard = InboundGuard(make_settings(sqlite_url, inbound_user_burst=5), clock)
    first = await guard.screen([update(n) for n in range(50)])
    assert [u.update_id for u in first] == ["0", "1", "2", "3", "4", "throttled:5"]
    clock.advance(60)  # a minute at one per second refills five
    again = await guard.screen([update(n) for n in range(100, 150)])
    assert [u.update_id for u in again] == ["100", "101", "102", "103", "104"]
    clock.advance(300)
    later = await guard.screen([update(n) for n in range(200, 210)])
    assert later[-1].update_id == "throttled:205" and later[-1].kind == "event"
    other_user = await guard.screen([update(999, chat="c2", user="u2")])
    assert [u.update_id for u in other_user] == ["999"]


async def test_many_users_in_one_group_share_the_chat_limit(make_settings, sqlite_url):
    guard = InboundGuard(make_settings(sqlite_url, inbound_chat_burst=10), ManualClock())
    kept = await guard.screen([update(n, chat="group", user=f"u{n}") for n in range(30)])
    assert len(kept) == 11 and kept[-1].payload == NOTICE_PAYLOAD


async def test_oversize_identifiers_are_dropped_and_oversize_text_is_trimmed(
    make_settings, sqlite_url
):
    guard = InboundGuard(make_settings(sqlite_url, max_update_text=100), ManualClock())
    kept = await guard.screen(
        [
            update(1, chat="c" * 129),
            update(2, user="u" * 129),
            Update(channel="x", bot="b", chat_id="", user_id="u", update_id="3"),
            update(4, text="long " * 100),
        ]
    )
    assert [(u.update_id, len(u.text)) for u in kept] == [("4", 100)]


FLOODER = """
import asyncio, collections, json, sys, uuid
import httpx

async def main(url, cookie, count):
    statuses = collections.Counter()
    limit = asyncio.Semaphore(20)
    headers = {"Cookie": cookie, "Origin": url}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        async def one(n):
            async with limit:
                body = {"id": uuid.uuid4().hex, "text": f"spam {n}", "locale": "en"}
                response = await http.post("/chat/api/orders/messages", json=body)
                statuses[response.status_code] += 1
        await asyncio.gather(*(one(n) for n in range(count)))
    print(json.dumps(statuses))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_a_flood_from_one_chat_does_not_slow_another_chats_order(make_settings, sqlite_url):
    """1,000 posts from one browser (another process) while a second browser orders water."""
    async with (
        RelaybotServer(make_settings(sqlite_url)) as server,
        WebchatClient(server.url, "orders") as calm,
        WebchatClient(server.url, "orders") as flooder,
    ):
        started = time.perf_counter()
        await order_story(calm)
        alone = time.perf_counter() - started
        throttled_before = throttled_count("orders")

        flood = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            FLOODER,
            server.url,
            flooder.cookie,
            str(FLOOD),
            stdout=asyncio.subprocess.PIPE,
        )
        started = time.perf_counter()
        await order_story(calm)
        during_flood = time.perf_counter() - started
        flood_running = flood.returncode is None
        out, _ = await flood.communicate()
        await until_said(flooder, NOTICE)
        await flooder.replies(len(flooder.received), expect=0, quiet=0.5)
        notices = flooder.received

        assert json.loads(out) == {"202": FLOOD}
        assert sum(NOTICE in m["text"] for m in notices) == 1
        assert server.system is not None
        async with server.system.sessions() as session:
            stored = await session.scalar(
                select(func.count())
                .select_from(InboundUpdate)
                .where(InboundUpdate.chat_id == chat_of(flooder))
            )
        assert stored is not None and stored < 60  # the burst, a trickle and one notice
        assert throttled_count("orders") - throttled_before >= FLOOD - stored
        print(
            f"\norder story alone: {alone:.2f} s; while {FLOOD} posts flood from another chat"
            f"{' (flood still running at the end)' if flood_running else ''}: "
            f"{during_flood:.2f} s; flood updates stored: {stored}"
        )


async def until_said(chat: WebchatClient, needle: str, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not any(needle in m["text"] for m in chat.received):
            await chat.replies(len(chat.received), expect=1, quiet=0.0)


async def order_story(chat: WebchatClient) -> None:
    await chat.say("hello", expect=2)
    await chat.say("Bishkek, Chui avenue 120")
    await chat.say("0555 123 456")
    await chat.say("3")
    done = await chat.press("Yes")
    assert "is accepted" in done[-1]["text"]


def chat_of(chat: WebchatClient) -> Any:
    token = chat.http.cookies[COOKIE]
    return (
        select(WebchatSession.chat_id)
        .where(WebchatSession.token_hash == hash_token(token))
        .scalar_subquery()
    )


async def test_a_throttled_web_chat_post_is_acknowledged_not_recorded(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, inbound_user_burst=2)
    async with RelaybotServer(settings) as server, WebchatClient(server.url, "orders") as chat:
        bodies = [(await chat.post(f"message {n}")).json() for n in range(4)]
        assert [b.get("throttled", False) for b in bodies] == [False, False, True, True]
        async with httpx.AsyncClient(base_url=server.url, cookies=chat.http.cookies) as http:
            history = (await http.get("/chat/api/orders/history")).json()["messages"]
        assert [m["text"] for m in history if m["direction"] == "in"] == ["message 0", "message 1"]


async def test_a_telegram_flood_is_acknowledged_and_another_telegram_chat_still_orders(
    make_settings, sqlite_url
):
    """1,000 webhook updates from one Telegram chat while another chat orders water."""
    from relaybot.testing.telegram_standin import TelegramStandin
    from tests.channels.helpers import TELEGRAM_SECRET, TELEGRAM_TOKEN, eventually, telegram_bot

    async with TelegramStandin() as telegram:
        settings = make_settings(sqlite_url, bots=[telegram_bot(telegram)])
        async with RelaybotServer(settings) as server:
            state = telegram.bot(TELEGRAM_TOKEN)
            state.webhook_url = f"{server.url}/webhook/telegram/water"
            state.webhook_secret = TELEGRAM_SECRET
            flooder = telegram.user(TELEGRAM_TOKEN, user_id=5100001, first_name="Spam")
            calm = telegram.user(TELEGRAM_TOKEN, user_id=5100002, first_name="Aida")
            limit = asyncio.Semaphore(20)

            async def spam(n: int) -> int:
                async with limit:
                    update = {"message": flooder._message(text=f"spam {n}")}
                    response = await telegram.push_update(TELEGRAM_TOKEN, update)
                    assert response is not None
                    return response.status_code

            flood = asyncio.gather(*(spam(n) for n in range(FLOOD)))
            await calm.say("/start", expect=2)
            await calm.say("Bishkek, Chui avenue 120")
            await calm.share_contact("+996555123456")
            await calm.press("2")
            done = await calm.press("Yes")
            assert "is accepted" in done[-1].text
            statuses = await flood
            assert statuses == [200] * FLOOD  # acknowledged, so Telegram does not redeliver

            async def noticed() -> bool:
                return any(NOTICE in m.text for m in flooder.messages)

            await eventually(noticed, timeout=20)
            assert server.system is not None
            async with server.system.sessions() as session:
                stored = await session.scalar(
                    select(func.count())
                    .select_from(InboundUpdate)
                    .where(InboundUpdate.chat_id == str(flooder.chat_id))
                )
            assert stored is not None and stored < 60
        assert sum(NOTICE in m.text for m in flooder.messages) == 1
