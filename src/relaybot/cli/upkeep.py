"""`relaybot prune`, `relaybot backup PATH`, `relaybot restore PATH`: keeping a store healthy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from relaybot.console import settings_of, with_store
from relaybot.store.db import SessionMaker, in_use, sqlite_path


@click.command()
@click.pass_context
def prune(ctx: click.Context) -> None:
    """Remove what the retention settings no longer keep, now (the scheduler does it too)."""
    from relaybot.runtime.retention import Pruner

    settings = settings_of(ctx)

    async def go(sessions: SessionMaker) -> dict[str, int]:
        return await Pruner(settings=settings, sessions=sessions).prune()

    removed = with_store(ctx, go)
    if not removed:
        click.echo("nothing to prune")
        return
    for table, count in sorted(removed.items()):
        click.echo(f"{table}: {count} row(s) removed")


def _database(ctx: click.Context) -> Path:
    database = sqlite_path(settings_of(ctx).database_url)
    if database is None:
        raise click.ClickException(
            "backup and restore copy an SQLite file; for PostgreSQL use pg_dump and "
            "pg_restore (docs/operations.md)"
        )
    return database


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def backup(ctx: click.Context, path: Path) -> None:
    """Copy the SQLite database to PATH, consistently, while relaybot runs."""
    database = _database(ctx)
    if not database.exists():
        raise click.ClickException(f"there is no database at {database} yet")
    if path.exists():
        raise click.ClickException(f"{path} exists already; give a new file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(path)
    try:
        # SQLite's online backup: a consistent snapshot, however busy the writer is.
        source.backup(target, pages=1024, sleep=0.005)
    finally:
        target.close()
        source.close()
    click.echo(f"backed up {database} to {path} ({path.stat().st_size / 1e6:.1f} MB)")


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@click.pass_context
def restore(ctx: click.Context, path: Path, yes: bool) -> None:
    """Put a backup made by `relaybot backup` back, while nothing runs."""
    database = _database(ctx)
    _check_backup(path)
    if database.exists():
        if in_use(database):
            raise click.ClickException(
                f"relaybot is running on {database}; stop every relaybot process first"
            )
        if not yes:
            click.confirm(f"replace {database} with {path}?", abort=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"restored {database} from {path}")


def _check_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            (verdict,) = db.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{path} is not an SQLite database: {exc}") from None
    if verdict != "ok":
        raise click.ClickException(f"{path} is damaged: {verdict}")
    if "inbound_updates" not in tables:
        raise click.ClickException(f"{path} is not a relaybot database")


COMMANDS = (prune, backup, restore)
