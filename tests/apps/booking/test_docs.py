"""The REST examples of docs/apps/booking.md, sent as written to the test studio (world.py):
each gets the status the document shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from relaybot.apps.booking.models import Booking, User
from tests.apps.booking.rest import rest_of
from tests.apps.booking.world import make_world

DOC = Path(__file__).resolve().parents[3] / "docs" / "apps" / "booking.md"
BLOCK = re.compile(r"```http\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str, str, Any, int]]:
    """(who, method, path, body, status) of every ```http block, in order."""
    found = []
    for block in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        request, _, response = block.partition("\nHTTP/1.1 ")
        head, _, body = request.strip().partition("\n\n")
        lines = head.splitlines()
        method, path, _version = lines[0].split(" ")
        who = next((line.split("$")[1] for line in lines if line.startswith("Authorization:")), "")
        payload = json.loads(body) if body.strip() else None
        found.append((who, method, path, payload, int(response.split(" ")[0])))
    return found


def code_sent(world: Any) -> str:
    found = re.search(r"code: (\d{6})", world.aigul_chat.received[-1].text)
    assert found is not None
    return found.group(1)


def test_the_document_has_rest_examples():
    assert len(examples()) >= 5


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url, default_locale="en"))
    await built.client("dana", name="Dana").say("hi")
    async with built.system.sessions() as session, session.begin():
        await session.execute(
            update(User).where(User.chat_id == "aigul").values(username="aigul_k")
        )
    yield built
    await built.system.close()


async def test_the_rest_examples_answer_as_documented(world):
    async with rest_of(world) as rest:
        rest.sign_in("ADMIN", world.admin_user, "admin")
        rest.sign_in("CLIENT", await world.user_id(world.client("dana")), "client")
        asked: dict[str, Any] = {}
        for who, method, path, body, status in examples():
            if path.endswith("/sign-in/verify"):  # the request id and code the chat received
                body = {"request_id": asked["request_id"], "code": code_sent(world)}
            answer = await rest.call(who, method, path.removeprefix("/api/booking"), body)
            assert answer.status_code == status, (method, path, answer.text)
            if path.endswith("/sign-in"):
                asked = answer.json()
                await world.driver.collect()
    [booking] = await world.bookings()
    assert isinstance(booking, Booking) and booking.starts_at.isoformat() == (
        "2031-03-10T09:00:00+00:00"
    )
