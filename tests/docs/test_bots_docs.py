"""The `relaybot bots` commands of docs/configuration.md, run as written, in their order."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from relaybot.cli import main
from relaybot.testing import TelegramStandin

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
TOKEN = "424242424:AAH-documented-bot-token-abcdefghij"


def documented_bots_commands() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Bots in the database", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.startswith("relaybot bots")]


async def test_every_bots_command_of_the_configuration_page_runs_as_written(
    make_settings, sqlite_url
):
    make_settings(sqlite_url)  # isolates the environment and the working directory
    env = {"RELAYBOT_DATABASE_URL": sqlite_url, "RELAYBOT_LOG_LEVEL": "warning"}
    commands = documented_bots_commands()
    assert len(commands) >= 10

    def run(args: list[str], stdin: str | None = None) -> tuple[int, str]:
        result = CliRunner().invoke(main, args, env=env, input=stdin)
        return result.exit_code, result.output

    outputs: dict[str, str] = {}
    async with TelegramStandin() as telegram:
        for line in commands:
            args = shlex.split(line)[1:]
            stdin = TOKEN + "\n" if "-" in args else None
            code, output = await asyncio.to_thread(run, args, stdin)
            assert code == 0, f"{line}\n{output}"
            outputs[line] = output
            if args[:3] == ["bots", "add", "shop1"]:
                # Not in the docs: this test's Telegram is the local stand-in.
                point = ["bots", "update", "shop1", "--api-base", telegram.url]
                assert (await asyncio.to_thread(run, point))[0] == 0
    listed = json.loads(outputs["relaybot bots list --json"])
    assert {b["name"]: b["source"] for b in listed}["shop1"] == "database"
    assert "Telegram knows this bot: @relay424242424_bot" in outputs["relaybot bots check shop1"]
    assert outputs["relaybot bots remove kiosk"].strip() == "bot kiosk removed"
    assert all(TOKEN not in output for output in outputs.values())
