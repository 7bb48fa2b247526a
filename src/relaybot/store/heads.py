"""Whether a database already stands at every migration head, told without Alembic.

Every CLI command opens the store migrated, and nearly always there is nothing to apply:
importing Alembic and running its scripts only to learn that costs most of a short command's
time. Here the heads are read from the revision files' own `revision` and `down_revision`
lines and compared with the database's `alembic_version`; anything unexpected (a file that
cannot be read that way, a missing table, another set of versions) answers "not known to be
current", and the caller runs Alembic as before.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# The core chain's revisions (`relaybot.store.migrate` adds the apps' and channels' folders).
CORE_VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


def _literal_assignments(path: Path) -> dict[str, object] | None:
    """The module-level `name = literal` assignments of a revision file (annotated or not)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    found: dict[str, object] = {}
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if not isinstance(target, ast.Name) or value is None:
            continue
        try:
            found[target.id] = ast.literal_eval(value)
        except ValueError:
            found[target.id] = ValueError
    return found


def _names(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def script_heads(version_dirs: Iterable[Path]) -> set[str] | None:
    """The revisions no other revision names as its `down_revision`, or None when a file in
    `version_dirs` does not say its revisions plainly."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for folder in version_dirs:
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("__"):
                continue
            found = _literal_assignments(path)
            if found is None or not isinstance(found.get("revision"), str):
                return None
            down = _names(found.get("down_revision"))
            if down is None:
                return None
            revisions.add(str(found["revision"]))
            parents.update(down)
    if not parents <= revisions:
        return None
    return revisions - parents


async def stands_at(engine: AsyncEngine, heads: set[str]) -> bool:
    """Whether the database's recorded versions are exactly `heads`."""
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            recorded = {str(row[0]) for row in rows}
    except Exception:  # no table yet, or no database: let Alembic say
        return False
    return recorded == heads


async def is_current(engine: AsyncEngine, app_dirs: Sequence[Path]) -> bool:
    """True only when the database certainly needs no migration: not from the core chain,
    nor from `app_dirs` (what `relaybot.store.migrate.upgrade` would be given)."""
    heads = script_heads([CORE_VERSIONS, *app_dirs])
    return heads is not None and bool(heads) and await stands_at(engine, heads)
