"""An operator backs the SQLite store up while relaybot runs, and restores it when it is stopped."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from relaybot.cli import main
from relaybot.testing import RelaybotServer, WebchatClient


async def shell(env: dict[str, str], *args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), env=env)


def orders_said(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM inbound_updates").fetchone()[0])


async def test_a_backup_taken_under_load_restores_every_message(make_settings, tmp_path: Path):
    database = tmp_path / "live.db"
    url = f"sqlite+aiosqlite:///{database}"
    env = {"RELAYBOT_DATABASE_URL": url}
    copy = tmp_path / "backups" / "monday.db"
    async with RelaybotServer(make_settings(url)) as server:
        async with WebchatClient(server.url, "orders") as chat:
            await chat.say("hello", expect=2)
            talking = asyncio.create_task(chat.say("Bishkek, Chui avenue 120"))
            made = await shell(env, "backup", str(copy))
            await talking
            assert made.exit_code == 0, made.output
            assert f"backed up {database} to {copy}" in made.output

            again = await shell(env, "backup", str(copy))
            assert again.exit_code == 1 and "exists already" in again.output
            refused = await shell(env, "restore", str(copy), "--yes")
            assert refused.exit_code == 1
            assert "relaybot is running" in refused.output and "stop every" in refused.output

    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
    in_backup = orders_said(copy)
    assert in_backup >= 1

    await asyncio.sleep(0)  # the server has stopped: its leader lease was given up
    restored = await shell(env, "restore", str(copy), "--yes")
    assert restored.exit_code == 0, restored.output
    assert orders_said(database) == in_backup


async def test_restore_refuses_what_is_not_a_relaybot_backup(make_settings, tmp_path: Path):
    env = {"RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"}
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database at all, just some notes " * 100)
    answer = await shell(env, "restore", str(junk), "--yes")
    assert answer.exit_code == 1 and "is not an SQLite database" in answer.output
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE shopping (item TEXT)")
    answer = await shell(env, "restore", str(other), "--yes")
    assert answer.exit_code == 1 and "is not a relaybot database" in answer.output


async def test_postgresql_is_pointed_at_pg_dump(make_settings, tmp_path: Path):
    env = {"RELAYBOT_DATABASE_URL": "postgresql+asyncpg://relaybot@127.0.0.1/relaybot"}
    answer = await shell(env, "backup", str(tmp_path / "x.db"))
    assert answer.exit_code == 1 and "pg_dump" in answer.output
