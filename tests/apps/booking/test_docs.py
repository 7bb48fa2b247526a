"""The REST examples of docs/apps/booking.md, sent as written to the test studio (world.py):
each gets the status the document shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from relaybot.apps.booking.models import Booking
from tests.apps.booking.rest import rest_of
from tests.apps.booking.world import make_world

DOC = Path(__file__).resolve().parents[3] / "docs" / "apps" / "booking.md"
BLOCK = re.compile(r"```http\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str, str, object, int]]:
    """(who, method, path, body, status) of every ```http block, in order."""
    found = []
    for block in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        request, _, response = block.partition("\nHTTP/1.1 ")
        head, _, body = request.strip().partition("\n\n")
        lines = head.splitlines()
        method, path, _version = lines[0].split(" ")
        who = next(line.split("$")[1] for line in lines if line.startswith("Authorization:"))
        payload = json.loads(body) if body.strip() else None
        found.append((who, method, path, payload, int(response.split(" ")[0])))
    return found


def test_the_document_has_rest_examples():
    assert len(examples()) >= 5


@pytest.fixture
async def world(make_settings, sqlite_url):
    built = await make_world(make_settings(sqlite_url, default_locale="en"))
    await built.client("dana", name="Dana").say("hi")
    yield built
    await built.system.close()


async def test_the_rest_examples_answer_as_documented(world):
    async with rest_of(world) as rest:
        rest.sign_in("ADMIN", world.admin_user, "admin")
        rest.sign_in("CLIENT", await world.user_id(world.client("dana")), "client")
        for who, method, path, body, status in examples():
            answer = await rest.call(who, method, path.removeprefix("/api/booking"), body)
            assert answer.status_code == status, (method, path, answer.text)
    [booking] = await world.bookings()
    assert isinstance(booking, Booking) and booking.starts_at.isoformat() == (
        "2031-03-10T09:00:00+00:00"
    )
