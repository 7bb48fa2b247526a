"""The hot queries read indexes, so a store with a long history stays as fast as a new one."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from relaybot.core.types import Update
from relaybot.runtime.queue import DbQueue
from relaybot.store.dialogs import SqlStateStorage
from relaybot.system import open_store


def captured_selects(sessions: Any) -> tuple[list[tuple[str, Any]], Any]:
    """SELECT statements the store runs from now on, and a function that stops recording."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append((sql, params))

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", record)
    return statements, lambda: event.remove(engine, "before_cursor_execute", record)


def plan(db_file: Path, sql: str, params: Any) -> str:
    with sqlite3.connect(db_file) as con:
        rows = con.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " / ".join(str(row[-1]) for row in rows)


async def test_the_worker_finds_pending_updates_and_dialog_states_without_scanning_history(
    make_settings, sqlite_url, tmp_path: Path
) -> None:
    settings = make_settings(sqlite_url)
    db_file = tmp_path / "relaybot.db"
    async with open_store(settings) as sessions:
        queue = DbQueue(sessions)
        await queue.put_many(
            [
                Update(
                    channel="webchat",
                    bot="orders",
                    chat_id=str(n % 7),
                    user_id=str(n % 7),
                    update_id=str(n),
                    text="hi",
                    received_at=time.time(),
                )
                for n in range(50)
            ]
        )
        statements, stop = captured_selects(sessions)
        await queue.fetch(10)
        async with sessions() as session:
            await SqlStateStorage(session).prefetch([("orders", "1"), ("orders", "2")])
        stop()

    fetch_sql, prefetch_sql = statements[0], statements[-1]
    assert "USING INDEX ix_inbound_updates_pending" in plan(db_file, *fetch_sql)
    assert "SEARCH dialog_states USING INDEX" in plan(db_file, *prefetch_sql)
