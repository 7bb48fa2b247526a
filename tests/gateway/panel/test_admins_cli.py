"""`relaybot admins`: accounts made, listed and disabled from the command line, each audited,
a bad name, role, zone or password refused with a message and nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from relaybot.cli import main


def relaybot(env: dict[str, str], *args: str, typed: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, input=typed)
    return result.exit_code, result.output


def test_an_admin_makes_lists_and_disables_console_accounts(tmp_path: Path) -> None:
    env = {"RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    code, out = relaybot(env, "admins", "list")
    assert code == 0 and "no console accounts yet" in out
    code, out = relaybot(
        env,
        "admins",
        "create",
        "Dispatcher",
        "--grant",
        "orders",
        "--time-zone",
        "Asia/Bishkek",
        "--password-stdin",
        typed="correct horse battery\n",
    )
    assert code == 0 and "account dispatcher (operator) created" in out
    code, out = relaybot(env, "admins", "list", "--json")
    [account] = json.loads(out)
    assert account["grants"] == ["orders"] and account["time_zone"] == "Asia/Bishkek"
    assert "password" not in out and "argon2" not in out
    for args, typed, why in (
        (["dispatcher"], "correct horse battery\n", "already"),
        (["bob"], "short\n", "at least 8"),
        (["bad name!"], "correct horse battery\n", "user name"),
        (["carol", "--time-zone", "Mars/Olympus"], "correct horse battery\n", "time zone"),
        (["dave", "--grant", "Orders Desk"], "correct horse battery\n", "grant"),
    ):
        code, out = relaybot(env, "admins", "create", *args, "--password-stdin", typed=typed)
        assert code == 1 and why in out, out
    assert len(json.loads(relaybot(env, "admins", "list", "--json")[1])) == 1
    code, out = relaybot(env, "admins", "disable", "dispatcher")
    assert code == 0 and "disabled" in out
    code, out = relaybot(env, "admins", "disable", "dispatcher")
    assert code == 1 and "no active account" in out
    code, out = relaybot(env, "audit", "list", "--json")
    actions = [entry["action"] for entry in json.loads(out)]
    assert actions == ["console.account_disable", "console.account_create"]
