"""Liveness, readiness and health per part: an orchestrator and a person each learn what is down."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import event, insert, update

from relaybot.runtime.retention import Pruner
from relaybot.runtime.scheduler import LEADER_LEASE
from relaybot.store.models import DeadLetter, InboundUpdate, Lease, OutboxMessage
from relaybot.testing import RelaybotServer
from relaybot.testing.telegram_standin import TelegramStandin
from tests.channels.helpers import TELEGRAM_SECRET, telegram_bot

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _json_blocks(document: Path) -> list[str]:
    return re.findall(r"```json\n(.*?)```", document.read_text(encoding="utf-8"), re.S)


def _shape(value: Any) -> Any:
    """The keys of a JSON answer, nested, without its figures."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return None


async def test_a_healthy_gateway_reports_each_part_with_its_figures(make_settings, sqlite_url):
    async with RelaybotServer(make_settings(sqlite_url), roles=("gateway",)) as server:
        assert server.system is not None
        async with server.system.sessions() as session, session.begin():
            await session.execute(
                insert(OutboxMessage).values(
                    bot="orders",
                    channel="webchat",
                    chat_id="c",
                    payload=b"{}",
                    status="pending",
                    attempts=0,
                    next_attempt_at=time.time(),
                    created_at=time.time() - 30,
                )
            )
        async with httpx.AsyncClient(base_url=server.url) as http:
            live = await http.get("/livez")
            ready = await http.get("/readyz")
            health = await http.get("/health")
            document = (await http.get("/api/openapi.json")).json()

    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "failing": []}
    assert health.status_code == 200
    parts = health.json()["parts"]
    assert parts["database"] == {"status": "ok", "required": True, "error": None}
    assert parts["redis"]["status"] == "not_used" and parts["redis"]["required"] is False
    assert parts["queue"]["status"] == "ok" and parts["queue"]["depth"] == 0
    assert parts["outbox"]["pending"] == 1 and parts["outbox"]["oldest_age_seconds"] >= 30
    assert parts["dlq"] == {"status": "ok", "required": False, "size": 0}
    assert parts["scheduler"]["status"] == "no_leader", "this process runs no scheduler"

    paths = document["paths"]
    assert set(paths["/livez"]["get"]["responses"]) >= {"200"}
    for route in ("/readyz", "/health"):
        assert {"200", "503"} <= set(paths[route]["get"]["responses"]), route
    documented = json.loads(_json_blocks(OPERATIONS)[1])
    assert _shape(documented) == _shape(health.json()), "docs/operations.md shows the real shape"


async def test_a_lost_database_makes_readyz_name_it_while_livez_stays_200(
    make_settings, sqlite_url
):
    async with RelaybotServer(make_settings(sqlite_url), roles=("gateway",)) as server:
        assert server.system is not None
        engine = server.system.engine
        gone = True

        @event.listens_for(engine.sync_engine, "connect")
        def _unreadable(_dbapi_connection: Any, _record: Any) -> None:
            if gone:
                raise sqlite3.OperationalError("unable to open database file")

        await engine.dispose()  # every connection from now on fails
        async with httpx.AsyncClient(base_url=server.url) as http:
            live = await http.get("/livez")
            ready = await http.get("/readyz")
            health = await http.get("/health")
            gone = False
            back = await http.get("/readyz")

    assert live.status_code == 200
    assert ready.status_code == 503
    assert "database" in ready.json()["failing"]
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "unhealthy" and body["store"] == "unreachable"
    assert body["parts"]["database"]["status"] == "down"
    assert "unable to open" not in health.text, "the kind of failure, never its message"
    assert body["parts"]["dlq"]["status"] == "unknown"
    assert back.status_code == 200, "ready again by itself once the database is back"


async def test_redis_on_a_closed_port_makes_readyz_name_the_queue(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, queue_url=CLOSED_PORT)
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            live = await http.get("/livez")
            ready = await http.get("/readyz")
            health = await http.get("/health")

    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["redis", "queue"], "the database is fine"
    assert ready.json() == json.loads(_json_blocks(OPERATIONS)[0]), "as docs/operations.md shows"
    parts = health.json()["parts"]
    assert health.status_code == 503
    assert parts["database"]["status"] == "ok"
    assert parts["redis"]["status"] == "down" and parts["redis"]["required"] is True
    assert parts["queue"]["status"] == "down" and parts["queue"]["depth"] is None


async def test_with_redis_up_the_queue_in_redis_is_ready_and_counted(
    make_settings, sqlite_url, redis_url, redis_namespace
):
    settings = make_settings(sqlite_url, queue_url=redis_url, queue_namespace=redis_namespace)
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            ready = await http.get("/readyz")
            health = await http.get("/health")
    assert ready.status_code == 200, ready.text
    parts = health.json()["parts"]
    assert parts["redis"] == {"status": "ok", "required": True, "error": None}
    assert parts["queue"]["status"] == "ok" and parts["queue"]["depth"] == 0
    assert redis_url not in health.text


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_webhook_answers_are_timed_by_channel(make_settings, sqlite_url):
    async with TelegramStandin() as telegram:
        settings = make_settings(sqlite_url, bots=[telegram_bot(telegram)])
        before = _sample("relaybot_webhook_seconds_count", channel="telegram")
        unknown = _sample("relaybot_webhook_seconds_count", channel="unknown")
        async with RelaybotServer(settings, roles=("gateway",)) as server:
            async with httpx.AsyncClient(base_url=server.url) as http:
                headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
                answer = await http.post(
                    "/webhook/telegram/water", json={"update_id": 1}, headers=headers
                )
                refused = await http.post("/webhook/nosuch/water", json={})
                text = (await http.get("/metrics")).text
    assert answer.status_code == 200 and refused.status_code == 404
    assert _sample("relaybot_webhook_seconds_count", channel="telegram") == before + 1
    assert _sample("relaybot_webhook_seconds_count", channel="unknown") == unknown + 1
    assert 'relaybot_webhook_seconds_bucket{channel="telegram",le="0.1"}' in text


async def test_pruning_counts_the_rows_it_removes_by_table(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, retention_dlq_days=1)
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        assert server.system is not None
        sessions = server.system.sessions
        async with sessions() as session, session.begin():
            for n in range(3):
                await session.execute(
                    insert(DeadLetter).values(
                        outbox_id=n + 1,
                        bot="orders",
                        channel="webchat",
                        chat_id=f"c{n}",
                        payload=b"{}",
                        attempts=5,
                        last_error="refused",
                        created_at=time.time() - 3 * 86400,
                        failed_at=time.time() - 3 * 86400,
                    )
                )
        before = _sample("relaybot_pruned_rows_total", table="dead_letters")
        removed = await Pruner(settings=settings, sessions=sessions).prune()
        async with httpx.AsyncClient(base_url=server.url) as http:
            text = (await http.get("/metrics")).text
    assert removed["dead_letters"] == 3
    assert _sample("relaybot_pruned_rows_total", table="dead_letters") == before + 3
    assert 'relaybot_pruned_rows_total{table="dead_letters"}' in text


async def test_a_worker_that_stopped_leaves_health_stale_but_the_process_live_and_ready(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url, health_max_pending_age=60)
    async with RelaybotServer(settings, roles=("gateway",)) as server:
        assert server.system is not None
        async with server.system.sessions() as session, session.begin():
            await session.execute(
                insert(InboundUpdate).values(
                    bot="orders",
                    update_id="old-1",
                    channel="webchat",
                    chat_id="c",
                    partition=0,
                    payload=b"{}",
                    trace_id="t",
                    received_at=time.time() - 120,
                    status="pending",
                    attempts=0,
                )
            )
        async with httpx.AsyncClient(base_url=server.url) as http:
            health = await http.get("/health")
            ready = await http.get("/readyz")
            live = await http.get("/livez")
    assert health.status_code == 503
    assert health.json()["parts"]["queue"]["status"] == "stale"
    assert ready.status_code == 200, "the process itself can work: it is not its fault"
    assert live.status_code == 200


async def test_the_scheduler_leader_shows_in_health_until_its_lease_runs_out(
    make_settings, sqlite_url
):
    async with RelaybotServer(make_settings(sqlite_url), roles=("gateway",)) as server:
        assert server.system is not None
        async with server.system.sessions() as session, session.begin():
            await session.execute(
                insert(Lease).values(
                    name=LEADER_LEASE, holder="elsewhere:1", expires_at=time.time() + 20
                )
            )
        async with httpx.AsyncClient(base_url=server.url) as http:
            led = (await http.get("/health")).json()["parts"]["scheduler"]
            async with server.system.sessions() as session, session.begin():
                await session.execute(update(Lease).values(expires_at=time.time() - 1))
            lapsed = (await http.get("/health")).json()["parts"]["scheduler"]
    assert led["status"] == "leader" and 0 < led["lease_expires_in_seconds"] <= 20
    assert "elsewhere" not in str(led), "which host leads is not published"
    assert lapsed == {"status": "no_leader", "required": False, "lease_expires_in_seconds": None}
