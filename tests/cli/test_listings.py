"""Every listing prints the same way: an aligned table for people, one JSON array for scripts;
apps and channels add their commands through one hook; `--config` goes before or after."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from relaybot import Column, json_option, print_rows
from relaybot.cli import main
from relaybot.cli.contributed import contributions
from relaybot.config import Settings
from relaybot.store.models import DeadLetter
from relaybot.system import open_store
from tests.needs import need


@click.command()
@json_option
def fruit(as_json: bool) -> None:
    rows = [
        {"id": 7, "name": "apple", "note": "crisp", "price": 1.5},
        {"id": 1234, "name": "a very long fruit name indeed", "note": None, "price": 12.25},
    ]
    columns = (
        Column("id", "ID", right=True),
        Column("name", "NAME", width=12),
        Column("note", "NOTE"),
        Column("price", "PRICE", right=True),
    )
    print_rows(rows, columns, as_json=as_json, empty="no fruit")


def test_a_listing_is_an_aligned_table_with_long_values_cut() -> None:
    lines = CliRunner().invoke(fruit, []).output.splitlines()
    assert lines == [
        "  ID  NAME          NOTE   PRICE",
        "   7  apple         crisp    1.5",
        "1234  a very long…         12.25",
    ]


def test_a_value_with_line_breaks_stays_on_its_row() -> None:
    rows = [{"id": 1, "error": "Bad Request:\n  chat not found"}]
    lines = print_table(rows)
    assert lines == ["ID  ERROR", " 1  Bad Request: chat not found"]


def print_table(rows: list[dict[str, object]]) -> list[str]:
    @click.command()
    def errors() -> None:
        columns = (Column("id", "ID", right=True), Column("error", "ERROR"))
        print_rows(rows, columns, as_json=False, empty="")

    return CliRunner().invoke(errors, []).output.splitlines()


def test_with_json_a_listing_is_one_array_with_every_field_uncut() -> None:
    rows = json.loads(CliRunner().invoke(fruit, ["--json"]).output)
    assert [row["name"] for row in rows] == ["apple", "a very long fruit name indeed"]
    assert rows[1]["note"] is None


def test_an_empty_listing_says_so_or_prints_an_empty_array() -> None:
    @click.command()
    @json_option
    def nothing(as_json: bool) -> None:
        print_rows([], (Column("id", "ID"),), as_json=as_json, empty="nothing here")

    assert CliRunner().invoke(nothing, []).output == "nothing here\n"
    assert json.loads(CliRunner().invoke(nothing, ["--json"]).output) == []


def test_jq_reads_the_dead_letter_listing(make_settings, sqlite_url) -> None:
    if shutil.which("jq") is None:
        need("jq", "the command is not installed (`.ci/run` installs Debian's jq)")
    settings: Settings = make_settings(sqlite_url)

    async def two_dead_letters() -> None:
        async with open_store(settings) as sessions, sessions() as session, session.begin():
            for n, chat in enumerate(("c1", "c2"), 1):
                session.add(
                    DeadLetter(
                        outbox_id=n,
                        bot="orders",
                        channel="webchat",
                        chat_id=chat,
                        payload=b'{"text":"hi"}',
                        attempts=5,
                        last_error="gone",
                        created_at=time.time(),
                        failed_at=time.time(),
                    )
                )

    asyncio.run(two_dead_letters())
    env = {"RELAYBOT_DATABASE_URL": sqlite_url}
    listed = CliRunner().invoke(main, ["dlq", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    chats = subprocess.run(
        ["jq", "-r", ".[].chat_id"], input=listed.output, capture_output=True, text=True, check=True
    )
    assert chats.stdout.split() == ["c1", "c2"]
    table = CliRunner().invoke(main, ["dlq", "list"], env=env).output.splitlines()
    assert table[0].split() == ["ID", "FAILED", "AT", "(UTC)", "BOT", "CHAT", "TRIES", "ERROR"]
    assert [line.split()[4] for line in table[1:]] == ["c1", "c2"]


def test_apps_and_channels_contribute_their_command_groups_through_one_hook() -> None:
    contributed = contributions()
    assert {"orders", "helpdesk", "booking", "telegram"} <= set(contributed)
    assert all(contributed[name]() is not None for name in ("booking", "telegram"))
    listed = CliRunner().invoke(main, ["--help"]).output
    assert "telegram" in listed and "helpdesk" in listed
    telegram = CliRunner().invoke(main, ["telegram", "--help"])
    assert telegram.exit_code == 0 and "set-webhook" in telegram.output


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_config_may_be_given_before_or_after_the_subcommand(
    make_settings, tmp_path: Path, before: bool
) -> None:
    # make_settings: away from the developer's own relaybot.toml and RELAYBOT_* variables
    database = tmp_path / "elsewhere.db"
    config = tmp_path / "site.toml"
    config.write_text(f'database_url = "sqlite+aiosqlite:///{database}"\n', encoding="utf-8")
    option = ["--config", str(config)]
    args = [*option, "migrate"] if before else ["migrate", *option]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "database is up to date" in result.output and database.exists()


@pytest.mark.parametrize("role", ["run", "gateway", "worker", "sender", "scheduler", "migrate"])
def test_every_serving_role_takes_config_after_its_name(role: str) -> None:
    result = CliRunner().invoke(main, [role, "--config", "site.toml", "--help"])
    assert result.exit_code == 0, result.output
    assert "--config FILE" in result.output
