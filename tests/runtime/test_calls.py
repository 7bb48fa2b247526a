"""Calls to other services: recorded with the update, made after the commit, answered once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.cli import main
from relaybot.config import BotConfig, Settings
from relaybot.core.calls import HttpCall, PendingCall, result_update_id
from relaybot.core.types import Update
from relaybot.runtime.caller import CallRunner
from relaybot.runtime.calls import call_rows, record_calls
from relaybot.store.models import Chat, InboundUpdate, OutgoingCall
from relaybot.system import open_store
from relaybot.testing import RelaybotServer, ServiceStandin, WebchatClient
from tests.runtime import calling_app

ROLES = ("gateway", "worker", "sender", "caller")


@dataclass
class Shop:
    server: RelaybotServer
    crm: ServiceStandin
    chat: WebchatClient

    @property
    def settings(self) -> Settings:
        assert self.server.system is not None
        return self.server.system.settings

    async def calls(self) -> list[OutgoingCall]:
        assert self.server.system is not None
        async with self.server.system.sessions() as session:
            return list(await session.scalars(select(OutgoingCall)))


@pytest.fixture
async def shop(make_settings, database_url) -> AsyncIterator[Shop]:
    async with ServiceStandin() as crm:
        bot = BotConfig(
            name="shop",
            app="tests.runtime.calling_app:CallingApp",
            options={"crm_url": crm.url},
        )
        settings = make_settings(
            database_url,
            bots=[bot],
            webchat_for_bundled_apps=False,
            call_max_attempts=3,
            call_backoff_base=0.05,
            call_timeout=2.0,
        )
        async with RelaybotServer(settings, roles=ROLES) as server:
            async with WebchatClient(server.url, "shop") as chat:
                yield Shop(server, crm, chat)


async def test_an_order_reaches_the_crm_once_and_its_number_comes_back(shop: Shop) -> None:
    replies = await shop.chat.say("/order socks", expect=2)
    assert [r["text"] for r in replies] == [
        "Placing your order...",
        "Order CRM-1001 is placed (attempt 1).",
    ]
    assert len(shop.crm.calls) == 1
    (row,) = await shop.calls()
    assert shop.crm.keys == [row.id]
    assert shop.crm.calls[0].params == {"sku": "socks"}
    assert (row.status, row.attempts) == ("done", 1)


async def test_a_crm_failing_twice_is_retried_with_the_same_key(shop: Shop) -> None:
    shop.crm.fail("orders", status=503, times=2)
    replies = await shop.chat.say("/order hat", expect=2)
    assert replies[-1]["text"] == "Order CRM-1001 is placed (attempt 3)."
    assert [c.status for c in shop.crm.calls] == [503, 503, 201]
    (row,) = await shop.calls()
    assert shop.crm.keys == [row.id] * 3
    assert row.status == "done"


async def test_a_crm_that_never_answers_well_ends_in_the_dead_letters_and_the_app_is_told(
    shop: Shop,
) -> None:
    shop.crm.fail("orders", status=500, times=100)
    replies = await shop.chat.say("/order scarf", expect=2)
    assert replies[-1]["text"] == "The CRM is not answering, we will call you (HTTP 500)."
    assert len(shop.crm.calls) == shop.settings.call_max_attempts
    (row,) = await shop.calls()
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "HTTP 500")

    env = {"RELAYBOT_DATABASE_URL": shop.settings.database_url}
    listed = await asyncio.to_thread(CliRunner().invoke, main, ["dlq", "calls", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    (dead,) = json.loads(listed.output)
    assert (dead["id"], dead["tag"], dead["attempts"], dead["last_error"]) == (
        row.id,
        "crm.order",
        3,
        "HTTP 500",
    )


async def test_a_refusal_by_the_crm_is_told_at_once_without_retries(shop: Shop) -> None:
    shop.crm.fail("orders", status=422, times=1, description="unknown sku")
    replies = await shop.chat.say("/order nothing", expect=2)
    assert replies[-1]["text"] == "The CRM is not answering, we will call you (HTTP 422)."
    assert len(shop.crm.calls) == 1


async def test_a_registered_task_runs_with_the_calls_key(shop: Shop) -> None:
    calling_app.QUOTES.clear()
    replies = await shop.chat.say("/quote Paris", expect=2)
    assert [r["text"] for r in replies] == [
        "Asking the courier...",
        "Delivery to Paris costs 500.",
    ]
    (row,) = await shop.calls()
    runs = calling_app.QUOTES
    assert runs == [("Paris", row.id)]


async def test_a_repeated_result_is_dropped_and_the_dialog_goes_on(shop: Shop) -> None:
    replies = await shop.chat.say("/order socks", expect=2)
    (row,) = await shop.calls()
    system = shop.server.system
    assert system is not None
    again = Update(
        channel="webchat",
        bot="shop",
        chat_id=row.chat_id,
        user_id=row.user_id,
        update_id=result_update_id(row.id),
        kind="event",
        payload="call:crm.order",
        raw={"call": {"call_id": row.id, "tag": "crm.order", "ok": True, "body": {"number": "X"}}},
    )
    assert await system.ingest.store([again]) == [False]
    later = await shop.chat.say("thanks", expect=1)
    assert [r["text"] for r in later] == ["You said thanks."]
    async with system.sessions() as session:
        results = list(
            await session.scalars(
                select(InboundUpdate.update_id).where(InboundUpdate.update_id.like("call:%"))
            )
        )
    assert results == [result_update_id(row.id)]
    assert [r["text"] for r in shop.chat.received].count(
        "Order CRM-1001 is placed (attempt 1)."
    ) == 1
    assert replies[0]["text"] == "Placing your order..."


async def test_two_call_runners_never_take_the_same_call(make_settings, database_url) -> None:
    """Each runner asks for 15 of 20 due calls at once: every call is taken exactly once."""
    settings = make_settings(database_url, call_concurrency=50)
    update = Update(channel="webchat", bot="shop", chat_id="c1", user_id="u1", update_id="1")
    calls = [
        PendingCall(id=f"call-{n}", tag="crm.order", request=HttpCall("GET", "http://x.invalid"))
        for n in range(20)
    ]
    async with open_store(settings) as sessions:
        async with sessions() as session, session.begin():
            await record_calls(session, call_rows(update, calls))

        async def nothing(updates: object) -> list[bool]:
            return []

        runners = [
            CallRunner(settings=settings, sessions=sessions, bots={}, tasks={}, deliver=nothing)
            for _ in range(2)
        ]
        first, second = await asyncio.gather(*(runner._claim(15) for runner in runners))
    taken = [row.id for row in first] + [row.id for row in second]
    assert len(taken) == len(set(taken)) == 20


async def test_a_result_leaves_the_persons_chat_row_as_it_was(shop: Shop) -> None:
    await shop.chat.say("/order socks", expect=2)
    system = shop.server.system
    assert system is not None
    (row,) = await shop.calls()
    async with system.sessions() as session:
        (chat,) = list(await session.scalars(select(Chat)))
        result_stored = await session.scalar(
            select(InboundUpdate.received_at).where(
                InboundUpdate.update_id == result_update_id(row.id)
            )
        )
    assert chat.user_id == row.user_id
    assert result_stored is not None
    # Last seen when the order came in: before its call's result was even stored.
    assert chat.last_seen.timestamp() < result_stored
