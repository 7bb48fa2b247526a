"""Retention: old rows go in small batches, recent ones stay, a repeat is still dropped."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import func, insert, select

from relaybot.cli import main
from relaybot.core.clock import ManualClock
from relaybot.core.types import Update
from relaybot.runtime.queue import DbQueue
from relaybot.runtime.retention import Pruner
from relaybot.store.db import SessionMaker
from relaybot.store.models import (
    AuditEntry,
    DialogOutcome,
    DialogStateRow,
    InboundUpdate,
    MessageLog,
    OutboxMessage,
)
from relaybot.system import open_store

DAY = 86400.0


def update(n: int, *, at: float) -> Update:
    return Update(
        channel="webchat",
        bot="orders",
        chat_id=f"c{n}",
        user_id=f"c{n}",
        update_id=f"u{n}",
        text="hi",
        received_at=at,
    )


async def count(sessions: SessionMaker, model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def age_everything(sessions: SessionMaker, *, days: float, outbox: int) -> None:
    """Rows a long-running deployment has piled up, `days` old."""
    then = time.time() - days * DAY
    then_utc = datetime.fromtimestamp(then, UTC)
    async with sessions() as session, session.begin():
        await session.execute(
            insert(OutboxMessage),
            [
                {
                    "bot": "orders",
                    "channel": "webchat",
                    "chat_id": f"c{n}",
                    "payload": b"{}",
                    "status": "sent" if n % 5 else "pending",
                    "attempts": 1,
                    "next_attempt_at": then,
                    "created_at": then,
                    "trace_id": "",
                }
                for n in range(outbox)
            ],
        )
        await session.execute(
            insert(MessageLog),
            [
                {
                    "bot": "orders",
                    "chat_id": "c1",
                    "client_id": "c1",
                    "message_id": f"m{n}",
                    "text": "hi",
                    "dialog_state": "address",
                    "success": True,
                    "created_at": then_utc,
                }
                for n in range(3)
            ],
        )
        await session.execute(
            insert(AuditEntry).values(at=then_utc, actor="cli:ops", channel="cli", action="x")
        )


async def test_old_rows_go_in_batches_and_what_is_kept_stays(make_settings, database_url):
    settings = make_settings(database_url, retention_outbox_days=7, retention_message_logs_days=90)
    async with open_store(settings) as sessions:
        await age_everything(sessions, days=100, outbox=25)  # 20 sent, 5 still pending
        await age_everything(sessions, days=1, outbox=5)  # recent: all kept
        pruner = Pruner(settings=settings, sessions=sessions, chunk=6, pause=0)
        removed = await pruner.prune()

        assert removed == {"outbox": 20, "message_logs": 3}
        assert await count(sessions, OutboxMessage) == 10  # 5 old but undelivered, 5 recent
        assert await count(sessions, MessageLog) == 3
        assert await count(sessions, AuditEntry) == 2, "the audit log is kept two years"
        assert await pruner.prune() == {}


async def test_a_repeat_inside_the_idempotency_window_is_still_dropped_after_pruning(
    make_settings, sqlite_url
):
    settings = make_settings(
        sqlite_url, retention_processed_updates_days=1, queue_dedup_seconds=int(3 * DAY)
    )
    async with open_store(settings) as sessions:
        queue = DbQueue(sessions)
        now = time.time()
        assert await queue.put_many([update(1, at=now - 2 * DAY), update(2, at=now - 4 * DAY)])
        async with sessions() as session, session.begin():
            await session.execute(InboundUpdate.__table__.update().values(status="done"))
        await Pruner(settings=settings, sessions=sessions).prune()

        # two days old: past the retention, inside the 3-day repeat window -> kept, dropped
        assert await queue.put_many([update(1, at=now)]) == [False]
        # four days old: past both -> gone, so the same id is news again
        assert await queue.put_many([update(2, at=now)]) == [True]


async def test_a_dialog_left_half_way_is_recorded_as_abandoned_at_its_step(
    make_settings, sqlite_url
):
    settings = make_settings(sqlite_url)
    async with open_store(settings) as sessions:
        started = datetime.now(UTC) - timedelta(days=2)
        async with sessions() as session, session.begin():
            await session.execute(
                insert(DialogStateRow),
                [
                    {
                        "bot": "orders",
                        "chat_id": chat,
                        "flow": "order",
                        "step": step,
                        "data": {},
                        "started_at": started,
                        "updated_at": started + timedelta(minutes=3),
                        "expires_at": expires,
                        "messages": 3,
                    }
                    for chat, step, expires in (
                        ("gone", "phone", started + timedelta(days=1)),
                        ("still-here", "bottles", datetime.now(UTC) + timedelta(hours=5)),
                    )
                ],
            )
        clock = ManualClock()
        removed = await Pruner(settings=settings, sessions=sessions, clock=clock).prune()
        assert removed == {"dialog_states": 1}
        async with sessions() as session:
            outcome = (await session.scalars(select(DialogOutcome))).one()
            left = list(await session.scalars(select(DialogStateRow.chat_id)))
        assert left == ["still-here"]
        assert (outcome.chat_id, outcome.completed, outcome.dropoff_state, outcome.reason) == (
            "gone",
            False,
            "phone",
            "expired",
        )
        assert outcome.duration_seconds == 180 and outcome.total_messages == 3


def test_relaybot_prune_says_what_it_removed(make_settings, sqlite_url) -> None:
    env = {"RELAYBOT_DATABASE_URL": sqlite_url}
    first = CliRunner().invoke(main, ["prune"], env=env)
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "nothing to prune"
