"""`relaybot --help` lists every subcommand without importing one, and each listed summary is
the command's own."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from relaybot.cli import main
from relaybot.cli.commands import BUILT_IN, CONTRIBUTED
from relaybot.cli.contributed import contributions, hooks


def _summary(command: click.Command | None) -> str | None:
    return None if command is None else command.get_short_help_str(limit=1000)


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_a_built_in_command_is_listed_with_its_own_summary(name: str) -> None:
    entry = BUILT_IN[name]
    command = entry.load()
    assert command.name == name
    assert _summary(command) == _summary(click.Command(name, help=entry.summary))


def test_an_app_or_channel_group_is_registered_where_it_lives_with_its_own_summary() -> None:
    own = {name: load() for name, load in hooks().items()}
    for name, known in CONTRIBUTED.items():
        assert name in own, f"{name!r} is registered but no app or channel contributes it"
        if known is None:
            assert own[name] is None
            continue
        assert known.load() is own[name]
        assert _summary(own[name]) == _summary(click.Command(name, help=known.summary))


def test_help_lists_what_it_would_list_by_importing_every_command() -> None:
    listed = CliRunner().invoke(main, ["--help"])
    assert listed.exit_code == 0, listed.output
    shown = [line.split()[0] for line in listed.output.split("Commands:")[1].splitlines() if line]
    everything = {*BUILT_IN, *(name for name, load in contributions().items() if load())}
    assert shown == sorted(everything)


def _modules_after(args: list[str]) -> list[str]:
    script = (
        "import sys, json\n"
        "from relaybot.cli import main\n"
        "try:\n"
        f"    main({args!r}, prog_name='relaybot')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


def test_help_imports_no_command_no_app_no_channel_and_no_database_layer() -> None:
    loaded = _modules_after(["--help"])
    heavy = (
        "aiogram",
        "sqlalchemy",
        "fastapi",
        "pydantic_settings",
        "relaybot.apps.",
        "relaybot.channels.",
        "relaybot.system",
        "relaybot.gateway",
        "relaybot.cli.serve",
        "relaybot.cli.bots",
    )
    light = ("relaybot.channels.registry",)  # which channel has commands: names only
    assert [name for name in loaded if name.startswith(heavy) and name not in light] == []
