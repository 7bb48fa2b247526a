"""`/health` for load balancers and `/metrics` for Prometheus."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import func, select, text

from relaybot.runtime import metrics
from relaybot.runtime.queue import InboundQueue
from relaybot.store.db import SessionMaker
from relaybot.store.models import DeadLetter, OutboxMessage


class Health(BaseModel):
    status: str
    store: str
    queue_depth: int | None = None
    oldest_pending_age_seconds: float | None = None
    error: str | None = None


METRICS_TYPE = CONTENT_TYPE_LATEST.split(";")[0]


def health_router(
    sessions: SessionMaker, queue: InboundQueue, *, max_pending_age: float
) -> APIRouter:
    """Unhealthy (503) when the store is unreachable or the oldest pending update is too old."""
    router = APIRouter(tags=["operations"])

    @router.get(
        "/health",
        response_model=Health,
        responses={503: {"model": Health, "description": "The store or the queue is unwell."}},
    )
    async def health() -> JSONResponse:
        try:
            async with asyncio.timeout(5):
                async with sessions() as session:
                    await session.execute(text("SELECT 1"))
                stats = await queue.stats()
        except Exception as exc:
            return JSONResponse(
                {"status": "unhealthy", "store": "unreachable", "error": type(exc).__name__},
                status_code=503,
            )
        stale = stats.oldest_age is not None and stats.oldest_age > max_pending_age
        body = {
            "status": "unhealthy" if stale else "ok",
            "store": "ok",
            "queue_depth": stats.depth,
            "oldest_pending_age_seconds": (
                None if stats.oldest_age is None else round(stats.oldest_age, 3)
            ),
        }
        return JSONResponse(body, status_code=503 if stale else 200)

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
