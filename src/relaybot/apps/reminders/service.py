"""Bots and jobs: the rules and changes every door (REST, chat, CLI) goes through.

Each function works inside the caller's transaction and raises `Refused` naming the field
before anything is written, so a refused request leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import Translator, is_blank

from .models import (
    MISSED_POLICIES,
    NAME_MAX,
    SHORT_NAME_MAX,
    TARGET_MAX,
    TEXT_MAX,
    ReminderBot,
    ReminderJob,
    ReminderRun,
)
from .problems import Missing, Refused
from .schedule import ScheduleError, check_cron, day_end, describe, local_iso, next_after, upcoming
from .schedule import zone as check_zone


@dataclass(frozen=True)
class Owner:
    """Who acts: an account, and whether it may see every account's bots."""

    account_id: int
    admin: bool = False


@dataclass
class JobFields:
    short_name: str
    target: str
    text: str
    cron: str
    timezone: str
    active: bool = True
    ends_on: date | None = None
    missed: str = "once"


def _name(field: str, value: str, limit: int) -> str:
    if is_blank(value):
        raise Refused(field, f"{field} may not be empty")
    value = value.strip()
    if len(value) > limit:
        raise Refused(field, f"{field} has at most {limit} characters")
    return value


def check_text(text: str) -> str:
    if is_blank(text):
        raise Refused("text", "the text may not be empty")
    if len(text) > TEXT_MAX:
        raise Refused("text", f"the text has at most {TEXT_MAX} characters")
    return text


def check_schedule(cron: str, timezone: str) -> tuple[str, str]:
    try:
        tidy = check_cron(cron)
        check_zone(timezone)
    except ScheduleError as bad:
        raise Refused(bad.field, str(bad)) from None
    return tidy, timezone


def check_job(fields: JobFields) -> JobFields:
    cron, timezone = check_schedule(fields.cron, fields.timezone)
    if fields.missed not in MISSED_POLICIES:
        raise Refused("missed", f"missed is one of {', '.join(MISSED_POLICIES)}")
    return JobFields(
        short_name=_name("short_name", fields.short_name, SHORT_NAME_MAX),
        target=_name("target", fields.target, TARGET_MAX),
        text=check_text(fields.text),
        cron=cron,
        timezone=timezone,
        active=fields.active,
        ends_on=fields.ends_on,
        missed=fields.missed,
    )


def _ends_at(fields: JobFields) -> float | None:
    return None if fields.ends_on is None else day_end(fields.ends_on.isoformat(), fields.timezone)


def _first_due(job: ReminderJob, now: float) -> float | None:
    if not job.active:
        return None
    due = next_after(job.cron, job.timezone, now)
    return None if job.ends_at is not None and due > job.ends_at else due


async def create_bot(
    session: AsyncSession,
    owner: Owner,
    name: str,
    via: str,
    first: JobFields,
    *,
    relays: Collection[str],
    now: float,
) -> tuple[ReminderBot, ReminderJob]:
    """A bot and its first job together: a job that breaks a rule means no bot either."""
    name = _name("name", name, NAME_MAX)
    if via not in relays:
        known = ", ".join(sorted(relays)) or "none is configured"
        raise Refused("via", f"{via!r} is not a bot that posts reminders (use one of: {known})")
    job_fields = check_job(first)
    taken = await session.scalar(
        select(ReminderBot.id).where(
            ReminderBot.owner_id == owner.account_id, ReminderBot.name == name
        )
    )
    if taken is not None:
        raise Refused("name", f"you have a bot named {name!r} already")
    bot = ReminderBot(owner_id=owner.account_id, name=name, via=via, created_at=_dt(now))
    session.add(bot)
    await session.flush()
    job = await add_job(session, bot, job_fields, now=now)
    return bot, job


async def add_job(
    session: AsyncSession, bot: ReminderBot, fields: JobFields, *, now: float
) -> ReminderJob:
    fields = check_job(fields)
    taken = await session.scalar(
        select(ReminderJob.id).where(
            ReminderJob.bot_id == bot.id, ReminderJob.short_name == fields.short_name
        )
    )
    if taken is not None:
        raise Refused("short_name", f"the bot has a job named {fields.short_name!r} already")
    job = ReminderJob(
        bot_id=bot.id,
        short_name=fields.short_name,
        target=fields.target,
        text=fields.text,
        cron=fields.cron,
        timezone=fields.timezone,
        active=fields.active,
        ends_at=_ends_at(fields),
        missed=fields.missed,
        created_at=_dt(now),
        updated_at=_dt(now),
    )
    job.next_due_at = _first_due(job, now)
    if fields.active and job.next_due_at is None:
        raise Refused("ends_on", "the job ends before it would first run")
    session.add(job)
    await session.flush()
    return job


async def bots_of(session: AsyncSession, owner: Owner) -> list[ReminderBot]:
    query = select(ReminderBot).order_by(ReminderBot.id)
    if not owner.admin:
        query = query.where(ReminderBot.owner_id == owner.account_id)
    return list(await session.scalars(query))


async def bot_of(session: AsyncSession, owner: Owner, bot_id: int) -> ReminderBot:
    """The bot if this person owns it (or is an admin); Missing otherwise, never 'forbidden'."""
    bot = await session.get(ReminderBot, bot_id)
    if bot is None or not (owner.admin or bot.owner_id == owner.account_id):
        raise Missing(f"no bot {bot_id}")
    return bot


async def jobs_of(session: AsyncSession, bot: ReminderBot) -> list[ReminderJob]:
    return list(
        await session.scalars(
            select(ReminderJob).where(ReminderJob.bot_id == bot.id).order_by(ReminderJob.id)
        )
    )


async def job_of(session: AsyncSession, owner: Owner, bot_id: int, job_id: int) -> ReminderJob:
    bot = await bot_of(session, owner, bot_id)
    job = await session.get(ReminderJob, job_id)
    if job is None or job.bot_id != bot.id:
        raise Missing(f"no job {job_id} in bot {bot_id}")
    return job


async def job_by_name(session: AsyncSession, bot: ReminderBot, short_name: str) -> ReminderJob:
    job = await session.scalar(
        select(ReminderJob).where(
            ReminderJob.bot_id == bot.id, ReminderJob.short_name == short_name.strip()
        )
    )
    if job is None:
        raise Refused("short_name", f"the bot has no job named {short_name.strip()!r}")
    return job


def set_active(job: ReminderJob, active: bool, *, now: float) -> None:
    """Switching on starts from the next due time after now: nothing missed while off runs."""
    if job.active == active:
        return
    job.active = active
    job.off_reason = None
    job.next_due_at = _first_due(job, now)
    if active and job.next_due_at is None:
        job.active = False
        raise Refused("active", "the job has ended; change its end date first")
    job.updated_at = _dt(now)


def change_job(
    job: ReminderJob,
    *,
    now: float,
    text: str | None = None,
    cron: str | None = None,
    timezone: str | None = None,
    target: str | None = None,
    missed: str | None = None,
) -> None:
    new_cron, new_zone = check_schedule(cron or job.cron, timezone or job.timezone)
    new_text = check_text(text) if text is not None else job.text
    new_target = _name("target", target, TARGET_MAX) if target is not None else job.target
    if missed is not None and missed not in MISSED_POLICIES:
        raise Refused("missed", f"missed is one of {', '.join(MISSED_POLICIES)}")
    rescheduled = (new_cron, new_zone) != (job.cron, job.timezone)
    job.text, job.cron, job.timezone, job.target = new_text, new_cron, new_zone, new_target
    if missed is not None:
        job.missed = missed
    if rescheduled and job.active:
        job.next_due_at = _first_due(job, now)
    job.updated_at = _dt(now)


async def delete_bot(session: AsyncSession, bot: ReminderBot) -> int:
    """The bot, its jobs and their history; returns how many jobs went with it."""
    job_ids = list(
        await session.scalars(select(ReminderJob.id).where(ReminderJob.bot_id == bot.id))
    )
    if job_ids:
        await session.execute(delete(ReminderRun).where(ReminderRun.job_id.in_(job_ids)))
        await session.execute(delete(ReminderJob).where(ReminderJob.id.in_(job_ids)))
    await session.delete(bot)
    await session.flush()
    return len(job_ids)


async def last_runs(session: AsyncSession, job_ids: list[int]) -> dict[int, ReminderRun]:
    if not job_ids:
        return {}
    latest = (
        select(ReminderRun.job_id, func.max(ReminderRun.id).label("id"))
        .where(ReminderRun.job_id.in_(job_ids))
        .group_by(ReminderRun.job_id)
        .subquery()
    )
    rows = await session.scalars(select(ReminderRun).join(latest, latest.c.id == ReminderRun.id))
    return {run.job_id: run for run in rows}


async def history(
    session: AsyncSession, job: ReminderJob, limit: int, offset: int
) -> list[ReminderRun]:
    return list(
        await session.scalars(
            select(ReminderRun)
            .where(ReminderRun.job_id == job.id)
            .order_by(ReminderRun.due_at.desc(), ReminderRun.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def job_view(
    job: ReminderJob, last: ReminderRun | None, t: Translator, now: float
) -> dict[str, Any]:
    nexts = []
    if job.active and job.next_due_at is not None:
        nexts = [job.next_due_at, *upcoming(job.cron, job.timezone, job.next_due_at, 2)]
        if job.ends_at is not None:
            nexts = [n for n in nexts if n <= job.ends_at]
    return {
        "id": job.id,
        "short_name": job.short_name,
        "target": job.target,
        "text": job.text,
        "cron": job.cron,
        "timezone": job.timezone,
        "schedule": describe(job.cron, job.timezone, t),
        "active": job.active,
        "missed": job.missed,
        "ends_at": None if job.ends_at is None else _dt(job.ends_at),
        "off_reason": job.off_reason,
        "next_runs": [local_iso(n, job.timezone) for n in nexts],
        "last_run": None if last is None else run_view(last),
    }


def run_view(run: ReminderRun) -> dict[str, Any]:
    return {
        "due_at": _dt(run.due_at),
        "ran_at": _dt(run.ran_at),
        "result": run.result,
        "detail": run.detail,
    }


def _dt(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)
