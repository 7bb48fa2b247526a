"""The console's first account is made exactly as README.md and docs/operations.md say, and
signs in."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from relaybot.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long pass phrase"


def _commands(document: str) -> list[str]:
    text = (ROOT / document).read_text(encoding="utf-8")
    return [line.strip() for line in re.findall(r"^.*relaybot admins .*$", text, flags=re.M)]


def _run(command: str, env: dict[str, str], typed: str = "") -> str:
    """Run a documented line through the CLI: a `printf ... |` before it becomes its input."""
    if "|" in command:
        feed, command = (part.strip() for part in command.split("|", 1))
        words = shlex.split(feed)
        assert words[:2] == ["printf", "%s\\n"], feed
        typed = "".join(f"{w}\n" for w in words[2:])
    words = shlex.split(command.split(" #", 1)[0])
    assert words[0] in ("relaybot", ".venv/bin/relaybot"), command
    result = CliRunner().invoke(main, words[1:], env=env, input=typed)
    assert result.exit_code == 0, f"{command}\n{result.output}"
    return result.output


@pytest.mark.parametrize("document", ["README.md", "docs/operations.md"])
def test_the_documented_admins_commands_run_as_written(tmp_path: Path, document: str) -> None:
    env = {"RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}"}
    commands = _commands(document)
    assert commands, f"{document} shows no relaybot admins command"
    created = 0
    for command in commands:
        if " create " in command and "|" not in command:
            output = _run(command, env, typed=f"{PASSWORD}\n{PASSWORD}\n")
        elif " create " in command:
            env = {"RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'piped.db'}"}
            output = _run(command, env)
        else:
            output = _run(command, env)
        created += "created; sign in at /admin" in output
    assert created >= 1
    listing = CliRunner().invoke(main, ["admins", "list", "--json"], env=env)
    assert listing.exit_code == 0 and '"username": "alice"' in listing.output
