"""Adding, changing and removing stored bots: the one place the CLI and `/api/bots` go through.

A change is validated (per channel, naming the field), stored with its audit entry, then
announced so every process serves it; a Telegram bot in webhook mode with `public_url` set is
pointed at relaybot (`setWebhook` with its secret) when it starts serving and let go
(`deleteWebhook`) when it stops.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from relaybot.apps import load_app_class
from relaybot.channels.registry import AdapterDeps
from relaybot.config import BotConfig, Settings
from relaybot.core.app import App
from relaybot.fleet.definition import has_secrets, split, to_config, view
from relaybot.fleet.probe import DEADLINE as PROBE_DEADLINE
from relaybot.fleet.probe import Probe, delete_telegram_webhook, probe, set_telegram_webhook
from relaybot.fleet.registry import bundled_webchat_bots, import_code_of
from relaybot.fleet.validate import check_builds, check_fields, invalid, parse
from relaybot.security.bot_keys import BotCipher, BotKeyError
from relaybot.store import bots as bots_store
from relaybot.store.bots import BotConflict, BotMissing, BotUnavailable, StoredBot

Announce = Callable[[str], Awaitable[None]]
Prepare = Callable[[type[App]], Awaitable[None]]
FIELDS = ("name", "app", "channel", "title", "token", "webhook_secret", "mode", "api_base")
_ABSENT = object()


@dataclass
class Outcome:
    """A change's result: the bot as now shown (masked) and what else happened."""

    bot: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    unchanged: bool = False  # asked for what already was (enable an enabled bot)


class BotManager:
    def __init__(
        self,
        *,
        settings: Settings,
        deps: AdapterDeps,
        cipher: BotCipher | None,
        announce: Sequence[Announce] = (),
        prepare_app: Prepare | None = None,
    ) -> None:
        self.settings = settings
        self.deps = deps
        self.sessions = deps.sessions
        self.cipher = cipher
        self.announce = list(announce)
        self.prepare_app = prepare_app

    # -- reading ----------------------------------------------------------------------------
    def configured(self) -> list[BotConfig]:
        """The bots relaybot.toml defines (and the bundled web chat bots), read-only here."""
        return list(self.settings.bots)

    async def listing(self) -> list[dict[str, Any]]:
        rows = await bots_store.listing(self.sessions)
        stored = {row.name for row in rows}
        shown = [view(b, source="relaybot.toml") for b in self.configured()]
        shown += [
            view(b, source="bundled")
            for b in bundled_webchat_bots(
                self.settings, stored | {b.name for b in self.configured()}
            )
        ]
        shown += [self._view(row) for row in rows]
        return sorted(shown, key=lambda b: str(b["name"]))

    async def show(self, name: str) -> dict[str, Any]:
        found = await self._defined(name)
        if found is not None:
            return view(found[0], source=found[1])
        return self._view(await self._stored(name))

    async def _defined(self, name: str) -> tuple[BotConfig, str] | None:
        """The bot of relaybot.toml (or the bundled web chat bot) called `name`, if any."""
        for bot in self.configured():
            if bot.name == name:
                return bot, "relaybot.toml"
        if await bots_store.find(self.sessions, name) is None:
            taken = {b.name for b in self.configured()}
            for bot in bundled_webchat_bots(self.settings, taken):
                if bot.name == name:
                    return bot, "bundled"
        return None

    def _view(self, row: StoredBot) -> dict[str, Any]:
        return view(self._open(row), source="database", enabled=row.enabled, stored=row)

    async def _stored(self, name: str) -> StoredBot:
        row = await bots_store.find(self.sessions, name)
        if row is None:
            raise BotMissing(f"no bot named {name!r} in the database", field="name")
        return row

    def _open(self, row: StoredBot) -> BotConfig:
        try:
            return to_config(row, self.cipher)
        except BotKeyError as exc:
            raise BotUnavailable(str(exc)) from None

    # -- changing ---------------------------------------------------------------------------
    async def add(self, fields: dict[str, Any], *, actor: str, channel: str) -> Outcome:
        enabled = bool(fields.pop("enabled", True))
        name = str(fields.get("name") or "")
        self._refuse_taken(name)
        notes: list[str] = []
        if (
            fields.get("channel") == "telegram"
            and fields.get("mode", "webhook") == "webhook"
            and not fields.get("webhook_secret")
        ):
            fields["webhook_secret"] = secrets.token_urlsafe(32)
            notes.append("a webhook secret was generated for this bot")
        bot = await self._validated(fields)
        columns, sealed = self._seal(bot)
        stored = await bots_store.insert(
            self.sessions,
            {**columns, "credentials": sealed, "enabled": enabled},
            actor=actor,
            channel=channel,
        )
        await self._announce(bot.name)
        if enabled:
            notes += await self._connect(bot)
        return Outcome(self._view(stored), notes)

    async def update(
        self,
        name: str,
        changes: dict[str, Any],
        *,
        remove_options: Iterable[str] = (),
        actor: str,
        channel: str,
    ) -> Outcome:
        self._refuse_configured(name, "change it there")
        row = await self._stored(name)
        current = self._open(row)
        fields: dict[str, Any] = {
            "name": name,
            "app": current.app,
            "channel": current.channel,
            "title": current.title,
            "mode": current.mode,
            "api_base": current.api_base,
            "token": current.token,
            "webhook_secret": current.webhook_secret,
        }
        options = dict(current.options)
        for key, value in changes.items():
            if key == "options":
                options.update(value or {})
            elif key == "name" and value != name:
                raise invalid("name", "a bot's name cannot change: add a new bot instead")
            elif key in FIELDS:
                fields[key] = value
            else:
                raise invalid(key, "not a field of a bot")
        # Removing an option that is not set changes nothing (the change may be sent twice);
        # the answer says so, in case the name was mistyped.
        unset = [key for key in remove_options if options.pop(key, _ABSENT) is _ABSENT]
        fields["options"] = options
        bot = await self._validated(fields)
        columns, sealed = self._seal(bot)
        columns.pop("name")
        stored = await bots_store.change(
            self.sessions, name, {**columns, "credentials": sealed}, actor=actor, channel=channel
        )
        await self._announce(name)
        notes = [f"option {key!r} was not set" for key in unset]
        notes += await self._connect(bot) if stored.enabled else []
        if current.mode == "webhook" and bot.mode == "polling" and stored.enabled:
            notes += await self._disconnect(current)
        return Outcome(self._view(stored), notes)

    async def set_enabled(self, name: str, enabled: bool, *, actor: str, channel: str) -> Outcome:
        self._refuse_configured(name, "remove it there to stop it")
        row = await self._stored(name)
        bot = self._open(row)
        if row.enabled == enabled:
            return Outcome(self._view(row), unchanged=True)
        stored = await bots_store.change(
            self.sessions,
            name,
            {"enabled": enabled},
            actor=actor,
            channel=channel,
            action="bot.enable" if enabled else "bot.disable",
        )
        await self._announce(name)
        notes = await (self._connect(bot) if enabled else self._disconnect(bot))
        return Outcome(self._view(stored), notes)

    async def remove(self, name: str, *, actor: str, channel: str) -> list[str]:
        self._refuse_configured(name, "delete it there")
        row = await self._stored(name)
        try:
            bot: BotConfig | None = to_config(row, self.cipher)
        except BotKeyError:
            bot = None
        await bots_store.remove(self.sessions, name, actor=actor, channel=channel)
        await self._announce(name)
        return await self._disconnect(bot) if bot is not None and row.enabled else []

    async def check(self, name: str, *, patient: bool = False) -> Probe:
        """Ask the channel. Over HTTP (`patient` False) the answer comes within a deadline even
        while the channel's code still loads; at the shell it may wait for it."""
        found = await self._defined(name)
        bot = found[0] if found is not None else self._open(await self._stored(name))
        try:
            async with asyncio.timeout(None if patient else PROBE_DEADLINE):
                await asyncio.to_thread(import_code_of, bot)
        except TimeoutError:
            return Probe(False, f"{bot.channel}: still loading its code; check again shortly")
        return await probe(bot)

    # -- helpers ----------------------------------------------------------------------------
    def _refuse_taken(self, name: str) -> None:
        self._refuse_configured(name, "choose another name")
        bundled = {b.name for b in bundled_webchat_bots(self.settings, ())}
        if name in bundled:
            raise BotConflict(
                f"the name {name!r} belongs to the bundled web chat bot of the {name} app: "
                "choose another name (or set webchat_for_bundled_apps = false)",
                field="name",
            )

    def _refuse_configured(self, name: str, advice: str) -> None:
        if any(bot.name == name for bot in self.configured()):
            raise BotConflict(f"bot {name!r} is defined in relaybot.toml: {advice}", field="name")

    async def _validated(self, fields: dict[str, Any]) -> BotConfig:
        bot = parse({k: v for k, v in fields.items() if v is not None})
        # The channel's code (aiogram takes seconds) is imported off the event loop: a
        # gateway adding a bot goes on answering everyone else meanwhile.
        await asyncio.to_thread(import_code_of, bot, adapter=bot.channel != "telegram")
        check_fields(bot)
        if self.prepare_app is not None:
            await self.prepare_app(load_app_class(bot.app))
        await check_builds(bot, self.deps)
        return bot

    def _seal(self, bot: BotConfig) -> tuple[dict[str, Any], bytes | None]:
        columns, hidden = split(bot)
        if not has_secrets(hidden):
            return columns, None
        if self.cipher is None:
            raise BotUnavailable(
                "no bots key is configured, so credentials cannot be stored: set "
                "RELAYBOT_BOTS_KEY to a Fernet key (the same in every process)"
            )
        return columns, self.cipher.seal(hidden)

    async def _announce(self, name: str) -> None:
        for announce in self.announce:
            await announce(name)

    def _webhook_managed(self, bot: BotConfig) -> bool:
        return (
            bot.channel == "telegram" and bot.mode == "webhook" and bool(self.settings.public_url)
        )

    async def _connect(self, bot: BotConfig) -> list[str]:
        if not self._webhook_managed(bot):
            return []
        assert self.settings.public_url is not None
        return [(await set_telegram_webhook(bot, self.settings.public_url)).message]

    async def _disconnect(self, bot: BotConfig) -> list[str]:
        if not (bot.channel == "telegram" and self.settings.public_url):
            return []
        return [(await delete_telegram_webhook(bot)).message]
