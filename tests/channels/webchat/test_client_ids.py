"""A message the page sends again (its answer was lost on the way) counts once; a message
without a usable client id is refused with a reason."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from relaybot.store.models import InboundUpdate, WebchatMessage
from relaybot.testing import RelaybotServer, WebchatClient


async def test_the_same_client_id_posted_twice_is_one_update_and_one_answer(
    make_settings, sqlite_url
):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            first = await chat.post("hello", msg_id="retry-me-1")
            answers = await chat.replies(0, expect=2)
            again = await chat.post("hello", msg_id="retry-me-1")
            after_repeat = await chat.replies(len(chat.received), expect=0, quiet=1.5)
            history = await chat.history()

        assert server.system is not None
        async with server.system.sessions() as session:
            queued = await session.scalar(select(func.count()).select_from(InboundUpdate))
    assert first.json() == {"accepted": True, "duplicate": False}
    assert again.status_code == 202
    assert again.json() == {"accepted": False, "duplicate": True}
    assert queued == 1, "the repeat was dropped before the queue"
    assert "deliver" in answers[-1]["text"]
    assert after_repeat == [], "the repeat got no second answer"
    sent = [m for m in history if m["direction"] == "in"]
    assert [(m["text"], m["client_id"]) for m in sent] == [("hello", "retry-me-1")]


async def test_a_button_pressed_twice_with_one_client_id_counts_once(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hello", expect=2)
            await chat.say("Bishkek, Chui avenue 120, apt 5")
            await chat.say("0555 123 456")
            await chat.say("3")
            yes = next(b for row in chat.received[-1]["buttons"] for b in row if b["text"] == "Yes")
            start = len(chat.received)
            await chat.post("Yes", payload=yes["payload"], msg_id="tap-yes-once")
            await chat.post("Yes", payload=yes["payload"], msg_id="tap-yes-once")
            answers = await chat.replies(start, expect=1, quiet=1.5)
    assert len(answers) == 1 and "order No. 1 is accepted" in answers[0]["text"]


@pytest.mark.parametrize(
    ("client_id", "reason"),
    [
        (None, "the message has no client id: send an `id` of 8 to 64 characters"),
        ("", "the message has no client id"),
        ("x" * 65, "the client id is too long: 65 characters, at most 64"),
        ("short", "the client id is too short: 5 characters, at least 8"),
        ("has spaces in it", "the client id may hold only 8 to 64 characters of A-Z a-z 0-9 _ -"),
        ("../../etc/passwd", "the client id may hold only"),
        (12345678, "the client id must be a string"),
        (["a-list-of", "ids"], "the client id must be a string"),
    ],
)
async def test_a_message_without_a_usable_client_id_is_refused_with_the_reason(
    make_settings, sqlite_url, client_id, reason
):
    async with RelaybotServer(make_settings(sqlite_url), roles=("gateway",)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            await http.get("/")
            body = {"text": "hello"} if client_id is None else {"id": client_id, "text": "hello"}
            refused = await http.post("/chat/api/orders/messages", json=body)
        assert server.system is not None
        async with server.system.sessions() as session:
            queued = await session.scalar(select(func.count()).select_from(InboundUpdate))
            shown = await session.scalar(select(func.count()).select_from(WebchatMessage))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(reason)
    assert queued == 0 and shown == 0, "nothing of the refused message was kept"
