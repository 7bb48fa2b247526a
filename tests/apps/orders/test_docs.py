"""docs/apps/orders.md says what the order bot does: its shell commands and curl calls run as
written, and every route it names is in the OpenAPI document."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import httpx
from click.testing import CliRunner
from sqlalchemy import select

from relaybot.apps.orders.models import Order
from relaybot.cli import main
from relaybot.testing import RelaybotServer, WebchatClient
from tests.needs import need

DOC = Path(__file__).resolve().parents[3] / "docs" / "apps" / "orders.md"
ADMIN = "orders-docs-admin-token-" + "d" * 32


def sh_blocks(title: str) -> list[list[str]]:
    """The lines of each sh block of the section `title` (comments cut, continuations joined)."""
    section = DOC.read_text(encoding="utf-8").split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    blocks = []
    for block in section.split("```sh")[1:]:
        body = block.split("```", 1)[0].replace("\\\n", " ")
        blocks.append(
            [line.split("  #", 1)[0].strip() for line in body.splitlines() if line.strip()]
        )
    return blocks


def relaybot(url: str, line: str) -> str:
    args = shlex.split(line)
    assert args[0] == "relaybot", line
    result = CliRunner().invoke(main, args[1:], env={"RELAYBOT_DATABASE_URL": url})
    assert result.exit_code == 0, f"{line}\n{result.output}"
    return result.output


async def shell_line(url: str, line: str) -> str:
    return await asyncio.to_thread(relaybot, url, line)


async def test_the_shell_and_curl_lines_of_the_doc_run_as_written(make_settings, sqlite_url):
    if shutil.which("curl") is None:
        need("curl", "the doc's REST examples are curl commands")
    settings = make_settings(sqlite_url, admin_token=ADMIN, default_locale="en")
    async with RelaybotServer(settings) as server, WebchatClient(server.url, "orders") as chat:
        await chat.say("/start", expect=2)
        for answer in ("Bishkek, Chui avenue 120, apt 5", "0555 123 456", "3"):
            await chat.say(answer)
        await chat.press("Yes")

        operators = sh_blocks("The operators' chat")
        assert [len(b) for b in operators] == [2, 1]
        assert "is now an operators' chat" in await shell_line(sqlite_url, operators[0][0])
        assert "w2f6c1d9e0a7b4c3d8e5f6a7b" in await shell_line(sqlite_url, operators[0][1])
        assert "no longer" in await shell_line(sqlite_url, operators[1][0])

        (shell,) = sh_blocks("At the shell")
        outputs = [await shell_line(sqlite_url, line) for line in shell]
        assert "+996555123456" in outputs[0] and '"status": "new"' in outputs[1]
        cancelled = 'relaybot orders set-status N cancelled --reason "No bottles left today"'
        assert cancelled in DOC.read_text(encoding="utf-8")

        (curls,) = sh_blocks("REST API")
        port = server.url.rsplit(":", 1)[1]
        env = {**os.environ, "RELAYBOT_ADMIN_TOKEN": ADMIN}
        answers = []
        for line in curls:
            run = await asyncio.to_thread(
                subprocess.run,
                ["bash", "-c", line.replace("127.0.0.1:8080", f"127.0.0.1:{port}")],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
                check=True,
            )
            answers.append(httpx.Response(200, content=run.stdout).json())
        assert answers[0]["total"] == 0, "the order was delivered at the shell already"
        assert answers[1]["detail"].startswith("Order No. 1 is delivered")
        assert server.system is not None
        async with server.system.sessions() as session:
            assert [o.status for o in await session.scalars(select(Order))] == ["delivered"]


async def test_every_route_the_doc_names_is_in_the_openapi_document(make_settings, sqlite_url):
    named = set(re.findall(r"/api/orders(?:/[a-z_{}]+)*", DOC.read_text(encoding="utf-8")))
    async with RelaybotServer(make_settings(sqlite_url)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            paths = set((await http.get("/api/openapi.json")).json()["paths"])
    assert named and named <= paths, named - paths
