"""Signing in by a one-time code sent to the chat already linked to the account: the happy
path, wrong codes, expiry, the attempt limit, a replayed code, somebody else's phone, and the
limits per person and per address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from relaybot.apps.booking.models import User
from relaybot.store.models import AuditEntry
from relaybot.store.sign_in import SignInCode
from tests.apps.booking.rest import Rest, rest_of
from tests.apps.booking.world import make_world

DANA_PHONE = "+996555123456"


@pytest.fixture
async def rest(make_settings, sqlite_url):
    world = await make_world(make_settings(sqlite_url, default_locale="en", jwt_secret="j" * 40))
    for chat in (world.client("dana", name="Dana"), world.client("erlan", name="Erlan")):
        await chat.say("hi")
    async with world.system.sessions() as session, session.begin():
        await session.execute(update(User).where(User.chat_id == "dana").values(phone=DANA_PHONE))
        await session.execute(
            update(User).where(User.chat_id == "aigul").values(username="aigul_k")
        )
    async with rest_of(world) as rest:
        yield rest
    await world.system.close()


async def ask(rest: Rest, **who: str) -> tuple[int, int, str | None]:
    """(status, request id, the code that reached Dana's or Aigul's chat, if any)."""
    answer = await rest.http.post("/api/booking/sign-in", json=who)
    fresh = await rest.world.driver.collect()
    codes = [re.search(r"code: (\d{6})", m.text) for m in fresh]
    found = next((c.group(1) for c in codes if c is not None), None)
    body = answer.json()
    return answer.status_code, body.get("request_id", 0), found


async def verify(rest: Rest, request_id: int, code: str) -> tuple[int, dict]:
    answer = await rest.http.post(
        "/api/booking/sign-in/verify", json={"request_id": request_id, "code": code}
    )
    return answer.status_code, answer.json()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_a_client_signs_in_with_a_code_sent_to_their_chat_and_sees_their_bookings(rest):
    world = rest.world
    dana_id = await world.user_id(world.client("dana"))
    await world.book(dana_id, world.aigul, world.haircut, "10:00")

    status, request_id, code = await ask(rest, phone="+996 555 123-456")
    assert status == 202 and code is not None
    [message] = world.client("dana").received[-1:]
    assert message.text.startswith(f"Your sign-in code: {code}. It is valid for 5 minutes.")
    status, token = await verify(rest, request_id, code)
    assert status == 200 and (token["role"], token["user_id"]) == ("client", dana_id)

    headers = {"Authorization": f"Bearer {token['access_token']}"}
    mine = await rest.http.get("/api/booking/bookings", headers=headers)
    assert [b["client_name"] for b in mine.json()["items"]] == ["Dana"]

    async with world.system.sessions() as session:
        stored = list(await session.scalars(select(SignInCode)))
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("booking.sign_in%"))
            )
        )
    assert code not in stored[0].code_hash and len(stored[0].code_hash) == 64  # only an HMAC
    assert actions == ["booking.sign_in.request", "booking.sign_in.ok"]


async def test_staff_get_their_rest_token_by_telegram_username(rest):
    status, request_id, code = await ask(rest, username="@Aigul_K")
    assert status == 202 and code is not None
    assert rest.world.aigul_chat.received[-1].text.startswith("Your sign-in code:")
    status, token = await verify(rest, request_id, code)
    assert status == 200 and token["role"] == "specialist"


async def test_wrong_codes_count_and_the_fifth_retires_the_code(rest):
    _, request_id, code = await ask(rest, phone=DANA_PHONE)
    assert code is not None
    for _ in range(5):
        status, body = await verify(rest, request_id, wrong(code))
        assert status == 401 and "wrong, expired or used up" in body["detail"]
    status, _ = await verify(rest, request_id, code)
    assert status == 401  # even the right code: the attempts are used up
    _, again, fresh = await ask(rest, phone=DANA_PHONE)
    assert fresh is not None and (await verify(rest, again, fresh))[0] == 200


async def test_a_code_works_once_and_only_for_five_minutes(rest):
    _, request_id, code = await ask(rest, phone=DANA_PHONE)
    assert code is not None
    assert (await verify(rest, request_id, code))[0] == 200
    assert (await verify(rest, request_id, code))[0] == 401  # replayed

    _, request_id, code = await ask(rest, phone=DANA_PHONE)
    assert code is not None
    async with rest.world.system.sessions() as session, session.begin():
        row = await session.get(SignInCode, request_id)
        assert row is not None
        assert row.expires_at - row.created_at == timedelta(minutes=5)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert (await verify(rest, request_id, code))[0] == 401


async def test_a_newer_code_retires_the_older_one(rest):
    _, older, older_code = await ask(rest, phone=DANA_PHONE)
    _, newer, newer_code = await ask(rest, phone=DANA_PHONE)
    assert older_code is not None and newer_code is not None
    assert (await verify(rest, older, older_code))[0] == 401  # a newer code retires it
    assert (await verify(rest, newer, newer_code))[0] == 200


async def test_someone_elses_phone_sends_them_the_code_and_an_unknown_one_looks_the_same(rest):
    world = rest.world
    erlan = world.client("erlan")
    heard = len(erlan.received)
    status, request_id, code = await ask(rest, phone=DANA_PHONE)  # Erlan types Dana's phone
    assert status == 202 and code is not None
    assert len(erlan.received) == heard  # the code went to Dana's chat, not to the asker
    guesses = [(await verify(rest, request_id, wrong(code)))[0] for _ in range(5)]
    assert guesses == [401] * 5  # guessing for somebody else's code ends in five tries
    assert (await verify(rest, request_id, code))[0] == 401

    status, unknown, nothing = await ask(rest, phone="+996700000000")
    assert status == 202 and unknown > 0 and nothing is None
    assert (await verify(rest, unknown, "000000"))[0] == 401


async def test_codes_are_limited_per_person_and_per_address(rest):
    sent = [await ask(rest, phone=DANA_PHONE) for _ in range(3)]
    assert [s[0] for s in sent] == [202, 202, 202]
    status, _, code = await ask(rest, phone=DANA_PHONE)
    assert status == 429 and code is None
    others = [(await ask(rest, phone=f"+99670000000{n}"))[0] for n in range(7)]
    assert others == [202] * 7  # ten in all from this address
    assert (await ask(rest, username="aigul_k"))[0] == 429


async def test_bad_sign_in_requests_are_refused_with_the_field_named(rest):
    for body, field in (
        ({}, "phone"),
        ({"phone": DANA_PHONE, "username": "aigul_k"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"username": "a b"}, "username"),
    ):
        answer = await rest.http.post("/api/booking/sign-in", json=body)
        assert answer.status_code == 422, body
        assert field in [item["loc"][-1] for item in answer.json()["detail"]]
    bad = await rest.http.post(
        "/api/booking/sign-in/verify", json={"request_id": 1, "code": "12345"}
    )
    assert bad.status_code == 422
