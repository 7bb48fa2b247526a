"""The root group: `--config`, `--version`, and every subcommand, built in or contributed."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path

import click

from relaybot.cli import admins, audit, bots, dlq, serve, tokens, upkeep
from relaybot.cli.contributed import contributions
from relaybot.config import Settings, load_settings
from relaybot.console import Shell
from relaybot.store.db import SessionMaker


class _Main(click.Group):
    """Adds the command groups of apps and channels (`relaybot orders ...`) when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *contributions()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        load = contributions().get(name)
        return load() if load is not None else None


def _load(config_path: Path | None) -> Settings:
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
    ctx.obj = Shell(_load, _open_store, config_path)


for _command in (
    *serve.COMMANDS,
    dlq.dlq,
    tokens.tokens,
    admins.admins,
    audit.audit,
    bots.bots,
    *upkeep.COMMANDS,
):
    main.add_command(_command)
