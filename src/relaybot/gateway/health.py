"""`/livez`, `/readyz` and `/health` for orchestrators and people; `/metrics` for Prometheus.

The three answer different questions, so each touches only what its question needs: `/livez`
(is the process running?) touches nothing, so a slow database never gets a healthy process
restarted; `/readyz` (can it do its job?) checks the parts every role needs, the store and the
inbound queue; `/health` reports each dependency on its own, with its figures, for a person
or a dashboard.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import func, select, text

from relaybot.core.strict import MAX_JSON_INT
from relaybot.runtime import metrics
from relaybot.runtime.queue import InboundQueue, QueueStats
from relaybot.runtime.scheduler import LEADER_LEASE
from relaybot.store.db import SessionMaker
from relaybot.store.models import DeadLetter, Lease, OutboxMessage

CHECK_SECONDS = 3.0
"""How long one dependency may take to answer before it counts as down."""

Count = Field(ge=0, le=MAX_JSON_INT)
Age = Field(ge=0)
Part = Literal["database", "redis", "queue"]


class Live(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready", "not_ready"]
    failing: list[Part] = Field(description="The required parts that cannot work now.")


class DatabaseHealth(BaseModel):
    status: Literal["ok", "down"]
    required: bool
    error: str | None = Field(description="The kind of failure, never its message.")


class RedisHealth(BaseModel):
    status: Literal["ok", "down", "not_used"]
    required: bool
    error: str | None


class QueueHealth(BaseModel):
    status: Literal["ok", "stale", "down"]
    required: bool
    error: str | None
    depth: int | None = Count
    oldest_age_seconds: float | None = Age
    max_age_seconds: float = Field(gt=0)


class OutboxHealth(BaseModel):
    status: Literal["ok", "unknown"]
    required: bool
    pending: int | None = Count
    oldest_age_seconds: float | None = Age


class DlqHealth(BaseModel):
    status: Literal["ok", "unknown"]
    required: bool
    size: int | None = Count


class SchedulerHealth(BaseModel):
    status: Literal["leader", "no_leader", "unknown"]
    required: bool
    lease_expires_in_seconds: float | None = Age


class Parts(BaseModel):
    database: DatabaseHealth
    redis: RedisHealth
    queue: QueueHealth
    outbox: OutboxHealth
    dlq: DlqHealth
    scheduler: SchedulerHealth


class Health(BaseModel):
    status: Literal["ok", "unhealthy"]
    store: Literal["ok", "unreachable"]
    queue_depth: int | None = Count
    oldest_pending_age_seconds: float | None = Age
    parts: Parts


METRICS_TYPE = CONTENT_TYPE_LATEST.split(";")[0]


async def _attempt(check: Callable[[], Awaitable[Any]]) -> tuple[Any, str | None]:
    """The check's result, or None and the kind of failure; a hung part counts as down."""
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            return await check(), None
    except Exception as exc:
        return None, type(exc).__name__


def _redis_of(queue: InboundQueue) -> Any | None:
    """The Redis client behind a Streams queue; None for the queue in the database."""
    return getattr(queue, "redis", None)


def health_router(
    sessions: SessionMaker, queue: InboundQueue, *, max_pending_age: float
) -> APIRouter:
    """Unhealthy (503) when a required part is down or the oldest pending update is too old."""
    router = APIRouter(tags=["operations"])
    redis = _redis_of(queue)

    async def database() -> None:
        async with sessions() as session:
            await session.execute(text("SELECT 1"))

    async def ping_redis() -> None:
        assert redis is not None
        await redis.ping()

    async def stats() -> QueueStats:
        return await queue.stats()

    async def required() -> tuple[str | None, str | None, QueueStats | None, str | None]:
        """The database's, Redis's and the queue's failures (None when fine) and the stats."""
        (_, db_error), (_, redis_error), (queue_stats, queue_error) = await asyncio.gather(
            _attempt(database),
            _attempt(ping_redis) if redis is not None else _none(),
            _attempt(stats),
        )
        return db_error, redis_error, queue_stats, queue_error

    @router.get(
        "/livez",
        response_model=Live,
        summary="The process runs",
        description="Always 200 while the process serves HTTP; touches no dependency.",
    )
    async def livez() -> Live:
        return Live(status="ok")

    @router.get(
        "/readyz",
        response_model=Ready,
        summary="The process can do its job",
        responses={503: {"model": Ready, "description": "A required part is unreachable."}},
    )
    async def readyz() -> JSONResponse:
        db_error, redis_error, _, queue_error = await required()
        failing: list[Part] = []
        if db_error is not None:
            failing.append("database")
        if redis_error is not None:
            failing.append("redis")
        if queue_error is not None:
            failing.append("queue")
        body = Ready(status="not_ready" if failing else "ready", failing=failing)
        return JSONResponse(body.model_dump(), status_code=503 if failing else 200)

    @router.get(
        "/health",
        response_model=Health,
        summary="Each dependency on its own, with its figures",
        responses={503: {"model": Health, "description": "A required part is down or stale."}},
    )
    async def health() -> JSONResponse:
        db_error, redis_error, queue_stats, queue_error = await required()
        parts = Parts(
            database=DatabaseHealth(
                status="ok" if db_error is None else "down", required=True, error=db_error
            ),
            redis=RedisHealth(
                status="not_used" if redis is None else "ok" if redis_error is None else "down",
                required=redis is not None,
                error=redis_error,
            ),
            queue=_queue_health(queue_stats, queue_error, max_pending_age),
            **(await _store_parts(sessions) if db_error is None else _unknown_store_parts()),
        )
        down = db_error is not None or redis_error is not None or parts.queue.status != "ok"
        body = Health(
            status="unhealthy" if down else "ok",
            store="ok" if db_error is None else "unreachable",
            queue_depth=parts.queue.depth,
            oldest_pending_age_seconds=parts.queue.oldest_age_seconds,
            parts=parts,
        )
        return JSONResponse(body.model_dump(), status_code=503 if down else 200)

    @router.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {
                "description": "Prometheus text exposition format.",
                "content": {METRICS_TYPE: {"schema": {"type": "string"}}},
            }
        },
    )
    async def prometheus() -> Response:
        stats = await queue.stats()
        metrics.QUEUE_DEPTH.set(stats.depth)
        metrics.QUEUE_OLDEST_AGE.set(stats.oldest_age or 0.0)
        async with sessions() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            )
            dead = await session.scalar(select(func.count()).select_from(DeadLetter))
        metrics.OUTBOX_PENDING.set(pending or 0)
        metrics.DLQ_SIZE.set(dead or 0)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _none() -> tuple[None, None]:
    return None, None


def _queue_health(stats: QueueStats | None, error: str | None, max_age: float) -> QueueHealth:
    if stats is None:
        return QueueHealth(
            status="down",
            required=True,
            error=error,
            depth=None,
            oldest_age_seconds=None,
            max_age_seconds=max_age,
        )
    age = None if stats.oldest_age is None else round(stats.oldest_age, 3)
    return QueueHealth(
        status="stale" if age is not None and age > max_age else "ok",
        required=True,
        error=None,
        depth=stats.depth,
        oldest_age_seconds=age,
        max_age_seconds=max_age,
    )


async def _store_parts(sessions: SessionMaker) -> dict[str, Any]:
    """The outbox, the DLQ and the scheduler's leader lease, read in one short session."""
    now = time.time()

    async def read() -> tuple[int, float | None, int, float | None]:
        async with sessions() as session:
            pending = await session.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.status == "pending"
                )
            )
            count, oldest = pending.one()
            dead = await session.scalar(select(func.count()).select_from(DeadLetter))
            lease = await session.scalar(select(Lease.expires_at).where(Lease.name == LEADER_LEASE))
        return int(count or 0), oldest, int(dead or 0), lease

    figures, _error = await _attempt(read)
    if figures is None:
        return _unknown_store_parts()
    pending, oldest, dead, lease = figures
    leader = lease is not None and lease > now
    return {
        "outbox": OutboxHealth(
            status="ok",
            required=False,
            pending=pending,
            oldest_age_seconds=None if oldest is None else round(max(0.0, now - oldest), 3),
        ),
        "dlq": DlqHealth(status="ok", required=False, size=dead),
        "scheduler": SchedulerHealth(
            status="leader" if leader else "no_leader",
            required=False,
            lease_expires_in_seconds=round(lease - now, 3) if leader else None,
        ),
    }


def _unknown_store_parts() -> dict[str, Any]:
    return {
        "outbox": OutboxHealth(
            status="unknown", required=False, pending=None, oldest_age_seconds=None
        ),
        "dlq": DlqHealth(status="unknown", required=False, size=None),
        "scheduler": SchedulerHealth(
            status="unknown", required=False, lease_expires_in_seconds=None
        ),
    }
