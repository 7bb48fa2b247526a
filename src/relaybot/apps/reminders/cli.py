"""`relaybot reminders users|bots|jobs ...`: what an operator of the constructor needs."""

from __future__ import annotations

import time
from typing import Any

import click
from sqlalchemy import func, select

from relaybot import (
    Column,
    SessionMaker,
    audit,
    cli_actor,
    json_option,
    print_rows,
    settings_of,
    translator,
    with_store,
)

from . import accounts, service
from .models import Account, ReminderBot, ReminderJob
from .problems import Conflict, Missing, Refused
from .schedule import describe, local_iso


@click.group()
def reminders() -> None:
    """The reminders constructor: accounts, their bots and jobs."""


@reminders.group()
def users() -> None:
    """Accounts of the constructor."""


@users.command("list")
@json_option
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """Every account with its number of bots."""

    async def fetch(sessions: SessionMaker) -> list[dict[str, Any]]:
        async with sessions() as session:
            counts = (
                select(ReminderBot.owner_id, func.count().label("n"))
                .group_by(ReminderBot.owner_id)
                .subquery()
            )
            rows = await session.execute(
                select(Account, counts.c.n)
                .outerjoin(counts, counts.c.owner_id == Account.id)
                .order_by(Account.id)
            )
            return [
                {
                    "id": a.id,
                    "login": a.login,
                    "role": a.role,
                    "bots": int(n or 0),
                    "password": a.password_hash is not None,
                }
                for a, n in rows
            ]

    print_rows(
        with_store(ctx, fetch),
        (
            Column("id", "ID", right=True),
            Column("login", "LOGIN"),
            Column("role", "ROLE"),
            Column("bots", "BOTS", right=True),
        ),
        as_json=as_json,
        empty="no accounts yet",
    )


@users.command("add")
@click.argument("login")
@click.option("--admin", is_flag=True, help="The account sees and changes every bot.")
@click.password_option(help="Asked for when not given.")
@click.pass_context
def add_user(ctx: click.Context, login: str, admin: bool, password: str) -> None:
    """Register LOGIN (as the REST registration does; --admin for an administrator)."""

    async def add(sessions: SessionMaker) -> int:
        async with sessions() as session, session.begin():
            account = await accounts.register(
                session, login, password, role="admin" if admin else "user"
            )
            await audit(
                session,
                actor=cli_actor(),
                channel="cli",
                action="reminders.user.add",
                target=login,
            )
            return account.id

    try:
        number = with_store(ctx, add)
    except (Refused, Conflict) as problem:
        raise click.ClickException(f"{problem.field}: {problem}") from None
    click.echo(f"account {number} {login} registered")


@users.command("password")
@click.argument("login")
@click.password_option(help="Asked for when not given.")
@click.pass_context
def reset_password(ctx: click.Context, login: str, password: str) -> None:
    """Set LOGIN's password; every token issued before stops working."""

    async def reset(sessions: SessionMaker) -> bool:
        async with sessions() as session, session.begin():
            account = await session.scalar(select(Account).where(Account.login == login))
            if account is None:
                return False
            await accounts.set_password(session, account, password)
            await audit(
                session,
                actor=cli_actor(),
                channel="cli",
                action="reminders.user.password",
                target=login,
            )
            return True

    try:
        found = with_store(ctx, reset)
    except Refused as problem:
        raise click.ClickException(f"{problem.field}: {problem}") from None
    if not found:
        raise click.ClickException(f"no account {login!r}")
    click.echo(f"{login}'s password is set; earlier tokens are revoked")


@reminders.group()
def bots() -> None:
    """Reminder bots."""


@bots.command("list")
@json_option
@click.option("--owner", default=None, help="Only this login's bots.")
@click.pass_context
def list_bots(ctx: click.Context, as_json: bool, owner: str | None) -> None:
    """Every reminder bot, its owner, relay bot and number of jobs."""

    async def fetch(sessions: SessionMaker) -> list[dict[str, Any]]:
        async with sessions() as session:
            counts = (
                select(ReminderJob.bot_id, func.count().label("n"))
                .group_by(ReminderJob.bot_id)
                .subquery()
            )
            query = (
                select(ReminderBot, Account.login, counts.c.n)
                .join(Account, Account.id == ReminderBot.owner_id)
                .outerjoin(counts, counts.c.bot_id == ReminderBot.id)
                .order_by(ReminderBot.id)
            )
            if owner:
                query = query.where(Account.login == owner)
            return [
                {"id": b.id, "name": b.name, "owner": login, "via": b.via, "jobs": int(n or 0)}
                for b, login, n in await session.execute(query)
            ]

    print_rows(
        with_store(ctx, fetch),
        (
            Column("id", "ID", right=True),
            Column("name", "NAME"),
            Column("owner", "OWNER"),
            Column("via", "VIA"),
            Column("jobs", "JOBS", right=True),
        ),
        as_json=as_json,
        empty="no reminder bots yet",
    )


@bots.command("delete")
@click.argument("bot_id", type=int)
@click.pass_context
def delete_bot(ctx: click.Context, bot_id: int) -> None:
    """Delete a reminder bot with its jobs and their history."""

    async def remove(sessions: SessionMaker) -> int:
        async with sessions() as session, session.begin():
            bot = await service.bot_of(session, service.Owner(0, admin=True), bot_id)
            jobs = await service.delete_bot(session, bot)
            await audit(
                session,
                actor=cli_actor(),
                channel="cli",
                action="reminders.bot.delete",
                target=str(bot_id),
            )
            return jobs

    try:
        jobs = with_store(ctx, remove)
    except Missing as missing:
        raise click.ClickException(str(missing)) from None
    click.echo(f"bot {bot_id} deleted with {jobs} job(s)")


@reminders.group()
def jobs() -> None:
    """Reminder jobs."""


@jobs.command("list")
@json_option
@click.option("--bot", "bot_id", type=int, default=None, help="Only this bot's jobs.")
@click.pass_context
def list_jobs(ctx: click.Context, as_json: bool, bot_id: int | None) -> None:
    """Jobs with their schedule in words, status and next due time."""
    t = translator(settings_of(ctx).default_locale)

    async def fetch(sessions: SessionMaker) -> list[dict[str, Any]]:
        async with sessions() as session:
            query = select(ReminderJob).order_by(ReminderJob.id)
            if bot_id is not None:
                query = query.where(ReminderJob.bot_id == bot_id)
            return [
                {
                    "id": j.id,
                    "bot": j.bot_id,
                    "short_name": j.short_name,
                    "active": j.active,
                    "status": "active" if j.active else "inactive",
                    "schedule": describe(j.cron, j.timezone, t),
                    "cron": j.cron,
                    "timezone": j.timezone,
                    "next": local_iso(j.next_due_at, j.timezone) if j.next_due_at else "",
                }
                for j in await session.scalars(query)
            ]

    print_rows(
        with_store(ctx, fetch),
        (
            Column("id", "ID", right=True),
            Column("bot", "BOT", right=True),
            Column("short_name", "NAME"),
            Column("status", "STATUS"),
            Column("next", "NEXT (LOCAL)"),
            Column("schedule", "SCHEDULE", width=50),
        ),
        as_json=as_json,
        empty="no reminder jobs yet",
    )


@jobs.command("switch")
@click.argument("job_id", type=int)
@click.argument("state", type=click.Choice(["on", "off"]))
@click.pass_context
def switch_job(ctx: click.Context, job_id: int, state: str) -> None:
    """Switch a job on (from its next due time) or off."""

    async def switch(sessions: SessionMaker) -> bool:
        async with sessions() as session, session.begin():
            job = await session.get(ReminderJob, job_id)
            if job is None:
                return False
            service.set_active(job, state == "on", now=time.time())
            await audit(
                session,
                actor=cli_actor(),
                channel="cli",
                action=f"reminders.job.{state}",
                target=str(job_id),
            )
            return True

    try:
        found = with_store(ctx, switch)
    except Refused as problem:
        raise click.ClickException(str(problem)) from None
    if not found:
        raise click.ClickException(f"no job {job_id}")
    click.echo(f"job {job_id} is {'active' if state == 'on' else 'inactive'}")
