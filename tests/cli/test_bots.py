"""An operator manages bots at the shell: `relaybot bots ...` against the embedded SQLite."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet
from sqlalchemy import select

from relaybot.cli import main
from relaybot.store.models import AuditEntry, BotRow
from relaybot.system import open_store
from relaybot.testing import MattermostStandin, TelegramStandin

TOKEN = "123456789:AAH-shop-one-token-abcdefghijklmnop"
OTHER_TOKEN = "987654321:AAH-other-token-abcdefghijklmnopq"


@pytest.fixture
def cli_env(make_settings: Any, sqlite_url: str) -> dict[str, str]:
    make_settings(sqlite_url)  # isolates the environment and the working directory
    return {"RELAYBOT_DATABASE_URL": sqlite_url, "RELAYBOT_LOG_LEVEL": "warning"}


def bots(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["bots", *args], env=env, input=stdin)


def listed(env: dict[str, str]) -> list[dict[str, Any]]:
    result = bots(env, "list", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


async def stored_rows(make_settings: Any, url: str) -> list[BotRow]:
    async with open_store(make_settings(url)) as sessions, sessions() as session:
        return list(await session.scalars(select(BotRow).order_by(BotRow.name)))


async def audited(make_settings: Any, url: str) -> list[str]:
    async with open_store(make_settings(url)) as sessions, sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_operator_adds_changes_disables_and_removes_bots(
    cli_env, make_settings, sqlite_url, tmp_path: Path
):
    added = bots(
        cli_env,
        "add",
        "shop1",
        "--app",
        "orders",
        "--channel",
        "telegram",
        "--mode",
        "polling",
        "--token",
        "-",
        "--title",
        "Shop one",
        stdin=TOKEN + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "bot shop1 added (telegram, app orders)" in added.output
    key_file = tmp_path / "data" / "bots.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "made a new key for bot credentials" in added.output

    web = bots(cli_env, "add", "kiosk", "--app", "helpdesk", "--option", "greeting=hi")
    assert web.exit_code == 0, web.output

    rows = {row["name"]: row for row in listed(cli_env)}
    assert {name: row["source"] for name, row in rows.items()} == {
        "booking": "bundled",
        "classifieds": "bundled",
        "classifieds-filter": "bundled",
        "helpdesk": "bundled",
        "kiosk": "database",
        "orders": "bundled",
        "reminders": "bundled",
        "shop1": "database",
    }
    assert rows["shop1"]["token"] == "123456789:***"
    assert rows["kiosk"]["options"] == {"greeting": "hi"}

    table = bots(cli_env, "list").output.splitlines()
    assert table[0].split() == [
        "NAME",
        "APP",
        "CHANNEL",
        "MODE",
        "ENABLED",
        "DEFINED",
        "IN",
        "TOKEN",
    ]
    assert any(
        line.split()[:6] == ["shop1", "orders", "telegram", "polling", "yes", "database"]
        for line in table
    )

    shown = bots(cli_env, "show", "shop1")
    assert "title           Shop one" in shown.output
    updated = bots(
        cli_env, "update", "shop1", "--option", "per_chat_per_second=5", "--token", OTHER_TOKEN
    )
    assert updated.exit_code == 0 and "bot shop1 updated" in updated.output
    as_json = json.loads(bots(cli_env, "show", "shop1", "--json").output)
    assert as_json["options"] == {"per_chat_per_second": 5}
    assert as_json["token"] == "987654321:***" and as_json["revision"] == 2
    dropped = bots(cli_env, "update", "shop1", "--remove-option", "per_chat_per_second")
    assert dropped.exit_code == 0, dropped.output
    assert json.loads(bots(cli_env, "show", "shop1", "--json").output)["options"] == {}

    assert bots(cli_env, "disable", "shop1").output.strip() == "bot shop1 is disabled"
    assert bots(cli_env, "disable", "shop1").output.strip() == "bot shop1 was disabled"
    assert {r["name"]: r["enabled"] for r in listed(cli_env)}["shop1"] is False
    assert bots(cli_env, "enable", "shop1").output.strip() == "bot shop1 is enabled"
    assert bots(cli_env, "remove", "kiosk").output.strip() == "bot kiosk removed"
    assert "kiosk" not in {r["name"] for r in listed(cli_env)}

    outputs = "".join(r.output for r in (added, web, shown, updated))
    assert TOKEN not in outputs and OTHER_TOKEN not in outputs
    (row,) = asyncio.run(stored_rows(make_settings, sqlite_url))
    assert row.credentials is not None
    assert OTHER_TOKEN.encode() not in row.credentials and b"AAH" not in row.credentials
    assert row.changed_by.startswith("cli:")
    assert asyncio.run(audited(make_settings, sqlite_url)) == [
        "bot.add",
        "bot.add",
        "bot.update",
        "bot.update",
        "bot.disable",
        "bot.enable",
        "bot.remove",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--channel", "telegram", "--token", "123:abc"], "token: not a Telegram token"),
        (["--channel", "telegram"], "token: a Telegram bot needs the token"),
        (["--app", "no-such-app"], "app: unknown app 'no-such-app'"),
        (["--app", "relaybot.nothing:Here"], "app: cannot import 'relaybot.nothing:Here'"),
        (["--channel", "mattermost", "--token", "mm-token-123456"], "api_base: set it to"),
        (
            [
                "--channel",
                "mattermost",
                "--token",
                "mm-token-123456",
                "--api-base",
                "http://127.0.0.1:9",
            ],
            "webhook_secret: set it to the slash command's token",
        ),
        (["--channel", "chat2desk", "--token", "c2d-token-12345"], "webhook_secret: a Chat2Desk"),
        (["--channel", "pigeon"], "channel: unknown channel 'pigeon'"),
        (
            ["--channel", "telegram", "--token", TOKEN, "--option", "per_bot_burst=0"],
            "options: invalid options: per_bot_burst",
        ),
        (["--api-base", "ftp://example"], "api_base: 'ftp://example' is not an http(s) URL"),
    ],
)
def test_a_bot_that_would_not_work_is_refused_naming_the_field(cli_env, args, message):
    full = ["add", "newbot", *(["--app", "orders"] if "--app" not in args else []), *args]
    result = bots(cli_env, *full)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and TOKEN not in result.output
    assert "newbot" not in {row["name"] for row in listed(cli_env)}


def test_a_name_that_is_taken_is_refused_and_the_first_bot_stays(cli_env, tmp_path: Path):
    assert bots(cli_env, "add", "shop1", "--app", "orders").exit_code == 0
    again = bots(cli_env, "add", "shop1", "--app", "helpdesk")
    assert again.exit_code == 1 and "a bot named 'shop1' exists already" in again.output
    bundled = bots(cli_env, "add", "orders", "--app", "orders")
    assert bundled.exit_code == 1 and "bundled web chat bot" in bundled.output
    (tmp_path / "relaybot.toml").write_text(
        '[[bots]]\nname = "desk"\napp = "helpdesk"\nchannel = "webchat"\n'
    )
    in_toml = bots(cli_env, "add", "desk", "--app", "orders")
    assert in_toml.exit_code == 1 and "bot 'desk' is defined in relaybot.toml" in in_toml.output
    change_toml = bots(cli_env, "disable", "desk")
    assert change_toml.exit_code == 1 and "relaybot.toml" in change_toml.output
    assert {r["name"]: r["app"] for r in listed(cli_env)}["shop1"] == "orders"
    missing = bots(cli_env, "remove", "nobody")
    assert missing.exit_code == 1 and "no bot named 'nobody'" in missing.output
    nothing = bots(cli_env, "update", "shop1")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.output


async def test_check_asks_the_channel_whose_credentials_the_bot_has(cli_env):
    async with TelegramStandin(tokens=[TOKEN]) as telegram, MattermostStandin() as mattermost:
        mattermost.add_bot("mm-personal-token-1234", username="deskbot")
        steps = [
            [
                "add",
                "tg",
                "--app",
                "orders",
                "--channel",
                "telegram",
                "--mode",
                "polling",
                "--token",
                TOKEN,
                "--api-base",
                telegram.url,
            ],
            [
                "add",
                "tgwrong",
                "--app",
                "orders",
                "--channel",
                "telegram",
                "--mode",
                "polling",
                "--token",
                OTHER_TOKEN,
                "--api-base",
                telegram.url,
            ],
            [
                "add",
                "mm",
                "--app",
                "helpdesk",
                "--channel",
                "mattermost",
                "--token",
                "mm-personal-token-1234",
                "--webhook-secret",
                "slash-secret",
                "--api-base",
                mattermost.url,
            ],
            ["check", "tg"],
            ["check", "tgwrong"],
            ["check", "mm"],
            ["check", "orders"],
        ]
        results = [await asyncio.to_thread(bots, cli_env, *step) for step in steps]
    *adds, tg, wrong, mm, web = results
    assert all(r.exit_code == 0 for r in adds), [r.output for r in adds]
    assert tg.exit_code == 0
    assert "Telegram knows this bot: @relay123456789_bot (id 123456789)" in tg.output
    assert "no webhook set" in tg.output
    assert wrong.exit_code == 1 and "Telegram refused the token: Unauthorized" in wrong.output
    assert mm.exit_code == 0 and "Mattermost signs this token in as @deskbot" in mm.output
    assert web.exit_code == 0 and "nothing to check" in web.output
    every = "".join(r.output for r in results)
    assert TOKEN not in every and OTHER_TOKEN not in every and "mm-personal-token" not in every


def _run(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relaybot.cli", "run", "--port", "0"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_wrong_or_malformed_key_is_refused_at_start_without_a_traceback(cli_env, tmp_path: Path):
    import os

    key = Fernet.generate_key().decode()
    env = {**cli_env, "RELAYBOT_BOTS_KEY": key}
    added = bots(
        env,
        "add",
        "shop1",
        "--app",
        "orders",
        "--channel",
        "telegram",
        "--mode",
        "polling",
        "--token",
        TOKEN,
    )
    assert added.exit_code == 0, added.output
    assert not (tmp_path / "data" / "bots.key").exists()  # a given key is never written down

    base = {k: v for k, v in os.environ.items() if not k.startswith("RELAYBOT_")}
    wrong = _run({**base, **cli_env, "RELAYBOT_BOTS_KEY": Fernet.generate_key().decode()}, tmp_path)
    assert wrong.returncode == 1
    assert "does not open the stored credentials of bot 'shop1'" in wrong.stderr
    assert "Traceback" not in wrong.stderr and TOKEN not in wrong.stderr

    malformed = _run({**base, **cli_env, "RELAYBOT_BOTS_KEY": "not-a-key"}, tmp_path)
    assert malformed.returncode == 1 and "is not a Fernet key" in malformed.stderr
    assert "Traceback" not in malformed.stderr

    listing = bots({**cli_env, "RELAYBOT_BOTS_KEY": Fernet.generate_key().decode()}, "list")
    assert listing.exit_code == 1 and "does not open the stored credentials" in listing.output


def test_a_name_in_relaybot_toml_and_in_the_database_is_refused_at_start(cli_env, tmp_path: Path):
    import os

    assert bots(cli_env, "add", "desk", "--app", "helpdesk").exit_code == 0
    (tmp_path / "relaybot.toml").write_text(
        '[[bots]]\nname = "desk"\napp = "helpdesk"\nchannel = "webchat"\n'
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("RELAYBOT_")}
    started = _run({**base, **cli_env}, tmp_path)
    assert started.returncode == 1
    assert "bot 'desk' is defined both in relaybot.toml and in the database" in started.stderr
    assert "Traceback" not in started.stderr
