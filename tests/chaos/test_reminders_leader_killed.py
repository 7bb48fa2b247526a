"""Three `relaybot scheduler` processes run the reminders engine on PostgreSQL; whichever
leads is killed with SIGKILL, again and again, while hundreds of reminders come due. Every
due time of every job is then posted exactly once: each job's runs form an unbroken chain of
its cron's due times (none lost, none twice), and the outbox holds one message per run."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from relaybot.apps.reminders.models import Account, ReminderBot, ReminderJob, ReminderRun
from relaybot.apps.reminders.schedule import next_after
from relaybot.runtime.scheduler import LEADER_LEASE
from relaybot.store.db import create_engine, session_maker
from relaybot.store.models import Lease, OutboxMessage
from relaybot.testing.processes import RelaybotProcess, relaybot_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

JOBS = 300
SPREAD = 12.0  # the first due times are spread over this many seconds
KILLS = 3


async def test_the_leader_killed_mid_run_loses_and_doubles_no_reminder(
    tmp_path: Path, postgres_url: str
) -> None:
    env = relaybot_env(
        {
            "RELAYBOT_DATABASE_URL": postgres_url,
            "RELAYBOT_DATABASE_POOL_SIZE": "3",
            "RELAYBOT_BOTS": json.dumps([{"name": "reminders", "app": "reminders"}]),
            "RELAYBOT_WEBCHAT_FOR_BUNDLED_APPS": "false",
            "RELAYBOT_SCHEDULER_TICK_SECONDS": "0.1",
            "RELAYBOT_SCHEDULER_LEASE_SECONDS": "1.5",
            "RELAYBOT_LOG_LEVEL": "warning",
        }
    )
    migrate = RelaybotProcess(["migrate"], env=env, workdir=tmp_path, name="migrate")
    await migrate.start()
    assert migrate.process is not None and await migrate.process.wait() == 0, migrate.tail()

    engine = create_engine(postgres_url, pool_size=2)
    sessions = session_maker(engine)
    start = time.time() + 3
    async with sessions() as session, session.begin():
        account = Account(login="chaos", password_hash=None, role="user", token_version=1)
        session.add(account)
        await session.flush()
        bot = ReminderBot(owner_id=account.id, name="chaos", via="reminders")
        session.add(bot)
        await session.flush()
        for i in range(JOBS):
            session.add(
                ReminderJob(
                    bot_id=bot.id,
                    short_name=f"job{i}",
                    target=f"chat{i}",
                    text=f"reminder {i}",
                    cron="* * * * *",
                    timezone="UTC",
                    active=True,
                    missed="once",
                    next_due_at=start + SPREAD * i / JOBS,
                )
            )
    first_due = {f"chat{i}": start + SPREAD * i / JOBS for i in range(JOBS)}

    spawned = 0

    def new_scheduler() -> RelaybotProcess:
        nonlocal spawned
        spawned += 1
        return RelaybotProcess(["scheduler"], env=env, workdir=tmp_path, name=f"scheduler{spawned}")

    schedulers = [new_scheduler() for _ in range(3)]
    for process in schedulers:
        await process.start()

    async def leader() -> RelaybotProcess | None:
        async with sessions() as session:
            lease = await session.get(Lease, LEADER_LEASE)
        if lease is None or lease.expires_at <= time.time():
            return None
        pid = lease.holder.split(":")[1]
        for process in schedulers:
            if process.alive and process.process and str(process.process.pid) == pid:
                return process
        return None

    try:
        kills = 0
        while kills < KILLS:
            await asyncio.sleep(1.0 + kills)
            leading = await leader()
            if leading is None:
                continue
            await leading.kill()
            kills += 1
            replacement = new_scheduler()
            schedulers.append(replacement)
            await replacement.start()
        # Wait until every first due time has run and the engine has caught up.
        deadline = time.time() + 60
        while time.time() < deadline:
            async with sessions() as session:
                behind = await session.scalar(
                    select(func.count())
                    .select_from(ReminderJob)
                    .where(ReminderJob.next_due_at <= time.time() - 1)
                )
            if behind == 0 and time.time() > start + SPREAD + 2:
                break
            await asyncio.sleep(0.5)
    finally:
        for process in schedulers:
            await process.stop()
    logs = "\n".join(p.tail(10) for p in schedulers)

    async with sessions() as session:
        jobs = {job.id: job for job in await session.scalars(select(ReminderJob))}
        runs: dict[int, list[ReminderRun]] = {}
        for run in await session.scalars(select(ReminderRun).order_by(ReminderRun.due_at)):
            runs.setdefault(run.job_id, []).append(run)
        posted = dict(
            (
                await session.execute(
                    select(OutboxMessage.chat_id, func.count()).group_by(OutboxMessage.chat_id)
                )
            ).all()
        )
    await engine.dispose()

    assert len(jobs) == JOBS
    for job in jobs.values():
        chain = runs.get(job.id, [])
        assert chain, f"{job.short_name} never ran\n{logs}"
        due = first_due[job.target]
        for run in chain:
            assert abs(run.due_at - due) < 1e-6, f"{job.short_name}: a due time lost or doubled"
            assert run.result == "sent", (job.short_name, run.result, run.detail)
            due = next_after(job.cron, job.timezone, due)
        assert job.next_due_at is not None and abs(job.next_due_at - due) < 1e-6
        assert posted.get(job.target) == len(chain), f"{job.short_name}: outbox and runs differ"
    assert spawned == 3 + KILLS
