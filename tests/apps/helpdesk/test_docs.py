"""docs/apps/helpdesk.md says what the help desk does: its commands run and its routes exist."""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from click.testing import CliRunner

from relaybot.apps.helpdesk import demands, people
from relaybot.apps.helpdesk.models import HelpdeskUser
from relaybot.cli import main
from relaybot.config import Settings
from relaybot.gateway.app import create_app
from relaybot.system import build_system, open_store

DOC = Path(__file__).resolve().parents[3] / "docs" / "apps" / "helpdesk.md"


def shell_block(title: str) -> list[str]:
    """The `relaybot ...` lines of the first sh block after the heading `title`."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {title}", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_shell_walkthrough_of_the_doc_runs_as_written(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url)

    async def someone_writes() -> None:
        async with open_store(settings) as sessions, sessions() as session, session.begin():
            now = datetime.now(UTC)
            session.add(
                HelpdeskUser(
                    bot="helpdesk",
                    chat_id="w1",
                    channel="webchat",
                    user_id="w1",
                    is_moderator=False,
                    is_admin=False,
                    created_at=now,
                    last_seen=now,
                )
            )

    async def someone_asks() -> None:
        async with open_store(settings) as sessions, sessions() as session, session.begin():
            actor = await people.load_actor(session, 1)
            await demands.create(
                session, actor, scenario_id=1, text="Bandages", now=datetime.now(UTC), max_open=5
            )

    asyncio.run(someone_writes())
    commands = shell_block("At the shell")
    assert len(commands) >= 10
    for line in commands:
        if line.startswith("relaybot helpdesk demands list"):
            asyncio.run(someone_asks())
        args = shlex.split(line)
        assert args[0] == "relaybot"
        result = CliRunner().invoke(main, args[1:], env={"RELAYBOT_DATABASE_URL": sqlite_url})
        assert result.exit_code == 0, f"{line}\n{result.output}"
    for line in shell_block("Try it in two minutes")[:1] + shell_block("Try it in two minutes")[2:]:
        result = CliRunner().invoke(
            main, shlex.split(line)[1:], env={"RELAYBOT_DATABASE_URL": sqlite_url}
        )
        assert result.exit_code == 0, f"{line}\n{result.output}"


async def test_every_route_the_doc_names_is_in_the_openapi_document(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    named = set(re.findall(r"/api/helpdesk/[a-z_/{}]*[a-z}]", DOC.read_text(encoding="utf-8")))
    system = await build_system(make_settings(sqlite_url))
    try:
        transport = httpx.ASGITransport(app=create_app(system))
        async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
            paths = set((await client.get("/api/openapi.json")).json()["paths"])
    finally:
        await system.close()
    documented = {p for p in named if p.count("/") > 2}
    assert documented, "the doc names no routes"
    assert documented <= paths, documented - paths
