"""A database already at every head opens without Alembic; one behind is still migrated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from relaybot.config import Settings
from relaybot.store import migrate
from relaybot.store.db import create_engine
from relaybot.store.heads import CORE_VERSIONS, is_current, script_heads
from relaybot.system import _prepare_apps, app_classes, effective_bots, open_store, store_dirs


def _every_dir() -> list[Path]:
    return _prepare_apps(app_classes(effective_bots(Settings())))


def test_the_heads_read_from_the_files_are_alembics_own() -> None:
    dirs = _every_dir()
    config = migrate.alembic_config("sqlite+aiosqlite://", dirs)
    assert CORE_VERSIONS == migrate.MIGRATIONS_DIR / "versions"
    assert script_heads([CORE_VERSIONS, *dirs]) == set(
        ScriptDirectory.from_config(config).get_heads()
    )


def test_the_store_finds_the_bundled_apps_folders_as_the_apps_themselves_name_them() -> None:
    assert store_dirs(effective_bots(Settings())) == _every_dir()


def test_a_revision_file_that_does_not_say_its_revision_plainly_leaves_it_to_alembic(
    tmp_path: Path,
) -> None:
    (tmp_path / "odd.py").write_text("revision = make_one()\ndown_revision = None\n")
    assert script_heads([tmp_path]) is None
    (tmp_path / "odd.py").write_text('revision = "x1"\ndown_revision = "missing"\n')
    assert script_heads([tmp_path]) is None


async def test_a_store_at_its_heads_opens_without_alembic_and_one_behind_does_not(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=sqlite_url)
    dirs = store_dirs(effective_bots(settings))
    upgrades: list[int] = []
    upgrade = migrate.upgrade

    async def counted(*args: Any) -> None:
        upgrades.append(1)
        await upgrade(*args)

    monkeypatch.setattr(migrate, "upgrade", counted)
    engine = create_engine(sqlite_url)
    try:
        assert not await is_current(engine, dirs)  # no database yet
        async with open_store(settings):
            pass
        assert len(upgrades) == 1 and await is_current(engine, dirs)
        async with open_store(settings):
            pass
        assert len(upgrades) == 1
        (core_head,) = script_heads([CORE_VERSIONS]) or set()
        behind = f"{int(core_head) - 1:04d}"
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :behind WHERE version_num = :head"),
                {"behind": behind, "head": core_head},
            )
        assert not await is_current(engine, dirs)
    finally:
        await engine.dispose()
