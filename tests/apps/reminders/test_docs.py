"""docs/apps/reminders.md runs as written: its curl session against a running relaybot, its
shell commands in order, and every route it names is in the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.reminders import service
from relaybot.apps.reminders.models import Account, ReminderJob
from relaybot.cli import main
from relaybot.config import Settings
from relaybot.testing import RelaybotServer
from tests.needs import need

DOC = Path(__file__).resolve().parents[3] / "docs" / "apps" / "reminders.md"


def sh_blocks(title: str) -> list[str]:
    """Each sh block of the section `title`, as written."""
    section = DOC.read_text(encoding="utf-8").split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```sh\n")[1:]]


def read_json_values(text: str) -> list[Any]:
    """The JSON answers curl printed one after another (without newlines between them)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


def relaybot(url: str, line: str) -> str:
    args = shlex.split(line)
    assert args[0] == "relaybot", line
    result = CliRunner().invoke(main, args[1:], env={"RELAYBOT_DATABASE_URL": url})
    assert result.exit_code == 0, f"{line}\n{result.output}"
    return result.output


async def test_the_curl_session_and_the_shell_lines_run_as_written(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    if shutil.which("curl") is None:
        need("curl", "the doc's REST examples are curl commands")
    settings = make_settings(sqlite_url, default_locale="en")
    async with RelaybotServer(settings) as server:
        (session,) = sh_blocks("REST API")
        port = server.url.rsplit(":", 1)[1]
        script = "set -e\n" + session.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
        run = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=60,
            check=True,
        )
        answers = read_json_values(run.stdout)
        registered, created, read, switched = answers
        assert registered["login"] == "aigul"
        assert created["jobs"][0]["schedule"] == "at 09:00 on Monday to Friday, Asia/Bishkek"
        assert read["id"] == 1 and len(read["jobs"][0]["next_runs"]) == 3
        assert switched["active"] is False
        assert server.system is not None
        async with server.system.sessions() as db, db.begin():
            assert list(await db.scalars(select(ReminderJob))) == []
            aigul = await db.scalar(select(Account).where(Account.login == "aigul"))
            assert aigul is not None
            await service.create_bot(
                db,
                service.Owner(aigul.id),
                "Office",
                "reminders",
                service.JobFields("standup", "aigul", "Stand-up", "0 9 * * 1-5", "Asia/Bishkek"),
                relays=["reminders"],
                now=time.time(),
            )

    (shell,) = sh_blocks("At the shell")
    lines = [line for line in shell.splitlines() if line.strip()]
    outputs = [await asyncio.to_thread(relaybot, sqlite_url, line) for line in lines]
    assert "account 2 boss registered" in outputs[0]
    assert "aigul" in outputs[1] and "boss" in outputs[1]
    assert json.loads(outputs[2])[0]["name"] == "Office"
    assert "standup" in outputs[3] and "09:00" in outputs[3] and "Asia/Bishkek" in outputs[3]
    assert "job 1 is inactive" in outputs[4]
    assert "earlier tokens are revoked" in outputs[5]
    assert "bot 1 deleted with 1 job(s)" in outputs[6]


async def test_every_route_the_doc_names_is_in_the_openapi_document(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    named = set(re.findall(r"/api/reminders(?:/[a-z_{}-]+)*", DOC.read_text(encoding="utf-8")))
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            paths = set((await http.get("/api/openapi.json")).json()["paths"])
    assert len(named) >= 8 and named <= paths, named - paths
