"""A reminders world for tests: a system with the reminders web chat bot, accounts made in
the database, and the engine run at a time the test chooses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from relaybot.apps.reminders import service
from relaybot.apps.reminders.models import Account, ReminderJob, ReminderRun
from relaybot.config import BotConfig, Settings
from relaybot.core.jobs import Job
from relaybot.runtime.scheduler import Scheduler
from relaybot.system import System
from relaybot.testing import ChatDriver

RELAY = "reminders"


def reminder_settings(make_settings: Callable[..., Settings], url: str, **more: object) -> Settings:
    return make_settings(
        url,
        bots=[BotConfig(name=RELAY, app="reminders", channel="webchat")],
        webchat_for_bundled_apps=False,
        **more,
    )


def at(text: str) -> float:
    """An ISO moment with its offset ("2026-03-29T01:30+01:00") as epoch seconds."""
    return datetime.fromisoformat(text).astimezone(UTC).timestamp()


@dataclass
class Engine:
    """The engine as the scheduler runs it, at moments the test names."""

    system: System
    scheduler: Scheduler
    job: Job
    driver: ChatDriver

    @classmethod
    def of(cls, system: System, holder: str = "test") -> Engine:
        scheduler = system.scheduler(holder=holder)
        [job] = [j for j in scheduler.jobs if j.name == "reminders.engine"]
        return cls(system, scheduler, job, ChatDriver(system))

    async def run_at(self, moment: float) -> list[tuple[str, str]]:
        """Run the engine at `moment`; what it posted, as (chat, text)."""
        assert await self.scheduler.run_job(self.job, moment)
        return [(m.to.chat_id, m.text) for m in await self.driver.collect()]


async def an_account(system: System, login: str = "aigul") -> service.Owner:
    async with system.sessions() as session, session.begin():
        account = Account(login=login, password_hash=None, role="user", token_version=1)
        session.add(account)
        await session.flush()
        return service.Owner(account.id)


async def a_job(
    system: System,
    owner: service.Owner,
    *,
    now: float,
    cron: str = "0 9 * * 1-5",
    timezone: str = "Asia/Bishkek",
    missed: str = "once",
    target: str = "team",
    text: str = "Stand-up in 10 minutes",
    bot: str = "office",
) -> int:
    async with system.sessions() as session, session.begin():
        _, job = await service.create_bot(
            session,
            owner,
            bot,
            RELAY,
            service.JobFields(
                short_name="standup",
                target=target,
                text=text,
                cron=cron,
                timezone=timezone,
                missed=missed,
            ),
            relays=[RELAY],
            now=now,
        )
        return job.id


async def runs_of(system: System, job_id: int) -> list[tuple[str, str]]:
    """(due time in UTC, result) of every run of the job, in due order."""
    async with system.sessions() as session:
        rows = await session.scalars(
            select(ReminderRun).where(ReminderRun.job_id == job_id).order_by(ReminderRun.due_at)
        )
        return [
            (datetime.fromtimestamp(r.due_at, UTC).strftime("%Y-%m-%d %H:%M"), r.result)
            for r in rows
        ]


async def job_row(system: System, job_id: int) -> ReminderJob:
    async with system.sessions() as session:
        job = await session.get(ReminderJob, job_id)
        assert job is not None
        return job
