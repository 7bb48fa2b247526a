"""`relaybot --help` lists every subcommand without importing one, and each listed summary is
the command's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from relaybot.cli import main
from relaybot.cli.commands import BUILT_IN, CONTRIBUTED
from relaybot.cli.contributed import contributions, hooks
from relaybot.config import Settings
from relaybot.system import open_store
from relaybot.testing.processes import relaybot_env


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


def _modules_after(script: str, env: dict[str, str] | None = None) -> list[str]:
    """The modules a fresh Python process holds after running `script`."""
    report = "import sys, json\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    done = subprocess.run(
        [sys.executable, "-c", script + report],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


def _command(args: list[str]) -> str:
    return (
        "from relaybot.cli import main\n"
        "try:\n"
        f"    main({args!r}, prog_name='relaybot')\n"
        "except SystemExit:\n"
        "    pass\n"
    )


def test_help_imports_no_command_no_app_no_channel_and_no_database_layer() -> None:
    loaded = _modules_after(_command(["--help"]))
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


async def test_orders_list_on_a_migrated_store_imports_only_the_orders_commands(
    sqlite_url: str,
) -> None:
    async with open_store(Settings(database_url=sqlite_url)):
        pass
    env = relaybot_env({"RELAYBOT_DATABASE_URL": sqlite_url})
    loaded = _modules_after(_command(["orders", "list"]), env)
    assert "relaybot.apps.orders.cli" in loaded
    heavy = ("aiogram", "alembic", "fastapi", "relaybot.gateway", "relaybot.flows.engine")
    others = tuple(f"relaybot.apps.{app}." for app in ("booking", "helpdesk", "classifieds"))
    assert [name for name in loaded if name.startswith((*heavy, *others))] == []


def test_the_parts_for_web_chat_bots_only_import_no_other_channel(tmp_path: Path) -> None:
    script = (
        "import asyncio\n"
        "from relaybot.config import load_settings\n"
        "from relaybot.gateway.app import create_app\n"
        "from relaybot.system import build_system\n"
        "async def serve():\n"
        "    system = await build_system(load_settings(None))\n"
        "    create_app(system, roles=('gateway', 'worker', 'sender', 'scheduler', 'caller'))\n"
        "    await system.close()\n"
        "asyncio.run(serve())\n"
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'relaybot.db'}"
    loaded = _modules_after(script, relaybot_env({"RELAYBOT_DATABASE_URL": url}))
    assert "relaybot.channels.webchat" in loaded
    others = ("aiogram", "relaybot.channels.telegram", "relaybot.channels.mattermost")
    # The other channels' option models (a few pydantic fields each) give the REST API's bot
    # shapes; their code stays unloaded.
    settings_only = {f"{channel}{part}" for channel in others[1:] for part in ("", ".options")}
    settings_only |= {"relaybot.channels.chat2desk", "relaybot.channels.chat2desk.options"}
    assert [
        name
        for name in loaded
        if name.startswith((*others, "relaybot.channels.chat2desk")) and name not in settings_only
    ] == []
