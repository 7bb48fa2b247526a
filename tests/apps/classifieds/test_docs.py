"""docs/apps/classifieds.md works as written: its shell walkthrough runs, its options exist."""

from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner

from relaybot.cli import main
from tests.apps.classifieds.test_cli import add_posted_ad

DOC = Path(__file__).resolve().parents[3] / "docs" / "apps" / "classifieds.md"


def shell_block(title: str) -> list[str]:
    """The `relaybot ...` lines of the first sh block after the heading `title`."""
    section = DOC.read_text(encoding="utf-8").split(f"## {title}", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_shell_walkthrough_runs_as_written(make_settings, sqlite_url, monkeypatch):
    make_settings(sqlite_url)
    monkeypatch.setenv("RELAYBOT_DATABASE_URL", sqlite_url)
    commands = shell_block("At the shell")
    assert len(commands) == 8
    for line in commands:
        args = shlex.split(line)
        assert args[0] == "relaybot"
        result = CliRunner().invoke(main, args[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        if args[1:3] == ["classifieds", "demo-data"]:
            assert add_posted_ad() == 1
    [first, second] = shell_block("Try it in two minutes")
    result = CliRunner().invoke(main, shlex.split(first)[1:])
    assert result.exit_code == 0 and "already there" in result.output
    assert shlex.split(second) == ["relaybot", "run"]


def test_every_option_the_doc_lists_is_read_by_the_apps():
    source = "".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).resolve().parents[3] / "src/relaybot/apps/classifieds").glob(
            "*.py"
        )
    )
    text = DOC.read_text(encoding="utf-8")
    options = [
        line.split("|")[1].strip().strip("`")
        for section in text.split("### Bot options")[1:]
        for line in section.split("\n## ")[0].splitlines()
        if line.startswith("| `")
    ]
    assert len(options) >= 10
    for option in options:
        for name in option.replace("`", "").split(", "):
            assert f'"{name}"' in source, name


def test_the_telegram_configuration_of_the_doc_loads(tmp_path, make_settings, sqlite_url):
    make_settings(sqlite_url)
    block = DOC.read_text(encoding="utf-8").split("```toml", 1)[1].split("```", 1)[0]
    config = tmp_path / "relaybot.toml"
    config.write_text(block, encoding="utf-8")
    from relaybot.apps import load_app_class
    from relaybot.config import load_settings

    settings = load_settings(config)
    assert [(b.name, b.app, b.channel) for b in settings.bots] == [
        ("garage", "classifieds", "telegram"),
        ("garage_alerts", "classifieds-filter", "telegram"),
    ]
    for bot in settings.bots:
        app = load_app_class(bot.app)(bot, settings)
        assert app.router is not None
