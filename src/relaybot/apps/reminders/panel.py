"""The reminders back office in the console: accounts, their bots, the jobs with their schedule
in words and next run, and what became of each due time; a job switched on or off goes through
the same rule as the REST API, the chat and the CLI (switching on starts from the next due time),
and is audited."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from relaybot import (
    N_,
    PanelAction,
    PanelActor,
    PanelColumn,
    PanelFilter,
    PanelQuery,
    PanelRefused,
    PanelRows,
    PanelSection,
    PanelTable,
    SessionMaker,
    Settings,
    audit,
    panel_page,
    panel_row_id,
    translator,
)

from . import service
from .models import ROLES, Account, ReminderBot, ReminderJob, ReminderRun
from .problems import Refused
from .schedule import describe

YES_NO = (("yes", N_("yes")), ("no", N_("no")))
RESULTS = (("sent", N_("sent")), ("skipped", N_("skipped")), ("failed", N_("failed")))
ROLE_CHOICES = tuple((role, role) for role in ROLES)


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _by_id(
    conditions: list[ColumnElement[bool]], column: Any, filters: Mapping[str, str], key: str
) -> None:
    """A filter by id; text that is no id matches nothing rather than failing."""
    if key in filters:
        number = panel_row_id(filters[key])
        conditions.append(column == number if number is not None else column.is_(None))


async def _names(sessions: SessionMaker, model: Any, ids: Iterable[int]) -> dict[int, Any]:
    wanted = set(ids)
    if not wanted:
        return {}
    async with sessions() as session:
        found = await session.scalars(select(model).where(model.id.in_(wanted)))
        return {row.id: row for row in found}


def panel(_settings: Settings, sessions: SessionMaker) -> PanelSection:
    async def accounts(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        if "role" in asked.filters:
            conditions.append(Account.role == asked.filters["role"])
        if "login" in asked.filters:
            conditions.append(Account.login.contains(asked.filters["login"], autoescape=True))
        sorts = {"id": Account.id, "login": Account.login, "created_at": Account.created_at}
        rows, total = await panel_page(
            sessions, select(Account), conditions, asked, sorts, Account.id
        )
        return PanelRows(
            [
                {
                    "id": a.id,
                    "login": a.login,
                    "role": a.role,
                    "bots": N_("bots"),
                    "created_at": a.created_at,
                }
                for a in rows
            ],
            total,
        )

    async def bots(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        _by_id(conditions, ReminderBot.owner_id, asked.filters, "owner")
        if "via" in asked.filters:
            conditions.append(ReminderBot.via == asked.filters["via"])
        if asked.bots is not None:
            conditions.append(ReminderBot.via.in_(asked.bots))
        sorts = {
            "id": ReminderBot.id,
            "name": ReminderBot.name,
            "via": ReminderBot.via,
            "created_at": ReminderBot.created_at,
        }
        rows, total = await panel_page(
            sessions, select(ReminderBot), conditions, asked, sorts, ReminderBot.id
        )
        owners = await _names(sessions, Account, (b.owner_id for b in rows))
        return PanelRows(
            [
                {
                    "id": b.id,
                    "name": b.name,
                    "owner": owners[b.owner_id].login if b.owner_id in owners else "",
                    "owner_id": b.owner_id,
                    "via": b.via,
                    "jobs": N_("jobs"),
                    "created_at": b.created_at,
                }
                for b in rows
            ],
            total,
        )

    async def jobs(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        _by_id(conditions, ReminderJob.bot_id, asked.filters, "bot")
        if "active" in asked.filters:
            conditions.append(ReminderJob.active.is_(asked.filters["active"] == "yes"))
        if "via" in asked.filters:
            conditions.append(ReminderBot.via == asked.filters["via"])
        if "name" in asked.filters:
            conditions.append(
                ReminderJob.short_name.contains(asked.filters["name"], autoescape=True)
            )
        if asked.bots is not None:
            conditions.append(ReminderBot.via.in_(asked.bots))
        sorts = {
            "id": ReminderJob.id,
            "short_name": ReminderJob.short_name,
            "next_run": ReminderJob.next_due_at,
            "updated_at": ReminderJob.updated_at,
        }
        query = select(ReminderJob).join(ReminderBot, ReminderBot.id == ReminderJob.bot_id)
        rows, total = await panel_page(sessions, query, conditions, asked, sorts, ReminderJob.id)
        owners = await _names(sessions, ReminderBot, (j.bot_id for j in rows))
        words = translator(asked.locale)
        return PanelRows(
            [
                {
                    "id": j.id,
                    "bot": owners[j.bot_id].name if j.bot_id in owners else "",
                    "bot_id": j.bot_id,
                    "via": owners[j.bot_id].via if j.bot_id in owners else "",
                    "short_name": j.short_name,
                    "target": j.target,
                    "schedule": describe(j.cron, j.timezone, words),
                    "cron": j.cron,
                    "next_run": _moment(j.next_due_at) if j.active else None,
                    "active": N_("yes") if j.active else N_("no"),
                    "is_active": j.active,
                    "off_reason": j.off_reason,
                    "runs": N_("runs"),
                    "updated_at": j.updated_at,
                }
                for j in rows
            ],
            total,
        )

    async def runs(asked: PanelQuery) -> PanelRows:
        conditions: list[ColumnElement[bool]] = []
        _by_id(conditions, ReminderRun.job_id, asked.filters, "job")
        if "result" in asked.filters:
            conditions.append(ReminderRun.result == asked.filters["result"])
        if asked.bots is not None:
            conditions.append(ReminderBot.via.in_(asked.bots))
        sorts = {
            "id": ReminderRun.id,
            "due_at": ReminderRun.due_at,
            "ran_at": ReminderRun.ran_at,
            "result": ReminderRun.result,
        }
        query = (
            select(ReminderRun)
            .join(ReminderJob, ReminderJob.id == ReminderRun.job_id)
            .join(ReminderBot, ReminderBot.id == ReminderJob.bot_id)
        )
        rows, total = await panel_page(sessions, query, conditions, asked, sorts, ReminderRun.id)
        named = await _names(sessions, ReminderJob, (r.job_id for r in rows))
        results = dict(RESULTS)
        return PanelRows(
            [
                {
                    "id": r.id,
                    "job_id": r.job_id,
                    "job": named[r.job_id].short_name if r.job_id in named else "",
                    "due_at": _moment(r.due_at),
                    "ran_at": _moment(r.ran_at),
                    "result": results.get(r.result, r.result),
                    "detail": r.detail,
                }
                for r in rows
            ],
            total,
        )

    def switch(on: bool) -> PanelAction:
        async def run(key: str, _values: Mapping[str, str], who: PanelActor) -> str:
            number = panel_row_id(key)
            t = translator(who.locale)
            async with sessions() as session, session.begin():
                job = (
                    await session.get(ReminderJob, number, with_for_update=True) if number else None
                )
                if job is None:
                    raise PanelRefused(t(N_("There is no such job.")))
                bot = await session.get(ReminderBot, job.bot_id)
                before = job.active
                try:
                    service.set_active(job, on, now=time.time())
                except Refused:
                    raise PanelRefused(
                        t(N_("The job has ended; change its end date first."))
                    ) from None
                await audit(
                    session,
                    actor=who.actor,
                    channel="console",
                    action=f"reminders.job.{'on' if on else 'off'}",
                    target=str(job.id),
                    bot=bot.via if bot is not None else None,
                    details={"before": {"active": before}},
                )
                name = job.short_name
            if on:
                return t(N_("{job} is switched on."), job=name)
            return t(N_("{job} is switched off."), job=name)

        return PanelAction(
            "on" if on else "off",
            N_("Switch on") if on else N_("Switch off"),
            run,
            applies=lambda row: bool(row["is_active"]) != on,
        )

    return PanelSection(
        app="reminders",
        title=N_("Reminders"),
        tables=(
            PanelTable(
                name="jobs",
                title=N_("Jobs"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("short_name", N_("Job")),
                    PanelColumn("bot", N_("Reminder bot"), sortable=False),
                    PanelColumn("via", N_("Posts through"), sortable=False),
                    PanelColumn("target", N_("Where"), sortable=False),
                    PanelColumn("schedule", N_("Schedule"), sortable=False),
                    PanelColumn("next_run", N_("Next run"), kind="time"),
                    PanelColumn("active", N_("Active"), kind="word", sortable=False),
                    PanelColumn("off_reason", N_("Why off"), sortable=False),
                    PanelColumn(
                        "runs",
                        N_("Runs"),
                        kind="word",
                        sortable=False,
                        link="/admin/reminders/runs?f.job={id}",
                    ),
                    PanelColumn("updated_at", N_("Changed"), kind="time"),
                ),
                fetch=jobs,
                filters=(
                    PanelFilter("active", N_("Active"), YES_NO),
                    PanelFilter("via", N_("Posts through")),
                    PanelFilter("name", N_("Job")),
                    PanelFilter("bot", N_("Reminder bot No.")),
                ),
                actions=(switch(False), switch(True)),
                default_sort="id",
                bot_column="via",
            ),
            PanelTable(
                name="runs",
                title=N_("Runs"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("job_id", N_("Job No."), kind="number", sortable=False),
                    PanelColumn("job", N_("Job"), sortable=False),
                    PanelColumn("due_at", N_("Due"), kind="time"),
                    PanelColumn("ran_at", N_("Ran"), kind="time"),
                    PanelColumn("result", N_("Result"), kind="word"),
                    PanelColumn("detail", N_("Detail"), sortable=False),
                ),
                fetch=runs,
                filters=(
                    PanelFilter("result", N_("Result"), RESULTS),
                    PanelFilter("job", N_("Job No.")),
                ),
                default_sort="id",
            ),
            PanelTable(
                name="bots",
                title=N_("Reminder bots"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("name", N_("Name")),
                    PanelColumn("owner", N_("Owner"), sortable=False, person=True),
                    PanelColumn("via", N_("Posts through")),
                    PanelColumn(
                        "jobs",
                        N_("Jobs"),
                        kind="word",
                        sortable=False,
                        link="/admin/reminders/jobs?f.bot={id}",
                    ),
                    PanelColumn("created_at", N_("Created"), kind="time"),
                ),
                fetch=bots,
                filters=(
                    PanelFilter("via", N_("Posts through")),
                    PanelFilter("owner", N_("Account No.")),
                ),
                default_sort="id",
                bot_column="via",
            ),
            PanelTable(
                name="accounts",
                title=N_("Accounts"),
                columns=(
                    PanelColumn("id", N_("No."), kind="number"),
                    PanelColumn("login", N_("Login"), person=True),
                    PanelColumn("role", N_("Role"), sortable=False),
                    PanelColumn(
                        "bots",
                        N_("Reminder bots"),
                        kind="word",
                        sortable=False,
                        link="/admin/reminders/bots?f.owner={id}",
                    ),
                    PanelColumn("created_at", N_("Created"), kind="time"),
                ),
                fetch=accounts,
                filters=(
                    PanelFilter("role", N_("Role"), ROLE_CHOICES),
                    PanelFilter("login", N_("Login")),
                ),
                default_sort="id",
            ),
        ),
    )
