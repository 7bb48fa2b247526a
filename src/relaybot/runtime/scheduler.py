"""Periodic jobs (every N seconds, or on a cron line), run once per due time across processes.

Two leases keep several scheduler processes from doing the same work:

* the leader lease (`scheduler`) lets one process do the polling while the others stand by
  and take over within `lease_seconds` when it stops;
* each job's own lease (`job:<name>`) holds the job's next due time. A run takes it with a
  conditional UPDATE inside the transaction that does the job's work, so a run is claimed
  exactly when its effects commit: a failing job rolls the claim back and runs again on the
  next tick, and a leader change in the middle of a run cannot cause a second run.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.config import BotConfig, Settings
from relaybot.core.clock import Clock, SystemClock
from relaybot.core.jobs import Job, JobContext
from relaybot.core.types import Address, OutgoingMessage
from relaybot.runtime import metrics
from relaybot.runtime.lease import LeaseStore, create, take, take_existing
from relaybot.runtime.outbox import enqueue
from relaybot.runtime.signal import Signal
from relaybot.store.db import SessionMaker

log = structlog.get_logger("relaybot.scheduler")

LEADER_LEASE = "scheduler"


class Scheduler:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: SessionMaker,
        jobs: Sequence[Job],
        bots: Mapping[str, BotConfig],
        clock: Clock | None = None,
        holder: str | None = None,
        outbox_ready: Signal | None = None,
    ) -> None:
        names = [job.name for job in jobs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"scheduled job names must be unique: {', '.join(duplicates)}")
        self.settings = settings
        self.sessions = sessions
        self.jobs = list(jobs)
        self.bots = bots
        self.clock = clock or SystemClock()
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.leases = LeaseStore(sessions)
        self.outbox_ready = outbox_ready
        self.wake = Signal()
        self.is_leader = False

    def use_jobs(self, jobs: Sequence[Job]) -> None:
        """Run `jobs` from the next tick on (a bot added while running brought new ones)."""
        unique = {job.name: job for job in jobs}
        self.jobs = list(unique.values())

    async def run(self, stop: asyncio.Event) -> None:
        log.info("scheduler started", jobs=",".join(job.name for job in self.jobs))
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except Exception:
                    log.exception("scheduler tick failed; retrying")
                await self.wake.wait(self.settings.scheduler_tick_seconds)
        finally:
            if self.is_leader:
                try:
                    await self.leases.release(LEADER_LEASE, self.holder)
                except Exception:
                    log.exception("could not release the scheduler lease")
                self.is_leader = False
            log.info("scheduler stopped")

    async def tick(self) -> list[str]:
        """Run what is due now if this process leads; returns the names of the jobs that ran."""
        now = self.clock.now()
        leader = await self.leases.acquire(
            LEADER_LEASE, self.holder, ttl=self.settings.scheduler_lease_seconds, now=now
        )
        if leader != self.is_leader:
            log.info("scheduler leadership changed", leader=leader, holder=self.holder)
            self.is_leader = leader
        if not leader:
            return []
        ran = [job.name for job in self.jobs if await self.run_job(job, now)]
        return ran

    async def run_job(self, job: Job, now: float) -> bool:
        """Claim the due run of `job` and do it in one transaction; False if nothing ran."""
        structlog.contextvars.bind_contextvars(job=job.name)
        try:
            async with self.sessions() as session, session.begin():
                if not await self._claim(session, job, now):
                    return False
                ctx = JobContext(
                    db=session,
                    now=datetime.fromtimestamp(now, UTC),
                    settings=self.settings,
                    bots=self.bots,
                )
                await job.run(ctx)
                await session.flush()
                await self._write_outbox(session, ctx)
                sent = bool(ctx.outgoing)
        except Exception:
            log.exception("scheduled job failed; it runs again on the next tick")
            metrics.JOB_RUNS.labels(job.name, "failed").inc()
            return False
        finally:
            structlog.contextvars.unbind_contextvars("job")
        metrics.JOB_RUNS.labels(job.name, "done").inc()
        if sent and self.outbox_ready is not None:
            self.outbox_ready.notify()
        return True

    async def _claim(self, session: AsyncSession, job: Job, now: float) -> bool:
        name, until = job.lease_name, job.next_due(now)
        if job.runs_at_start:
            return await take(session, name, self.holder, now=now, until=until, renew=False)
        if await take_existing(session, name, self.holder, now=now, until=until, renew=False):
            return True
        # A cron job seen for the first time starts its timeline at its next due time.
        await create(session, job.lease_name, self.holder, until)
        return False

    async def _write_outbox(self, session: AsyncSession, ctx: JobContext) -> None:
        by_time: defaultdict[float | None, list[tuple[Address, OutgoingMessage]]] = defaultdict(
            list
        )
        for address, message, not_before in ctx.outgoing:
            by_time[not_before].append((address, message))
        for not_before, messages in by_time.items():
            await enqueue(session, messages, bots=self.bots, not_before=not_before)
