"""The people's REST section of docs/apps/helpdesk.md runs as written: an admin issues a
token at the shell, and the curl calls with it create, take and stream."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.helpdesk import catalog
from relaybot.apps.helpdesk.models import Demand, HelpdeskUser, Place, Resource
from relaybot.cli import main
from relaybot.config import Settings
from relaybot.testing import RelaybotServer
from tests.needs import need

from .rest_people import JWT_SECRET

DOC = Path(__file__).resolve().parents[3] / "docs" / "apps" / "helpdesk.md"


def sh_blocks(title: str) -> list[str]:
    """Each sh block of the section `title` (with its subsections), as a shell gets it."""
    section = DOC.read_text(encoding="utf-8").split(f"### {title}", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0].strip() for block in section.split("```sh")[1:]]


async def seed(settings: Settings, server: RelaybotServer) -> None:
    """Seven people and three categories, so the doc's user 7 and scenario 3 exist."""
    assert server.system is not None
    now = datetime.now(UTC)
    async with server.system.sessions() as session, session.begin():
        place = await catalog.add_named(session, Place, "Bishkek", "", now)
        for name in ("Food", "Medicine", "Bread"):
            kind = await catalog.add_named(session, Resource, name, "", now)
            await catalog.add_scenario(
                session, place_id=place.id, resource_id=kind.id, description="", now=now
            )
        for n in range(1, 8):
            session.add(
                HelpdeskUser(
                    bot="helpdesk",
                    chat_id=f"person-{n}",
                    channel="webchat",
                    user_id=f"person-{n}",
                    is_moderator=False,
                    is_admin=False,
                    created_at=now,
                    last_seen=now,
                )
            )


async def test_the_token_and_the_curl_calls_of_the_doc_run_as_written(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    if shutil.which("curl") is None:
        need("curl", "the doc's REST examples are curl commands")
    settings = make_settings(sqlite_url, jwt_secret=JWT_SECRET, default_locale="en")
    env = {
        **os.environ,
        "RELAYBOT_DATABASE_URL": sqlite_url,
        "RELAYBOT_JWT_SECRET": JWT_SECRET,
        "RELAYBOT_LOG_LEVEL": "warning",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    async with RelaybotServer(settings) as server:
        await seed(settings, server)
        port = server.url.rsplit(":", 1)[1]
        issue, calls, stream = sh_blocks("People's own calls: the whole life of a request")
        token = await asyncio.to_thread(CliRunner().invoke, main, issue.split()[1:], env=env)
        assert token.exit_code == 0 and token.output.count(".") == 2, token.output

        def bash(script: str, timeout: float) -> str:
            script = script.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
            try:
                run = subprocess.run(
                    ["bash", "-c", script], env=env, capture_output=True, timeout=timeout
                )
            except subprocess.TimeoutExpired as streaming:
                return (streaming.stdout or b"").decode()
            assert run.returncode == 0, run.stderr.decode()
            return run.stdout.decode()

        created = await asyncio.to_thread(bash, calls, 60)
        assert '"status":"new"' in created and '"description":"We need bread"' in created
        # The stream stays open: what curl printed in its first seconds is read.
        opened = await asyncio.to_thread(bash, f"TOKEN={token.output.strip()}\n{stream}", 3)
        assert opened.startswith(": connected")
        assert server.system is not None
        async with server.system.sessions() as session:
            asked = list(await session.scalars(select(Demand)))
        assert [(d.requester_id, d.scenario_id, d.description) for d in asked] == [
            (7, 3, "We need bread")
        ]
