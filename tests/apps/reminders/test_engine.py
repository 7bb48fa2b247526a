"""The engine on a clock the test moves: cron lines in time zones, a daylight-saving change
in Europe/Berlin, the missed-run policies, a run's record and message written together, and
a target that refuses the bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date

import pytest
from sqlalchemy import text, update

from relaybot.apps.reminders import service
from relaybot.apps.reminders.models import ChatLink
from relaybot.config import Settings
from relaybot.store.models import OutboxMessage
from relaybot.system import System, build_system

from .world import Engine, a_job, an_account, at, job_row, reminder_settings, runs_of


@pytest.fixture
async def system(make_settings: Callable[..., Settings], sqlite_url: str) -> AsyncIterator[System]:
    built = await build_system(reminder_settings(make_settings, sqlite_url, default_locale="en"))
    try:
        yield built
    finally:
        await built.close()


async def test_a_weekday_reminder_posts_at_nine_in_bishkek_once_per_day(system: System) -> None:
    owner = await an_account(system)
    friday_evening = at("2026-12-04T18:00+06:00")
    job = await a_job(system, owner, now=friday_evening)
    engine = Engine.of(system)
    assert await engine.run_at(friday_evening + 1) == []
    # Saturday and Sunday pass; Monday 09:00 Bishkek is 03:00 UTC.
    assert await engine.run_at(at("2026-12-07T08:59:59+06:00")) == []
    monday = at("2026-12-07T09:00+06:00")
    assert await engine.run_at(monday) == [("team", "Stand-up in 10 minutes")]
    assert await engine.run_at(monday + 2) == []  # the same due time never runs twice
    assert await engine.run_at(at("2026-12-08T09:00:30+06:00")) == [
        ("team", "Stand-up in 10 minutes")
    ]
    assert await runs_of(system, job) == [
        ("2026-12-07 03:00", "sent"),
        ("2026-12-08 03:00", "sent"),
    ]


async def test_spring_forward_in_berlin_runs_the_skipped_time_once_after_the_jump(
    system: System,
) -> None:
    owner = await an_account(system)
    job = await a_job(
        system, owner, now=at("2026-03-28T12:00+01:00"), cron="30 2 * * *", timezone="Europe/Berlin"
    )
    engine = Engine.of(system)
    # 29 March 2026: at 02:00 CET the clocks jump to 03:00 CEST; 02:30 never shows.
    assert await engine.run_at(at("2026-03-29T01:59+01:00")) == []
    assert await engine.run_at(at("2026-03-29T03:29+02:00")) == []
    assert await engine.run_at(at("2026-03-29T03:30+02:00")) == [("team", "Stand-up in 10 minutes")]
    assert await engine.run_at(at("2026-03-29T04:30+02:00")) == []
    assert await engine.run_at(at("2026-03-30T02:30+02:00")) == [("team", "Stand-up in 10 minutes")]
    assert await runs_of(system, job) == [
        ("2026-03-29 01:30", "sent"),
        ("2026-03-30 00:30", "sent"),
    ]


async def test_fall_back_in_berlin_runs_the_doubled_time_once(system: System) -> None:
    owner = await an_account(system)
    job = await a_job(
        system, owner, now=at("2026-10-24T12:00+02:00"), cron="30 2 * * *", timezone="Europe/Berlin"
    )
    engine = Engine.of(system)
    # 25 October 2026: at 03:00 CEST the clocks go back to 02:00 CET; 02:30 shows twice.
    assert await engine.run_at(at("2026-10-25T02:30+02:00")) == [("team", "Stand-up in 10 minutes")]
    assert await engine.run_at(at("2026-10-25T02:30+01:00")) == []
    assert await engine.run_at(at("2026-10-25T12:00+01:00")) == []
    assert await engine.run_at(at("2026-10-26T02:30+01:00")) == [("team", "Stand-up in 10 minutes")]
    assert await runs_of(system, job) == [
        ("2026-10-25 00:30", "sent"),
        ("2026-10-26 01:30", "sent"),
    ]


async def test_every_half_hour_through_both_changes_never_doubles_or_skips_a_wall_time(
    system: System,
) -> None:
    owner = await an_account(system)
    job = await a_job(
        system,
        owner,
        now=at("2026-03-29T00:50+01:00"),
        cron="*/30 * * * *",
        timezone="Europe/Berlin",
    )
    engine = Engine.of(system)
    posted = []
    moment = at("2026-03-29T00:50+01:00")
    while moment < at("2026-03-29T05:00+02:00"):
        moment += 60
        posted += await engine.run_at(moment)
    # 01:00, 01:30 CET, then 03:00 (the jump: 02:00 and 02:30 do not exist) ... 05:00 CEST.
    assert len(posted) == 2 + 5
    dues = [d for d, _ in await runs_of(system, job)]
    assert dues == sorted(set(dues))


async def test_runs_missed_while_down_are_posted_once_on_return_or_skipped(
    system: System,
) -> None:
    owner = await an_account(system)
    monday = at("2026-12-07T08:00+06:00")
    once = await a_job(system, owner, now=monday, missed="once", bot="once", target="a")
    skip = await a_job(system, owner, now=monday, missed="skip", bot="skip", target="b")
    engine = Engine.of(system)
    # Everything is down from Monday 08:00 to Thursday 12:00: four 09:00s are missed.
    back = at("2026-12-10T12:00+06:00")
    assert await engine.run_at(back) == [("a", "Stand-up in 10 minutes")]
    assert await runs_of(system, once) == [
        ("2026-12-09 03:00", "skipped"),
        ("2026-12-10 03:00", "sent"),
    ]
    assert await runs_of(system, skip) == [("2026-12-10 03:00", "skipped")]
    # Both go on from the next due time.
    assert sorted(await engine.run_at(at("2026-12-11T09:00+06:00"))) == [
        ("a", "Stand-up in 10 minutes"),
        ("b", "Stand-up in 10 minutes"),
    ]


async def test_a_due_time_a_few_seconds_late_is_on_time_not_missed(system: System) -> None:
    owner = await an_account(system)
    job = await a_job(system, owner, now=at("2026-12-06T12:00+06:00"), missed="skip")
    engine = Engine.of(system)
    assert await engine.run_at(at("2026-12-07T09:04+06:00")) == [("team", "Stand-up in 10 minutes")]
    assert await runs_of(system, job) == [("2026-12-07 03:00", "sent")]


async def test_a_failing_run_leaves_neither_record_nor_message(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await an_account(system)
    job = await a_job(system, owner, now=at("2026-12-06T12:00+06:00"))
    engine = Engine.of(system)
    from relaybot.apps.reminders import engine as engine_module

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store went away mid-run")

    monkeypatch.setattr(engine_module, "_switch_off_refused", broken)
    monday = at("2026-12-07T09:00+06:00")
    assert not await engine.scheduler.run_job(engine.job, monday)
    assert await runs_of(system, job) == []
    assert await engine.driver.collect() == []
    monkeypatch.undo()
    assert await engine.run_at(monday + 5) == [("team", "Stand-up in 10 minutes")]
    assert await runs_of(system, job) == [("2026-12-07 03:00", "sent")]


async def test_a_target_that_refuses_the_bot_switches_its_jobs_off_and_tells_the_owner(
    system: System,
) -> None:
    owner = await an_account(system)
    job = await a_job(system, owner, now=at("2026-12-06T12:00+06:00"), target="gone-channel")
    async with system.sessions() as session, session.begin():
        session.add(
            ChatLink(account_id=owner.account_id, bot="reminders", user_id="aigul", chat_id="aigul")
        )
    engine = Engine.of(system)
    monday = at("2026-12-07T09:00+06:00")
    async with system.sessions() as session, session.begin():
        pass
    assert await engine.scheduler.run_job(engine.job, monday)
    # The channel answers 403: the sender marks the message blocked.
    async with system.sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == "gone-channel")
            .values(status="blocked", last_error="Mattermost refused (403): not a member")
        )
    told = await engine.run_at(monday + 60)
    assert len(told) == 1 and told[0][0] == "aigul"
    assert "standup" in told[0][1] and "switched off" in told[0][1]
    row = await job_row(system, job)
    assert not row.active and row.next_due_at is None
    assert row.off_reason is not None and "403" in row.off_reason
    assert await engine.run_at(at("2026-12-08T09:00+06:00")) == []
    async with system.sessions() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM outbox WHERE chat_id = 'gone-channel'")
        )
    assert count == 1


async def test_a_job_with_an_end_date_runs_through_its_last_day_and_then_switches_off(
    system: System,
) -> None:
    owner = await an_account(system)
    async with system.sessions() as session, session.begin():
        _, job = await service.create_bot(
            session,
            owner,
            "course",
            "reminders",
            service.JobFields(
                "pill",
                "me",
                "Take the pill",
                "0 8 * * *",
                "Asia/Bishkek",
                ends_on=date(2026, 12, 8),
            ),
            relays=["reminders"],
            now=at("2026-12-06T12:00+06:00"),
        )
        job_id = job.id
    engine = Engine.of(system)
    assert await engine.run_at(at("2026-12-07T08:00+06:00")) == [("me", "Take the pill")]
    assert await engine.run_at(at("2026-12-08T08:00+06:00")) == [("me", "Take the pill")]
    row = await job_row(system, job_id)
    assert not row.active and row.next_due_at is None and row.off_reason == "ended"
    assert await engine.run_at(at("2026-12-09T08:00+06:00")) == []


async def test_three_schedulers_ticking_at_once_post_each_due_time_once(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    built = await build_system(reminder_settings(make_settings, database_url))
    try:
        owner = await an_account(built)
        job = await a_job(built, owner, now=at("2026-12-06T12:00+06:00"))
        engines = [Engine.of(built, holder=name) for name in ("a", "b", "c")]
        for moment in (at("2026-12-07T09:00+06:00"), at("2026-12-08T09:00:01+06:00")):
            ran = await asyncio.gather(*(e.scheduler.run_job(e.job, moment) for e in engines))
            assert sum(ran) == 1, ran
        assert await runs_of(built, job) == [
            ("2026-12-07 03:00", "sent"),
            ("2026-12-08 03:00", "sent"),
        ]
        assert len(await engines[0].driver.collect()) == 2
    finally:
        await built.close()
