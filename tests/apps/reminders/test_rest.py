"""The constructor over REST with real tokens: register, sign in, create a bot with its first
job, read, change and delete it; bad tokens, other people's bots and broken fields."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from relaybot.apps.reminders.models import ReminderBot, ReminderJob
from relaybot.config import Settings
from relaybot.security.access import AccessTokens
from relaybot.store import bots as bots_store
from relaybot.testing import RelaybotServer

from .rest import API, JWT_SECRET, Person, a_job, field_of
from .world import RELAY, reminder_settings


@pytest.fixture
async def server(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> AsyncIterator[RelaybotServer]:
    settings = reminder_settings(
        make_settings, sqlite_url, jwt_secret=JWT_SECRET, default_locale="en"
    )
    async with RelaybotServer(settings) as running:
        yield running


@pytest.fixture
async def http(server: RelaybotServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


async def counts(server: RelaybotServer) -> tuple[int, int]:
    assert server.system is not None
    async with server.system.sessions() as session:
        bots = await session.scalar(select(func.count()).select_from(ReminderBot))
        jobs = await session.scalar(select(func.count()).select_from(ReminderJob))
    return int(bots or 0), int(jobs or 0)


async def test_a_person_builds_a_reminder_bot_reads_changes_and_deletes_it(
    server: RelaybotServer, http: httpx.AsyncClient
) -> None:
    aigul = await Person.registered(http, "aigul")
    created = await aigul.post("/bots", {"name": "Office", "via": RELAY, "job": a_job()})
    assert created.status_code == 201, created.text
    bot = created.json()
    [job] = bot["jobs"]
    assert (bot["name"], bot["via"], bot["owner"]) == ("Office", RELAY, "aigul")
    assert job["schedule"] == "at 09:00 on Monday to Friday, Asia/Bishkek"
    assert len(job["next_runs"]) == 3 and all(r.endswith("+06:00") for r in job["next_runs"])
    assert all(r[11:16] == "09:00" for r in job["next_runs"])
    assert job["active"] is True and job["last_run"] is None

    added = await aigul.post(
        f"/bots/{bot['id']}/jobs",
        a_job(short_name="lunch", text="Lunch!", cron="30 12 * * *", missed="skip"),
    )
    assert added.status_code == 201, added.text
    lunch = added.json()
    assert lunch["schedule"] == "at 12:30 every day, Asia/Bishkek"

    listed = (await aigul.get(f"/bots/{bot['id']}/jobs")).json()
    assert [(j["short_name"], j["active"]) for j in listed] == [("standup", True), ("lunch", True)]

    off = await aigul.patch(f"/bots/{bot['id']}/jobs/{lunch['id']}", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert off.json()["next_runs"] == []
    changed = await aigul.patch(
        f"/bots/{bot['id']}/jobs/{job['id']}",
        {"text": "Stand-up now", "cron": "0 10 * * 1", "timezone": "Europe/Berlin"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["text"] == "Stand-up now"
    assert changed.json()["schedule"] == "at 10:00 on Monday, Europe/Berlin"

    # The engine posts it once its time comes; the run shows in the history and on the bot.
    assert server.system is not None
    scheduler = server.system.scheduler()
    [engine] = [j for j in scheduler.jobs if j.name == "reminders.engine"]
    async with server.system.sessions() as session:
        row = await session.get(ReminderJob, job["id"])
        assert row is not None and row.next_due_at is not None
        due = row.next_due_at
    assert await scheduler.run_job(engine, due + 1)
    runs = (await aigul.get(f"/bots/{bot['id']}/jobs/{job['id']}/runs")).json()
    assert [r["result"] for r in runs] == ["sent"]
    read = (await aigul.get(f"/bots/{bot['id']}")).json()
    assert read["jobs"][0]["last_run"]["result"] == "sent"

    assert (await aigul.delete(f"/bots/{bot['id']}")).status_code == 204
    assert (await aigul.get(f"/bots/{bot['id']}")).status_code == 404
    assert await counts(server) == (0, 0)


async def test_broken_fields_are_refused_naming_the_field_and_nothing_is_created(
    server: RelaybotServer, http: httpx.AsyncClient
) -> None:
    aigul = await Person.registered(http, "aigul")
    for job, field in (
        (a_job(cron="0 25 * * *"), "cron"),
        (a_job(cron="every morning"), "cron"),
        (a_job(timezone="Asia/Atlantis"), "timezone"),
        (a_job(timezone="+06:00"), "timezone"),
    ):
        answer = await aigul.post("/bots", {"name": "Office", "via": RELAY, "job": job})
        assert field_of(answer) == ["body", field], answer.text
    blank = await aigul.post("/bots", {"name": "Office", "via": RELAY, "job": a_job(text="   ")})
    assert field_of(blank) == ["body", "job", "text"]
    empty = await aigul.post("/bots", {"name": "Office", "via": RELAY, "job": a_job(text="")})
    assert field_of(empty) == ["body", "job", "text"]
    unknown = await aigul.post("/bots", {"name": "Office", "via": "nobody", "job": a_job()})
    assert field_of(unknown) == ["body", "via"]
    assert await counts(server) == (0, 0)

    bot = (await aigul.post("/bots", {"name": "Office", "via": RELAY, "job": a_job()})).json()
    twice = await aigul.post(f"/bots/{bot['id']}/jobs", a_job(text="again"))
    assert field_of(twice) == ["body", "short_name"]
    same_bot = await aigul.post("/bots", {"name": "Office", "via": RELAY, "job": a_job()})
    assert field_of(same_bot) == ["body", "name"]
    bad_change = await aigul.patch(
        f"/bots/{bot['id']}/jobs/{bot['jobs'][0]['id']}", {"cron": "* * *"}
    )
    assert field_of(bad_change) == ["body", "cron"]
    assert await counts(server) == (1, 1)
    unchanged = (await aigul.get(f"/bots/{bot['id']}")).json()["jobs"][0]
    assert unchanged["cron"] == "0 9 * * 1-5"


async def test_registration_rules_and_sign_in_refusals(http: httpx.AsyncClient) -> None:
    answer = await http.post(f"{API}/users", json={"login": "aigul", "password": "short"})
    assert field_of(answer) == ["body", "password"]
    answer = await http.post(f"{API}/users", json={"login": "Aigul!", "password": "long enough pw"})
    assert field_of(answer) == ["body", "login"]
    await Person.registered(http, "aigul")
    taken = await http.post(f"{API}/users", json={"login": "aigul", "password": "another pass"})
    assert taken.status_code == 409
    wrong = await http.post(f"{API}/token", json={"login": "aigul", "password": "not it at all"})
    assert wrong.status_code == 401
    nobody = await http.post(f"{API}/token", json={"login": "nobody", "password": "not it at all"})
    assert nobody.status_code == 401


async def test_another_persons_bot_is_not_found_and_an_admin_sees_every_bot(
    server: RelaybotServer, http: httpx.AsyncClient
) -> None:
    aigul = await Person.registered(http, "aigul")
    bakyt = await Person.registered(http, "bakyt")
    bot = (await aigul.post("/bots", {"name": "Office", "via": RELAY, "job": a_job()})).json()
    job_id = bot["jobs"][0]["id"]
    for answer in (
        await bakyt.get(f"/bots/{bot['id']}"),
        await bakyt.get(f"/bots/{bot['id']}/jobs"),
        await bakyt.post(f"/bots/{bot['id']}/jobs", a_job(short_name="mine")),
        await bakyt.patch(f"/bots/{bot['id']}/jobs/{job_id}", {"active": False}),
        await bakyt.get(f"/bots/{bot['id']}/jobs/{job_id}/runs"),
        await bakyt.delete(f"/bots/{bot['id']}"),
    ):
        assert answer.status_code == 404, answer.text
    assert (await bakyt.get("/bots")).json() == []
    assert await counts(server) == (1, 1)
    assert (await aigul.get(f"/bots/{bot['id']}")).json()["jobs"][0]["active"] is True

    assert server.system is not None
    async with server.system.sessions() as session, session.begin():
        from relaybot.apps.reminders.models import Account

        account = await session.scalar(select(Account).where(Account.login == "bakyt"))
        assert account is not None
        account.role = "admin"
    await bakyt.sign_in()
    assert [b["name"] for b in (await bakyt.get("/bots")).json()] == ["Office"]
    assert (await bakyt.get(f"/bots/{bot['id']}")).status_code == 200


async def test_expired_forged_foreign_and_unsigned_tokens_are_refused(
    server: RelaybotServer, http: httpx.AsyncClient
) -> None:
    aigul = await Person.registered(http, "aigul")
    assert (await aigul.get("/bots")).status_code == 200
    claims = jwt.decode(aigul.access, options={"verify_signature": False})
    settings = server.settings
    expired = AccessTokens(
        JWT_SECRET,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=60,
        clock=lambda: time.time() - 3600,
    ).issue(claims["sub"], role="user", extra={"ver": claims["ver"]})
    forged = AccessTokens(
        "someone-elses-secret-" + "x" * 32,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    ).issue(claims["sub"], role="admin", extra={"ver": claims["ver"]})
    foreign = AccessTokens(
        JWT_SECRET, issuer=settings.jwt_issuer, audience="another-service"
    ).issue(claims["sub"], role="user", extra={"ver": claims["ver"]})
    unsigned = jwt.encode({**claims, "role": "admin"}, key=None, algorithm="none")
    for token in (expired, forged, foreign, unsigned, "not a token"):
        answer = await http.get(f"{API}/bots", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token
    assert (await http.get(f"{API}/bots")).status_code == 401


async def test_refresh_tokens_rotate_and_a_password_change_revokes_every_token(
    http: httpx.AsyncClient,
) -> None:
    aigul = await Person.registered(http, "aigul")
    first = aigul.refresh
    rotated = await http.post(f"{API}/token/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first
    # The spent token offered again: refused, and its family (the new one too) is revoked.
    replay = await http.post(f"{API}/token/refresh", json={"refresh_token": first})
    assert replay.status_code == 401
    after = await http.post(f"{API}/token/refresh", json={"refresh_token": second})
    assert after.status_code == 401

    await aigul.sign_in()
    old_access, old_refresh = aigul.access, aigul.refresh
    wrong = await aigul.http.put(
        f"{API}/me/password",
        json={"old_password": "not the password", "new_password": "a brand new password"},
        headers=aigul.headers(),
    )
    assert field_of(wrong) == ["body", "old_password"]
    changed = await aigul.http.put(
        f"{API}/me/password",
        json={"old_password": aigul.password, "new_password": "a brand new password"},
        headers=aigul.headers(),
    )
    assert changed.status_code == 204, changed.text
    assert (await aigul.get("/bots")).status_code == 401
    stale = await http.post(f"{API}/token/refresh", json={"refresh_token": old_refresh})
    assert stale.status_code == 401
    aigul.password = "a brand new password"
    await aigul.sign_in()
    assert aigul.access != old_access
    assert (await aigul.get("/bots")).status_code == 200


async def test_a_bot_of_the_registry_running_the_app_is_a_relay_too(
    server: RelaybotServer, http: httpx.AsyncClient
) -> None:
    assert server.system is not None
    await bots_store.insert(
        server.system.sessions,
        {"name": "ops-reminders", "app": "reminders", "channel": "webchat", "enabled": True},
        actor="test",
        channel="cli",
    )
    aigul = await Person.registered(http, "aigul")
    made = await aigul.post("/bots", {"name": "Ops", "via": "ops-reminders", "job": a_job()})
    assert made.status_code == 201, made.text
    assert made.json()["via"] == "ops-reminders"


async def test_guessing_passwords_is_answered_429_after_a_few_tries(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    settings = reminder_settings(
        make_settings, sqlite_url, jwt_secret=JWT_SECRET, auth_failures_per_minute=3
    )
    async with (
        RelaybotServer(settings) as running,
        httpx.AsyncClient(base_url=running.url, timeout=30) as http,
    ):
        aigul = await Person.registered(http, "aigul")
        guesses = [
            (
                await http.post(f"{API}/token", json={"login": "aigul", "password": f"guess {n}"})
            ).status_code
            for n in range(4)
        ]
        assert guesses == [401, 401, 401, 429]
        right = await http.post(f"{API}/token", json={"login": "aigul", "password": aigul.password})
        assert right.status_code == 429
