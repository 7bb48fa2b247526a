"""Turns py-spy's collapsed stacks into "where the time goes": by library, and hot functions.

python bench/profile_summary.py relaybot.collapsed
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

# The first pattern found in a frame's file names the area; the innermost frame decides.
AREAS = (
    ("relaybot/", "relaybot's own code"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("aiosqlite/", "aiosqlite + SQLite (its thread)"),
    ("sqlite3/", "aiosqlite + SQLite (its thread)"),
    ("asyncpg/", "asyncpg"),
    ("aiogram/", "aiogram (Bot API client and types)"),
    ("pydantic", "pydantic"),
    ("aiohttp/", "aiohttp (HTTP client)"),
    ("uvicorn/", "uvicorn + Starlette + FastAPI"),
    ("starlette/", "uvicorn + Starlette + FastAPI"),
    ("fastapi/", "uvicorn + Starlette + FastAPI"),
    ("httptools", "uvicorn + Starlette + FastAPI"),
    ("structlog/", "structlog"),
    ("prometheus_client/", "prometheus-client"),
    ("msgspec", "msgspec"),
    ("json/", "json"),
    ("asyncio/", "event loop (asyncio/uvloop)"),
    ("uvloop", "event loop (asyncio/uvloop)"),
    ("threading.py", "threads (waiting for SQLite's results)"),
    ("queue.py", "threads (waiting for SQLite's results)"),
)
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")


def area_of(file: str) -> str:
    for pattern, name in AREAS:
        if pattern in file:
            return name
    return "other (Python runtime, typing, logging, ...)"


def parse(line: str) -> tuple[list[tuple[str, str]], int]:
    stack, _, count = line.rstrip().rpartition(" ")
    frames = []
    for raw in stack.split(";"):
        match = _FRAME.match(raw)
        frames.append((match["func"], match["file"]) if match else (raw, ""))
    return frames, int(count)


def summarize(path: Path, *, top: int = 15) -> dict[str, Any]:
    by_area: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        frames, count = parse(line)
        total += count
        by_area[area_of(frames[-1][1])] += count
        seen: set[str] = set()
        for func, file in frames:
            # the command and its event loop runner are the root of every stack
            is_root = "relaybot/cli/" in file or file.endswith("relaybot/console/shell.py")
            if "relaybot/" in file and not is_root:
                name = f"{file.split('relaybot/', 1)[1].removesuffix('.py')}.{func}"
                if name not in seen:
                    seen.add(name)
                    inclusive[name] += count
    if total == 0:
        return {"samples": 0, "by_area": {}, "relaybot": []}
    return {
        "samples": total,
        "by_area": {k: 100 * v / total for k, v in by_area.most_common()},
        "relaybot": [(k, 100 * v / total) for k, v in inclusive.most_common(top)],
    }


def main() -> None:
    summary = summarize(Path(sys.argv[1]), top=int(sys.argv[2]) if len(sys.argv) > 2 else 25)
    print(f"{summary['samples']} samples")
    for name, share in summary["by_area"].items():
        print(f"{share:6.1f}%  {name}")
    print("relaybot, inclusive:")
    for name, share in summary["relaybot"]:
        print(f"{share:6.1f}%  {name}")


if __name__ == "__main__":
    main()
