"""The docs work as written: the example of docs/writing-a-bot.md, and every `relaybot` command."""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from relaybot.cli import main
from relaybot.config import BotConfig
from relaybot.testing import RelaybotServer, WebchatClient, free_port
from relaybot.testing.processes import RelaybotProcess, relaybot_env

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


async def test_the_feedback_example_collects_a_rating_and_a_comment(make_settings, sqlite_url):
    sys.path.insert(0, str(EXAMPLES))
    try:
        bot = BotConfig(name="feedback", app="feedback:FeedbackApp")
        settings = make_settings(sqlite_url, bots=[bot], webchat_for_bundled_apps=False)
        async with RelaybotServer(settings) as server:
            async with WebchatClient(server.url, "feedback") as chat:
                greeting = await chat.say("hi", expect=2)
                assert "Two questions" in greeting[0]["text"]
                reply = await chat.say("7")
                assert "from 1 to 5" in reply[0]["text"]
                await chat.press("5")
                await chat.say("Fast and friendly")
                done = await chat.press("Yes")
                assert "rated us 5 of 5" in done[-1]["text"]
    finally:
        sys.path.remove(str(EXAMPLES))


ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# Commands that only read (or only bring the schema up to date) run as written; the rest,
# which change data or call Telegram, are checked to parse with --help appended.
RUN_AS_WRITTEN = {
    ("audit", "list"),
    ("bots", "list"),
    ("booking", "list"),
    ("classifieds", "list"),
    ("dlq", "list"),
    ("helpdesk", "demands", "list"),
    ("helpdesk", "scenarios", "list"),
    ("helpdesk", "users"),
    ("migrate",),
    ("orders", "list"),
    ("reminders", "bots", "list"),
    ("reminders", "jobs", "list"),
    ("reminders", "users", "list"),
    ("tokens", "list"),
}
_COMMAND = re.compile(r"^(?:ExecStart=)?(?:\S*/)?relaybot(?=\s)")


def documented_commands() -> list[tuple[str, list[str], bool]]:
    """Every `relaybot ...` command in a code block of README.md and docs/: where it is, its
    arguments, and whether it is a synopsis (`[--day YYYY-MM-DD]`) rather than a command."""
    found: list[tuple[str, list[str], bool]] = []
    for document in DOCUMENTS:
        in_block = False
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                in_block = not in_block
                continue
            if not in_block:
                continue
            for part in re.split(r"\s*&&?\s*|\s*;\s*", line.split(" #", 1)[0].strip()):
                if _COMMAND.match(part):
                    # a synopsis's [optional] parts are written out: each must parse
                    words = shlex.split(_COMMAND.sub("relaybot", part).translate({91: "", 93: ""}))
                    where = f"{document.relative_to(ROOT)}:{number}"
                    found.append((where, words[1:], "[" in part))
    return found


def _read_only(args: list[str]) -> bool:
    words = tuple(arg for arg in args if not arg.startswith("-"))
    return any(words[: len(command)] == command for command in RUN_AS_WRITTEN)


def test_every_documented_command_parses_and_the_read_only_ones_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a ./relaybot.toml named by a command is looked for here
    (tmp_path / "relaybot.toml").write_text("", encoding="utf-8")
    env = {"RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}"}
    commands = documented_commands()
    assert len(commands) >= 30
    ran = 0
    for where, args, synopsis in commands:
        if _read_only(args) and not synopsis:
            result = CliRunner().invoke(main, args, env=env)
            ran += 1
            if "--json" in args:
                assert isinstance(json.loads(result.output), list), f"{where}: {result.output}"
        else:
            result = CliRunner().invoke(main, [*args, "--help"], env=env)
            assert "Usage:" in result.output, f"{where}: {args}\n{result.output}"
        assert result.exit_code == 0, f"{where}: relaybot {shlex.join(args)}\n{result.output}"
    assert ran >= 7


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["run", "--config", "relaybot.toml"], ["--config", "relaybot.toml", "run"]],
    ids=["after-run", "before-run"],
)
async def test_relaybot_run_with_a_config_file_starts_and_serves(
    tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "relaybot.toml").write_text(
        f'database_url = "sqlite+aiosqlite:///{tmp_path / "relaybot.db"}"\nlog_level = "warning"\n',
        encoding="utf-8",
    )
    process = RelaybotProcess(
        args, env=relaybot_env({}), workdir=tmp_path, name="run", port=free_port()
    )
    try:
        await process.start(timeout=60)
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{process.url}/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
    finally:
        await process.stop()
    assert (tmp_path / "relaybot.db").exists(), process.tail()


def test_a_missing_config_file_is_named_without_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    for args in (["migrate", "--config", str(missing)], ["--config", str(missing), "migrate"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1
        assert f"config file {missing} does not exist" in result.output
        assert "Traceback" not in result.output
