"""The bots one process serves, kept current while it runs.

Every part of the process reads the registry's dictionaries, which are changed in place:

* `serving` and `serving_adapters`: enabled bots only. The gateway routes webhooks and the
  web chat by them, so a disabled or removed bot answers 404 at once.
* `bots`, `apps` and `adapters`: those plus the bots being retired. The worker, the sender,
  the caller and the scheduler read these, so updates already accepted and replies already
  written for a bot that was just disabled or removed are still handled and delivered. A
  retired bot leaves them once `bots_retire_seconds` have passed and its outbox is empty.

`refresh()` compares each stored bot's revision with the one loaded and rebuilds only what
changed. It runs when told (`poke()`: a change made in this process, or announced over Redis)
and every `bots_reload_seconds` in any case, so a change made anywhere is served everywhere
within seconds even when an announcement is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import Callable, Iterable
from typing import Any

import structlog
from sqlalchemy import select

from relaybot.apps import BUNDLED, load_app_class
from relaybot.channels.registry import ADAPTERS, AdapterDeps, build_adapter
from relaybot.config import BotConfig, Settings
from relaybot.core.app import App
from relaybot.core.channel import ChannelAdapter, Ingest, PollingChannel
from relaybot.core.i18n import register_catalogs
from relaybot.fleet.definition import to_config
from relaybot.runtime.signal import Signal
from relaybot.security.bot_keys import BotCipher, BotKeyError
from relaybot.store import bots as bots_store
from relaybot.store.base import utcnow
from relaybot.store.models import OutboxMessage

log = structlog.get_logger("relaybot.bots")
WARM_UP_AFTER = 3.0  # seconds after start before every channel's code is imported


class BotsRefused(ValueError):
    """The stored bots cannot be served as they are; the message says what to do."""


def bundled_webchat_bots(settings: Settings, taken: Iterable[str]) -> list[BotConfig]:
    """A web chat bot for every bundled app whose name no other bot uses."""
    if not settings.webchat_for_bundled_apps:
        return []
    used = set(taken)
    return [
        BotConfig(name=name, app=name, channel="webchat") for name in BUNDLED if name not in used
    ]


def import_code_of(bot: BotConfig, *, adapter: bool = True) -> None:
    """Import the modules `bot` needs (its app; its channel's adapter unless `adapter` is
    False). aiogram alone takes seconds: done in a thread, the event loop goes on serving."""
    target = ADAPTERS.get(bot.channel)
    if target is not None and adapter:
        module_name, _, attr = target.partition(":")
        getattr(importlib.import_module(module_name), attr)  # a package may load it lazily
    with contextlib.suppress(Exception):  # validation says what is wrong with the app
        load_app_class(bot.app)


def import_every_channel() -> None:
    started = time.monotonic()
    for target in ADAPTERS.values():
        with contextlib.suppress(ImportError, AttributeError):
            module_name, _, attr = target.partition(":")
            getattr(importlib.import_module(module_name), attr)
    log.info("every channel is ready for new bots", seconds=round(time.monotonic() - started, 1))


class BotRegistry:
    def __init__(
        self,
        *,
        settings: Settings,
        deps: AdapterDeps,
        cipher: BotCipher | None,
        app_types: Iterable[type[App]] = (),
    ) -> None:
        self.settings = settings
        self.deps = deps
        self.sessions = deps.sessions
        self.cipher = cipher
        self.bots: dict[str, BotConfig] = {}
        self.apps: dict[str, App] = {}
        self.adapters: dict[str, ChannelAdapter] = {}
        self.serving: dict[str, BotConfig] = {}
        self.serving_adapters: dict[str, ChannelAdapter] = {}
        self.app_types: list[type[App]] = list(app_types)
        self.static: set[str] = set()
        self.stored: dict[str, int] = {}  # stored bots loaded: name -> revision
        self.on_app_types: list[Callable[[list[type[App]]], None]] = []
        self._retiring: dict[str, float] = {}
        self._pollers: dict[str, tuple[asyncio.Task[None], asyncio.Event]] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._ingest: Ingest | None = None
        self._running = False
        self._signal = Signal()
        self._lock = asyncio.Lock()
        self._complained: set[str] = set()
        self._warming: asyncio.Task[None] | None = None
        self._hold = 0.0
        self._held: dict[str, float] = {}  # bots stored, waiting to be routed: name -> when

    # -- loading ----------------------------------------------------------------------------
    async def load(self, configured: Iterable[BotConfig]) -> None:
        """The bots of relaybot.toml (and the bundled web chat bots) and the stored ones.

        A name in both places, or stored credentials the key does not open, is refused: the
        process would otherwise serve something other than what the operator sees."""
        configured = list(configured)
        rows = await bots_store.listing(self.sessions)
        stored_names = {row.name for row in rows}
        both = sorted(stored_names & {bot.name for bot in configured})
        if both:
            names = ", ".join(repr(n) for n in both)
            raise BotsRefused(
                f"bot {names} is defined both in relaybot.toml and in the database: remove "
                f"one (`relaybot bots remove {both[0]}`, or delete it from relaybot.toml)"
            )
        static = configured + bundled_webchat_bots(
            self.settings, stored_names | {b.name for b in configured}
        )
        for bot in static:
            self.static.add(bot.name)
            self._install(bot, serving=True)
        pending = await self._with_pending_outbox([r.name for r in rows if not r.enabled])
        for row in rows:
            if not row.enabled and row.name not in pending:
                self.stored[row.name] = row.revision
                continue
            try:
                config = to_config(row, self.cipher)
            except BotKeyError as exc:
                raise BotsRefused(str(exc)) from None
            self._install(config, serving=row.enabled)
            if not row.enabled:
                self._retiring[row.name] = time.monotonic()
            self.stored[row.name] = row.revision

    def classes_in_use(self) -> list[type[App]]:
        return list(self.app_types)

    # -- running ----------------------------------------------------------------------------
    async def start(
        self, *, ingest: Ingest | None, alone: bool = False, preload: bool = False
    ) -> None:
        """Start every adapter; with `ingest` (the gateway's), poll the polling bots too.

        `alone`: no other process handles this one's updates (the embedded `relaybot run`).
        Otherwise a bot new to this process is routed only once every other process has had
        time to find it (`bots_reload_seconds` after the change), so no worker drops an update
        of a bot it does not know yet."""
        for adapter in list(self.adapters.values()):
            await adapter.start()
        self._running = True
        self._ingest = ingest
        self._hold = 0.0 if alone else self.settings.bots_reload_seconds + 0.5
        if preload:
            self._warming = asyncio.create_task(self._warm_up())
        if ingest is not None:
            for name in list(self.serving):
                self._start_poller(name)

    async def _warm_up(self) -> None:
        """A bot added later may be on a channel no bot uses yet: have its code ready by then.
        After a pause, so that a starting process (and its neighbours) start first."""
        await asyncio.sleep(WARM_UP_AFTER)
        await asyncio.to_thread(import_every_channel)

    def poke(self) -> None:
        """Something changed: look now rather than at the next periodic check."""
        self._signal.notify()

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = self.settings.bots_reload_seconds
            if self._held:
                wait = min(wait, max(0.05, min(self._held.values()) - time.monotonic()))
            await self._signal.wait(wait)
            if stop.is_set():
                break
            try:
                await self.refresh()
            except Exception as exc:
                log.error("could not look for bot changes; trying again", error=type(exc).__name__)

    async def refresh(self) -> list[str]:
        """Serve what the database holds now; returns the names of the bots that changed."""
        async with self._lock:
            revisions = await bots_store.revisions(self.sessions)
            changed = [n for n, r in revisions.items() if self.stored.get(n) != r]
            gone = [n for n in self.stored if n not in revisions]
            for name in changed:
                if name in self.static:
                    self._complain(
                        name, "is defined in relaybot.toml too; the stored one is ignored"
                    )
                    continue
                row = await bots_store.find(self.sessions, name)
                if row is None:
                    gone.append(name)
                    continue
                if not row.enabled:
                    self._retire(name)
                    self.stored[name] = row.revision
                    log.info("bot disabled", bot=name)
                    continue
                age = (utcnow() - row.updated_at).total_seconds()
                hold = self._hold - age if name not in self.serving else 0.0
                try:
                    config = to_config(row, self.cipher)
                    await asyncio.to_thread(import_code_of, config)
                    self._install(config, serving=hold <= 0)
                    if self._running:
                        await self.adapters[name].start()
                        if self._ingest is not None:
                            await self._stop_poller(name)
                            self._start_poller(name)
                    if hold > 0:
                        self._held[name] = time.monotonic() + hold
                except Exception as exc:  # one bad bot must not stop the others' changes
                    self._complain(name, f"cannot be served: {exc}")
                    continue
                self.stored[name] = row.revision
                self._complained.discard(name)
                log.info("bot serving", bot=name, channel=config.channel, app=config.app)
            for name in gone:
                self.stored.pop(name, None)
                if name in self.serving or name in self.bots:
                    self._retire(name)
                    log.info("bot removed", bot=name)
            for name in gone + changed:
                if name not in self.serving:
                    await self._stop_poller(name)
            self._serve_held()
            await self._sweep()
            return changed + gone

    async def close(self) -> None:
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
        for name in list(self._pollers):
            await self._stop_poller(name)
        for task in list(self._closing):
            task.cancel()
        await asyncio.gather(*self._closing, return_exceptions=True)
        for adapter in list(self.adapters.values()):
            with contextlib.suppress(Exception):
                await adapter.close()

    # -- the parts --------------------------------------------------------------------------
    def _install(self, bot: BotConfig, *, serving: bool) -> None:
        cls = load_app_class(bot.app)
        if cls not in self.app_types:
            locales = cls.locales_dir()
            if locales is not None:
                register_catalogs(locales)
            self.app_types.append(cls)
            for listener in self.on_app_types:
                listener(self.app_types)
        app = cls(bot, self.settings)
        adapter = build_adapter(bot, self.deps)
        old = self.adapters.get(bot.name)
        self.bots[bot.name] = bot
        self.apps[bot.name] = app
        self.adapters[bot.name] = adapter
        if serving:
            self.serving[bot.name] = bot
            self.serving_adapters[bot.name] = adapter
            self._retiring.pop(bot.name, None)
        if old is not None and old is not adapter:
            self._close_later(old)

    def _serve_held(self) -> None:
        now = time.monotonic()
        for name, ready_at in list(self._held.items()):
            if ready_at > now:
                continue
            del self._held[name]
            if name in self.bots and name in self.stored:
                self.serving[name] = self.bots[name]
                self.serving_adapters[name] = self.adapters[name]
                self._start_poller(name)
                log.info("bot routed", bot=name)

    def _retire(self, name: str) -> None:
        self._held.pop(name, None)
        self.serving.pop(name, None)
        self.serving_adapters.pop(name, None)
        if name in self.bots and name not in self._retiring:
            self._retiring[name] = time.monotonic()

    async def _sweep(self) -> None:
        """Let go of retired bots whose grace time is over and whose outbox is empty."""
        now = time.monotonic()
        due = [
            n
            for n, since in self._retiring.items()
            if now - since >= self.settings.bots_retire_seconds
        ]
        if not due:
            return
        busy = await self._with_pending_outbox(due)
        for name in due:
            if name in busy:
                continue
            self._retiring.pop(name, None)
            self.bots.pop(name, None)
            self.apps.pop(name, None)
            adapter = self.adapters.pop(name, None)
            if adapter is not None:
                self._close_later(adapter, delay=0)
            log.info("retired bot let go", bot=name)

    async def _with_pending_outbox(self, names: list[str]) -> set[str]:
        if not names:
            return set()
        async with self.sessions() as session:
            rows = await session.execute(
                select(OutboxMessage.bot)
                .where(OutboxMessage.status == "pending", OutboxMessage.bot.in_(names))
                .distinct()
            )
            return {bot for (bot,) in rows}

    def _start_poller(self, name: str) -> None:
        adapter = self.serving_adapters.get(name)
        if self._ingest is None or name in self._pollers:
            return
        if not isinstance(adapter, PollingChannel) or not adapter.polling:
            return
        stop = asyncio.Event()
        task = asyncio.create_task(adapter.poll(self._ingest, stop), name=f"poll:{name}")
        self._pollers[name] = (task, stop)

    async def _stop_poller(self, name: str) -> None:
        found = self._pollers.pop(name, None)
        if found is None:
            return
        task, stop = found
        stop.set()
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _close_later(self, adapter: ChannelAdapter, *, delay: float | None = None) -> None:
        """Close a replaced adapter once the sends it may have started are over."""
        wait = self.settings.send_timeout + 1 if delay is None else delay

        async def close() -> None:
            await asyncio.sleep(wait)
            with contextlib.suppress(Exception):
                await adapter.close()

        try:
            task = asyncio.get_running_loop().create_task(close())
        except RuntimeError:
            return
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _complain(self, name: str, problem: str) -> None:
        if name not in self._complained:
            self._complained.add(name)
            log.error(f"stored bot {problem}", bot=name)

    def describe(self) -> dict[str, Any]:
        return {
            "serving": sorted(self.serving),
            "retiring": sorted(self._retiring),
            "pollers": sorted(self._pollers),
        }
