"""The root group: `--config`, `--version`, and every subcommand, built in or contributed.

Subcommands are registered by name in `relaybot.cli.commands` and imported when used, so
`relaybot --help` costs little more than starting Python and click.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from relaybot.cli.commands import BUILT_IN, CONTRIBUTED
from relaybot.cli.contributed import contributions

if TYPE_CHECKING:
    from relaybot.config import Settings
    from relaybot.store.db import SessionMaker


class _Main(click.Group):
    """Loads a subcommand's module when the subcommand is asked for; `--help` lists them all
    from their registered summaries without importing any."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *BUILT_IN, *contributions()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        if name in BUILT_IN:
            return BUILT_IN[name].load()
        load = contributions().get(name)
        return load() if load is not None else None

    def _lines(self, ctx: click.Context) -> list[tuple[str, str | click.Command]]:
        """(name, summary) of every visible subcommand; one without a registered summary is
        imported and gives its command instead."""
        lines: list[tuple[str, str | click.Command]] = []
        for name in self.list_commands(ctx):
            if name in BUILT_IN and name not in self.commands:
                lines.append((name, BUILT_IN[name].summary))
            elif name in CONTRIBUTED and name not in self.commands:
                known = CONTRIBUTED[name]
                if known is not None:
                    lines.append((name, known.summary))
            else:
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    lines.append((name, command))
        return lines

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lines = self._lines(ctx)
        if not lines:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in lines)
        # A registered summary is cut to the width the way click cuts a command's own help.
        rows = [
            (name, (click.Command(name, help=line) if isinstance(line, str) else line))
            for name, line in lines
        ]
        with formatter.section("Commands"):
            formatter.write_dl([(name, c.get_short_help_str(limit)) for name, c in rows])


def _load(config_path: Path | None) -> Settings:
    from relaybot.config import load_settings
    from relaybot.runtime.logs import configure_logging, register_settings_secrets

    settings = load_settings(config_path)
    configure_logging(settings.log_level, settings.log_format)
    register_settings_secrets(settings)
    return settings


def _open_store(settings: Settings) -> AbstractAsyncContextManager[SessionMaker]:
    from relaybot.system import open_store

    return open_store(settings)


@click.group(cls=_Main)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Settings file (default: ./relaybot.toml when present).",
)
@click.version_option(package_name="relaybot")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """relaybot: messenger bots for real work, on one channel-neutral core."""
    from relaybot.console import Shell

    ctx.obj = Shell(_load, _open_store, config_path)
