"""What every `relaybot` subcommand may use: the settings, read once, and the migrated store.

The root command puts one `Shell` into the click context. Settings are read on first use,
so `relaybot --help` works without a settings file, and `--config` may be given before or
after the subcommand's name (`relaybot --config a.toml run` and `relaybot run --config a.toml`).
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, TypeVar

import click

from relaybot.config import Settings
from relaybot.store.db import SessionMaker

T = TypeVar("T")

SettingsLoader = Callable[[Path | None], Settings]
StoreOpener = Callable[[Settings], AbstractAsyncContextManager[SessionMaker]]


class Shell:
    """The settings file to read, how to read it, and how to open the database."""

    def __init__(
        self, load: SettingsLoader, open_store: StoreOpener, config_path: Path | None = None
    ) -> None:
        self._load = load
        self._open_store = open_store
        self.config_path = config_path
        self._settings: Settings | None = None

    def use_config(self, path: Path) -> None:
        """Read `path` instead of ./relaybot.toml (only before the settings are first read)."""
        if self._settings is not None and path != self.config_path:
            raise click.UsageError("--config comes before anything reads the settings")
        self.config_path = path

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = self._load(self.config_path)
            except Exception as exc:
                raise click.ClickException(f"cannot load settings: {exc}") from exc
        return self._settings

    def open_store(self) -> AbstractAsyncContextManager[SessionMaker]:
        return self._open_store(self.settings)


def shell_of(ctx: click.Context) -> Shell:
    shell = ctx.find_object(Shell)
    if shell is None:
        raise click.UsageError("this command runs under `relaybot`, which reads the settings")
    return shell


def settings_of(ctx: click.Context) -> Settings:
    """The settings of this invocation (read now if nothing has read them yet)."""
    return shell_of(ctx).settings


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion on uvloop (asyncio when uvloop is missing)."""
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(coro)


def with_store(ctx: click.Context, action: Callable[[SessionMaker], Awaitable[T]]) -> T:
    """Run `action(sessions)` against the configured, migrated database."""
    shell = shell_of(ctx)

    async def go() -> T:
        async with shell.open_store() as sessions:
            return await action(sessions)

    return run_async(go())


def cli_actor() -> str:
    """How the audit log names whoever runs a command at the shell."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli:unknown"


def _use_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        shell_of(ctx).use_config(value)


config_option = click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    expose_value=False,
    callback=_use_config,
    help="Settings file (default: ./relaybot.toml when present).",
)
"""`--config PATH` on a subcommand, the same as `relaybot --config PATH <subcommand>`."""
