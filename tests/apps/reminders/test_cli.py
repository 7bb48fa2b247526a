"""`relaybot reminders ...` at the shell: what it refuses, it names, and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import CliRunner, Result

from relaybot.cli import main
from relaybot.config import Settings


def relaybot(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"RELAYBOT_DATABASE_URL": url})


def test_the_operator_commands_refuse_clearly_and_change_nothing(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    bad_login = relaybot(
        sqlite_url, "reminders", "users", "add", "Not A Login", "--password", "long enough"
    )
    assert bad_login.exit_code == 1 and "login: a login has 3 to 64 characters" in bad_login.output
    short = relaybot(sqlite_url, "reminders", "users", "add", "aigul", "--password", "short")
    assert short.exit_code == 1 and "password: a password needs at least 8" in short.output
    assert json.loads(relaybot(sqlite_url, "reminders", "users", "list", "--json").output) == []

    added = relaybot(sqlite_url, "reminders", "users", "add", "aigul", "--password", "long enough")
    assert added.exit_code == 0, added.output
    again = relaybot(sqlite_url, "reminders", "users", "add", "aigul", "--password", "long enough")
    assert again.exit_code == 1 and "login: the login 'aigul' is taken" in again.output

    nobody = relaybot(
        sqlite_url, "reminders", "users", "password", "nobody", "--password", "long enough"
    )
    assert nobody.exit_code == 1 and "no account 'nobody'" in nobody.output
    no_bot = relaybot(sqlite_url, "reminders", "bots", "delete", "7")
    assert no_bot.exit_code == 1 and "no bot 7" in no_bot.output
    no_job = relaybot(sqlite_url, "reminders", "jobs", "switch", "7", "on")
    assert no_job.exit_code == 1 and "no job 7" in no_job.output
    assert "no reminder bots yet" in relaybot(sqlite_url, "reminders", "bots", "list").output
