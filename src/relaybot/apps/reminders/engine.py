"""The engine: every due reminder posted once, by the scheduler's leader, in one transaction.

It runs as one of the app's scheduled jobs (`reminders.engine`, every tick), so it inherits
the scheduler's guarantees: only the leader runs it, and its own lease is taken in the
transaction that does the work. One run claims a batch of due jobs, writes each one's
message to the outbox and its run record, and moves its `next_due_at` on, all in that
transaction; a leader killed mid-run leaves nothing of it, and the next leader runs the same
due times once. The unique (job, due time) of the run records is the last line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot import N_, Address, JobContext, refused_since, translator

from .models import ChatLink, EngineMark, ReminderBot, ReminderJob, ReminderRun
from .schedule import ScheduleError, next_after

log = structlog.get_logger("relaybot.reminders")

BATCH = 2000  # due jobs claimed in one run; the next run, a tick later, takes the rest
GRACE_SECONDS = 300.0  # a due time older than this when claimed counts as missed
MAX_BACKLOG = 10_000  # due times looked at for one job that was missed for a long time
REFUSALS_MARK = "refusals"


@dataclass(frozen=True)
class Plan:
    """What one claim of a job does: the due times it posts, the ones it skips, what's next."""

    send: list[float]
    skipped: list[float]
    next_due: float | None


def plan(job: ReminderJob, now: float, *, grace: float = GRACE_SECONDS) -> Plan:
    """The due times of `job` up to `now`, split by its missed-run policy.

    Due times within `grace` of now are posted, each once. Older ones were missed (everything
    was down): with the policy "once" the latest of them is posted once on return, with
    "skip" they are recorded as skipped and nothing is posted.
    """
    assert job.next_due_at is not None
    dues: list[float] = []
    due = job.next_due_at
    while due <= now and len(dues) < MAX_BACKLOG:
        if job.ends_at is not None and due > job.ends_at:
            break
        dues.append(due)
        due = next_after(job.cron, job.timezone, due)
    if due <= now:  # a backlog longer than MAX_BACKLOG: start again from now
        due = next_after(job.cron, job.timezone, now)
    fresh = [d for d in dues if now - d <= grace]
    missed = [d for d in dues if now - d > grace]
    send = list(fresh)
    skipped: list[float] = []
    if missed:
        if job.missed == "once" and not fresh:
            send = [missed[-1]]
            skipped = missed[:-1]
        else:
            skipped = missed
    following = None if job.ends_at is not None and due > job.ends_at else due
    return Plan(send=send, skipped=skipped, next_due=following)


async def run_due(ctx: JobContext, *, batch: int = BATCH, grace: float = GRACE_SECONDS) -> int:
    """Post what is due; returns how many jobs were claimed."""
    now = ctx.now.timestamp()
    session = ctx.db
    jobs = list(
        await session.scalars(
            select(ReminderJob)
            .where(ReminderJob.active.is_(True), ReminderJob.next_due_at <= now)
            .order_by(ReminderJob.next_due_at, ReminderJob.id)
            .limit(batch)
        )
    )
    if jobs:
        await _run(ctx, jobs, now, grace)
    await _switch_off_refused(ctx)
    return len(jobs)


async def _run(ctx: JobContext, jobs: list[ReminderJob], now: float, grace: float) -> None:
    session = ctx.db
    bot_ids = {job.bot_id for job in jobs}
    bots = {
        bot.id: bot
        for bot in await session.scalars(select(ReminderBot).where(ReminderBot.id.in_(bot_ids)))
    }
    runs: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    for job in jobs:
        bot = bots[job.bot_id]
        try:
            step = plan(job, now, grace=grace)
        except ScheduleError as problem:  # cannot happen for a checked job; never stall on it
            changes.append(_off(job, str(problem)))
            continue
        detail = None if bot.via in ctx.bots else f"the bot {bot.via!r} is not running"
        for due in step.send:
            if detail is None:
                ctx.send(Address(bot.via, job.target), job.text)
            late = now - due > grace
            runs.append(
                _run_row(job, due, now, "failed" if detail else "sent", detail or _late(late))
            )
        if step.skipped:
            runs.append(
                _run_row(
                    job, step.skipped[-1], now, "skipped", f"{len(step.skipped)} missed due times"
                )
            )
        change: dict[str, object] = {"id": job.id, "next_due_at": step.next_due}
        if step.next_due is None:
            change.update(active=False, off_reason="ended")
        changes.append(change)
    if runs:
        await session.execute(insert(ReminderRun), runs)
    await session.execute(update(ReminderJob), changes)


def _late(late: bool) -> str | None:
    return "missed while down; posted once on return" if late else None


def _run_row(
    job: ReminderJob, due: float, now: float, result: str, detail: str | None
) -> dict[str, object]:
    return {"job_id": job.id, "due_at": due, "ran_at": now, "result": result, "detail": detail}


def _off(job: ReminderJob, reason: str) -> dict[str, object]:
    return {"id": job.id, "active": False, "next_due_at": None, "off_reason": reason[:200]}


async def _switch_off_refused(ctx: JobContext) -> None:
    """A target that refused the bot (blocked, removed from the channel, channel gone) gets no
    more reminders: its active jobs are switched off and their owners told."""
    session = ctx.db
    mark = await session.get(EngineMark, REFUSALS_MARK)
    if mark is None:
        mark = EngineMark(name=REFUSALS_MARK, value=0)
        session.add(mark)
    refused, reached = await refused_since(session, mark.value)
    if reached != mark.value:
        mark.value = reached
    for refusal in refused:
        await switch_off_target(ctx, refusal.bot, refusal.chat_id, refusal.error)


async def switch_off_target(ctx: JobContext, via: str, target: str, error: str) -> int:
    session = ctx.db
    rows = (
        await session.execute(
            select(ReminderJob, ReminderBot)
            .join(ReminderBot, ReminderBot.id == ReminderJob.bot_id)
            .where(
                ReminderBot.via == via,
                ReminderJob.target == target,
                ReminderJob.active.is_(True),
            )
        )
    ).all()
    for job, bot in rows:
        job.active = False
        job.next_due_at = None
        job.off_reason = f"the target refused the bot: {error}"[:200]
        job.updated_at = datetime.now(UTC)
        log.info("reminder switched off: target refused", job=job.id, bot=via)
        await tell_owner(ctx, session, bot, job)
    return len(rows)


async def tell_owner(
    ctx: JobContext, session: AsyncSession, bot: ReminderBot, job: ReminderJob
) -> None:
    links = await session.scalars(select(ChatLink).where(ChatLink.account_id == bot.owner_id))
    t = translator(ctx.settings.default_locale)
    text = t(
        N_(
            "The reminder {job} of bot {bot} is switched off: its target {target} refused the "
            "bot (blocked it, removed it or is gone)."
        ),
        job=job.short_name,
        bot=bot.name,
        target=job.target,
    )
    for link in links:
        if link.bot in ctx.bots and not (link.bot == bot.via and link.chat_id == job.target):
            ctx.send(Address(link.bot, link.chat_id), text)
