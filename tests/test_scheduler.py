"""Periodic jobs run once per due time, however many scheduler processes share the database."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from relaybot.config import BotConfig
from relaybot.core.clock import ManualClock
from relaybot.core.types import Address, decode_message
from relaybot.runtime.lease import LeaseStore
from relaybot.runtime.scheduler import Job, JobContext, Scheduler
from relaybot.store import migrate
from relaybot.store.db import create_engine, session_maker
from relaybot.store.models import OutboxMessage

BOTS = {"desk": BotConfig(name="desk", app="orders", channel="webchat")}


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield session_maker(engine)
    await engine.dispose()


def schedulers(make_settings, database_url, sessions, clock, jobs, count=2):
    settings = make_settings(database_url, scheduler_lease_seconds=15)
    return [
        Scheduler(
            settings=settings,
            sessions=sessions,
            jobs=jobs,
            bots=BOTS,
            clock=clock,
            holder=f"process-{n}",
        )
        for n in range(count)
    ]


async def test_one_process_leads_and_another_takes_over_when_its_lease_runs_out(sessions):
    leases = LeaseStore(sessions)
    clock = ManualClock()
    assert await leases.acquire("scheduler", "a", ttl=10, now=clock.now())
    assert not await leases.acquire("scheduler", "b", ttl=10, now=clock.now())
    clock.advance(5)
    assert await leases.acquire("scheduler", "a", ttl=10, now=clock.now())  # renewed
    clock.advance(9)
    assert not await leases.acquire("scheduler", "b", ttl=10, now=clock.now())
    clock.advance(2)  # a stopped renewing 11 s ago: its lease has run out
    assert await leases.acquire("scheduler", "b", ttl=10, now=clock.now())
    assert await leases.holder("scheduler", now=clock.now()) == "b"
    await leases.release("scheduler", "a")  # not a's any more: nothing happens
    assert await leases.holder("scheduler", now=clock.now()) == "b"
    await leases.release("scheduler", "b")
    assert await leases.acquire("scheduler", "a", ttl=10, now=clock.now())


async def test_an_interval_job_runs_once_per_interval_with_two_schedulers(
    make_settings, database_url, sessions
):
    runs: list[datetime] = []

    async def count(ctx: JobContext) -> None:
        runs.append(ctx.now)

    clock = ManualClock(start=1_700_000_000.0)
    first, second = schedulers(
        make_settings, database_url, sessions, clock, [Job("count", count, every=30)]
    )
    for _ in range(9):  # ticks at 0, 10, ... 80 s, both processes at the same moments
        await asyncio.gather(first.tick(), second.tick())
        clock.advance(10)
    assert len(runs) == 3
    assert [int(r.timestamp()) - 1_700_000_000 for r in runs] == [0, 30, 60]
    assert first.is_leader != second.is_leader


async def test_two_leaders_at_once_still_run_a_due_job_once(make_settings, database_url, sessions):
    """A leader change in the middle of a run: both processes believe they lead for a moment."""
    runs: list[str] = []

    async def slow(ctx: JobContext) -> None:
        runs.append("run")
        await asyncio.sleep(0.05)

    clock = ManualClock()
    jobs = [Job("slow", slow, every=60)]
    first, second = schedulers(make_settings, database_url, sessions, clock, jobs)
    results = await asyncio.gather(
        first.run_job(jobs[0], clock.now()), second.run_job(jobs[0], clock.now())
    )
    assert sorted(results) == [False, True]
    assert runs == ["run"]


async def test_the_standby_process_takes_over_when_the_leader_stops(
    make_settings, database_url, sessions
):
    runs: list[str] = []

    async def job(ctx: JobContext) -> None:
        runs.append("run")

    clock = ManualClock()
    first, second = schedulers(
        make_settings, database_url, sessions, clock, [Job("job", job, every=5)]
    )
    assert await first.tick() == ["job"]
    assert await second.tick() == []
    stop = asyncio.Event()
    stop.set()
    await first.run(stop)  # a stopping leader hands its lease back
    assert not first.is_leader
    clock.advance(5)
    assert await second.tick() == ["job"]
    assert second.is_leader and runs == ["run", "run"]


async def test_a_failing_job_is_logged_and_runs_again_on_the_next_tick(
    make_settings, database_url, sessions
):
    attempts: list[int] = []

    async def flaky(ctx: JobContext) -> None:
        attempts.append(len(attempts))
        ctx.send(Address("desk", "42"), f"attempt {len(attempts)}")
        if len(attempts) == 1:
            raise ConnectionError("the mail server hung up")

    clock = ManualClock()
    (scheduler,) = schedulers(
        make_settings, database_url, sessions, clock, [Job("flaky", flaky, every=60)], count=1
    )
    with capture_logs() as logs:
        assert await scheduler.tick() == []
    failure = [e for e in logs if e["log_level"] == "error"]
    assert failure and "runs again on the next tick" in failure[0]["event"]
    clock.advance(1)
    assert await scheduler.tick() == ["flaky"]
    clock.advance(1)
    assert await scheduler.tick() == []  # succeeded: next run only in 60 s
    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    # the failed attempt's message was rolled back with it
    assert [decode_message(r.payload).text for r in rows] == ["attempt 2"]
    assert rows[0].chat_id == "42" and rows[0].bot == "desk"


async def test_a_cron_job_waits_for_its_time_in_its_timezone(make_settings, database_url, sessions):
    runs: list[datetime] = []

    async def nightly(ctx: JobContext) -> None:
        runs.append(ctx.now)

    # 02:50 in Bishkek (UTC+6) is 20:50 UTC the day before.
    start = datetime(2026, 3, 9, 20, 50, tzinfo=UTC).timestamp()
    clock = ManualClock(start=start)
    job = Job("nightly", nightly, cron="0 3 * * *", timezone="Asia/Bishkek")
    (scheduler,) = schedulers(make_settings, database_url, sessions, clock, [job], count=1)
    assert await scheduler.tick() == []
    clock.advance(9 * 60)
    assert await scheduler.tick() == []
    clock.advance(60)
    assert await scheduler.tick() == ["nightly"]
    clock.advance(3600)
    assert await scheduler.tick() == []
    clock.advance(23 * 3600)
    assert await scheduler.tick() == ["nightly"]
    assert [r.strftime("%m-%d %H:%M") for r in runs] == ["03-09 21:00", "03-10 21:00"]


async def test_messages_of_a_job_are_written_to_the_outbox_at_their_time(
    make_settings, database_url, sessions
):
    async def remind(ctx: JobContext) -> None:
        ctx.send(Address("desk", "7"), "now")
        ctx.send(Address("desk", "8"), "later", not_before=ctx.now.timestamp() + 60)

    clock = ManualClock()
    (scheduler,) = schedulers(
        make_settings, database_url, sessions, clock, [Job("remind", remind, every=3600)], count=1
    )
    await scheduler.tick()
    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id)))
    now, later = rows
    assert abs(now.next_attempt_at - time.time()) < 5
    assert later.next_attempt_at == pytest.approx(clock.now() + 60, abs=0.001)


def test_a_badly_declared_job_is_refused_with_its_name():
    async def noop(ctx: JobContext) -> None:
        return None

    with pytest.raises(ValueError, match="'tick': give exactly one of"):
        Job("tick", noop)
    with pytest.raises(ValueError, match="'tick': 'every minute' is not a valid cron line"):
        Job("tick", noop, cron="every minute")
    with pytest.raises(ValueError, match="every= must be positive"):
        Job("tick", noop, every=0)
    with pytest.raises(ValueError, match="job name 'Tick Tock'"):
        Job("Tick Tock", noop, every=1)
    with pytest.raises(ValueError, match="must be unique: tick"):
        Scheduler(
            settings=None,  # type: ignore[arg-type]
            sessions=None,  # type: ignore[arg-type]
            jobs=[Job("tick", noop, every=1), Job("tick", noop, every=2)],
            bots={},
        )
