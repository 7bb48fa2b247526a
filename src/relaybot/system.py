"""The composition root: turns settings into a running set of components.

Everything else receives its collaborators; only this module decides which ones exist, so
`relaybot run` and the separate `gateway`/`worker`/`sender` processes are the same parts
started in different combinations.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import structlog

from relaybot.apps import BUNDLED, load_app_class
from relaybot.config import BotConfig, Settings
from relaybot.core.i18n import register_catalogs
from relaybot.runtime.signal import Signal
from relaybot.store.db import SessionMaker, create_engine, mark_in_use, session_maker
from relaybot.store.heads import is_current

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncEngine

    from relaybot.channels.registry import AdapterDeps
    from relaybot.core.app import App
    from relaybot.core.calls import TaskFunction
    from relaybot.core.channel import ChannelAdapter
    from relaybot.core.clock import Clock
    from relaybot.core.jobs import Job
    from relaybot.fleet.manage import BotManager
    from relaybot.fleet.registry import BotRegistry
    from relaybot.runtime.caller import CallRunner
    from relaybot.runtime.ingest import IngestPath
    from relaybot.runtime.queue import InboundQueue, IngestBatcher
    from relaybot.runtime.ratelimit import RateLimiter
    from relaybot.runtime.scheduler import Scheduler
    from relaybot.runtime.sender import Sender
    from relaybot.runtime.worker import Worker

# What only a serving process needs (the runtime, the fleet, the web chat's hub) is imported
# where a System is built or run, so `open_store` (every CLI command) does not load it.

log = structlog.get_logger("relaybot")

ROLES = ("gateway", "worker", "sender", "scheduler", "caller")
CHANNEL_MIGRATIONS = Path(__file__).resolve().parent / "channels" / "migrations"


def effective_bots(settings: Settings) -> list[BotConfig]:
    """Configured bots, plus a web chat bot for every bundled app unless turned off."""
    bots = list(settings.bots)
    if settings.webchat_for_bundled_apps:
        taken = {b.name for b in bots}
        for app_name in BUNDLED:
            if app_name not in taken:
                bots.append(BotConfig(name=app_name, app=app_name, channel="webchat"))
    return bots


def app_classes(bots: Iterable[BotConfig]) -> list[type[App]]:
    """Every bundled app (their tables always exist) plus any custom app a bot names."""
    names = list(BUNDLED) + [b.app for b in bots if b.app not in BUNDLED]
    classes: list[type[App]] = []
    for name in dict.fromkeys(names):
        cls = load_app_class(name)
        if cls not in classes:
            classes.append(cls)
    return classes


def _prepare_apps(classes: Iterable[type[App]]) -> list[Path]:
    return _prepare_dirs(
        [cls.locales_dir() for cls in classes], [cls.migrations_dir() for cls in classes]
    )


def _prepare_dirs(locales: Iterable[Path | None], migrations: Iterable[Path | None]) -> list[Path]:
    """Register the catalogues in `locales`; the migration folders to upgrade with, the
    channels' last."""
    for folder in dict.fromkeys(locales):
        if folder is not None:
            register_catalogs(folder)
    found = [folder for folder in dict.fromkeys(migrations) if folder is not None]
    return [*found, CHANNEL_MIGRATIONS]


def _bundled_folder(target: str) -> Path:
    """The folder of a bundled app's module, found without running the module."""
    spec = importlib.util.find_spec(target.partition(":")[0])
    if spec is None or spec.origin is None:
        raise ValueError(f"bundled app {target!r} is not installed")
    return Path(spec.origin).resolve().parent


def store_dirs(bots: Iterable[BotConfig]) -> list[Path]:
    """What `open_store` migrates with, importing no bundled app: their `locales/` and
    `migrations/` are the folders beside their modules (tests/system holds this to the apps'
    own `locales_dir` and `migrations_dir`); a custom app is imported to ask it."""
    folders = [_bundled_folder(target) for target in BUNDLED.values()]
    locales: list[Path | None] = [
        f / "locales" if (f / "locales").is_dir() else None for f in folders
    ]
    migrations: list[Path | None] = [
        f / "migrations" if (f / "migrations").is_dir() else None for f in folders
    ]
    named = dict.fromkeys(b.app for b in bots if b.app not in BUNDLED)
    bundled = {target.partition(":")[0] for target in BUNDLED.values()}
    custom = [cls for cls in map(load_app_class, named) if cls.__module__ not in bundled]
    locales += [cls.locales_dir() for cls in custom]
    migrations += [cls.migrations_dir() for cls in custom]
    return _prepare_dirs(locales, migrations)


async def migrate_store(engine: AsyncEngine, app_dirs: Sequence[Path]) -> None:
    """Bring the database to every head; when it stands there already (nearly always, for a
    CLI command or a restart), without importing Alembic."""
    if await is_current(engine, app_dirs):
        return
    from relaybot.store import migrate

    await migrate.upgrade(engine, app_dirs)


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[SessionMaker]:
    """An up-to-date database for CLI commands and tests."""
    engine = create_engine(settings.database_url)
    try:
        await migrate_store(engine, store_dirs(effective_bots(settings)))
        yield session_maker(engine)
    finally:
        await engine.dispose()


@dataclass
class System:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionMaker
    bots: dict[str, BotConfig]
    apps: dict[str, App]
    adapters: dict[str, ChannelAdapter]
    queue: InboundQueue
    batcher: IngestBatcher
    ingest: IngestPath
    adapter_deps: AdapterDeps
    clock: Clock
    limiter: RateLimiter
    worker_signal: Signal
    sender_signal: Signal = field(default_factory=Signal)
    caller_signal: Signal = field(default_factory=Signal)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    app_types: list[type[App]] = field(default_factory=list)
    redis: Redis | None = None
    wakers: list[Signal] = field(default_factory=list)
    in_use: IO[bytes] | None = None
    """The lock that tells `relaybot restore` this SQLite file is being served."""
    registry: BotRegistry | None = None
    bot_admin: BotManager | None = None
    # Import every channel's code soon after start (the serving commands do), so a bot added
    # later on a channel no bot used yet is served within seconds.
    preload_channels: bool = False

    @property
    def all_bots(self) -> Mapping[str, BotConfig]:
        """Serving bots and those being retired: whoever still has work for a bot reads this."""
        return self.bots if self.registry is None else self.registry.bots

    @property
    def all_apps(self) -> Mapping[str, App]:
        return self.apps if self.registry is None else self.registry.apps

    @property
    def all_adapters(self) -> Mapping[str, ChannelAdapter]:
        return self.adapters if self.registry is None else self.registry.adapters

    def worker(self) -> Worker:
        from relaybot.runtime.worker import Worker

        return Worker(
            settings=self.settings,
            sessions=self.sessions,
            queue=self.queue,
            bots=self.all_bots,
            apps=self.all_apps,
            wake=self.worker_signal,
            outbox_ready=self.sender_signal,
            calls_ready=self.caller_signal,
        )

    def caller(self) -> CallRunner:
        """The call runner; results enter the queue behind the flood screen (they are ours)."""
        from relaybot.runtime.caller import CallRunner

        return CallRunner(
            settings=self.settings,
            sessions=self.sessions,
            bots=self.all_bots,
            tasks=_TasksOf(self.all_apps, self.settings),
            deliver=self.ingest.store,
            clock=self.clock,
            wake=self.caller_signal,
        )

    def sender(self) -> Sender:
        from relaybot.runtime.sender import Sender

        return Sender(
            settings=self.settings,
            sessions=self.sessions,
            adapters=self.all_adapters,
            limiter=self.limiter,
            clock=self.clock,
            wake=self.sender_signal,
            receipts=self.ingest.store,
        )

    def scheduler(self, *, holder: str | None = None) -> Scheduler:
        from relaybot.runtime.scheduler import Scheduler

        scheduler = Scheduler(
            settings=self.settings,
            sessions=self.sessions,
            jobs=_jobs_of(self.app_types, self.settings),
            bots=self.all_bots,
            clock=self.clock,
            holder=holder,
            outbox_ready=self.sender_signal,
        )
        if self.registry is not None:  # a bot with an app new to this process brings its jobs
            self.registry.on_app_types.append(
                lambda types: scheduler.use_jobs(_jobs_of(types, self.settings))
            )
        return scheduler

    async def start(self, roles: Iterable[str]) -> None:
        """Start the background components of `roles`; the gateway is served by uvicorn."""
        from relaybot.core.channel import PollingChannel
        from relaybot.fleet.announce import listen
        from relaybot.runtime.retention import Pruner

        roles = set(roles)
        if self.registry is None:
            for adapter in self.adapters.values():
                await adapter.start()
        else:
            alone = (
                "worker" in roles
                and self.settings.queue_url is None
                and self.settings.database_url.startswith("sqlite")
            )
            await self.registry.start(
                ingest=self.ingest if "gateway" in roles else None,
                alone=alone,
                preload=self.preload_channels,
            )
            self.tasks.append(asyncio.create_task(self.registry.watch(self.stop), name="bots"))
            if self.redis is not None:
                listener = listen(
                    self.redis, self.settings.queue_namespace, self.registry.poke, self.stop
                )
                self.tasks.append(asyncio.create_task(listener, name="bots:announcements"))
        if "worker" in roles:
            self.tasks.append(asyncio.create_task(self.worker().run(self.stop), name="worker"))
        if "sender" in roles:
            self.tasks.append(asyncio.create_task(self.sender().run(self.stop), name="sender"))
        if "caller" in roles:
            self.tasks.append(asyncio.create_task(self.caller().run(self.stop), name="caller"))
        if "scheduler" in roles:
            scheduler = self.scheduler()
            self.tasks.append(asyncio.create_task(scheduler.run(self.stop), name="scheduler"))
            self.wakers.append(scheduler.wake)
            pruner = Pruner(settings=self.settings, sessions=self.sessions, clock=self.clock)
            self.tasks.append(asyncio.create_task(pruner.run(self.stop), name="retention"))
        if "gateway" in roles and self.registry is None:
            for name, adapter in self.adapters.items():
                if isinstance(adapter, PollingChannel) and adapter.polling:
                    poller = adapter.poll(self.ingest, self.stop)
                    self.tasks.append(asyncio.create_task(poller, name=f"poll:{name}"))

    async def close(self) -> None:
        self.stop.set()
        self.worker_signal.notify()
        self.sender_signal.notify()
        self.caller_signal.notify()
        for waker in self.wakers:
            waker.notify()
        for task in self.tasks:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
            if not task.done():
                task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        await self.batcher.close()
        with contextlib.suppress(Exception):
            await self.queue.close()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()
        if self.registry is not None:
            await self.registry.close()
        for adapter in self.adapters.values():
            with contextlib.suppress(Exception):
                await adapter.close()
        await self.engine.dispose()
        if self.in_use is not None:
            self.in_use.close()  # the shared lock goes with the file


async def build_system(settings: Settings, *, clock: Clock | None = None) -> System:
    from relaybot.channels.registry import AdapterDeps
    from relaybot.channels.webchat import WebchatHub
    from relaybot.core.clock import SystemClock
    from relaybot.fleet.manage import BotManager
    from relaybot.fleet.registry import BotRegistry
    from relaybot.runtime.inbound import InboundGuard
    from relaybot.runtime.ingest import IngestPath
    from relaybot.runtime.logs import register_settings_secrets
    from relaybot.runtime.queue import DbQueue, IngestBatcher
    from relaybot.runtime.ratelimit import MemoryRateLimiter
    from relaybot.security.bot_keys import load_bots_key

    clock = clock or SystemClock()
    register_settings_secrets(settings)
    classes = app_classes(effective_bots(settings))
    # Each chat a worker handles at once may hold a connection while its handler runs.
    pool_size = max(settings.database_pool_size, settings.worker_concurrency + 4)
    in_use = mark_in_use(settings.database_url)
    engine = create_engine(settings.database_url, pool_size=pool_size)
    try:
        await migrate_store(engine, _prepare_apps(classes))
        sessions = session_maker(engine)
        deps = AdapterDeps(settings=settings, sessions=sessions, clock=clock, hub=WebchatHub())
        key = load_bots_key(settings)
        if key.created is not None:
            log.warning(
                "made a new key for bot credentials; keep it with your backups, without it "
                "the stored bots cannot be opened",
                path=str(key.created),
            )
        registry = BotRegistry(settings=settings, deps=deps, cipher=key.cipher)
        await registry.load(settings.bots)
        if any(cls not in classes for cls in registry.app_types):
            await migrate_store(engine, _prepare_apps(registry.app_types))
    except BaseException:
        await engine.dispose()
        if in_use is not None:
            in_use.close()
        raise
    redis = connect_redis(settings.queue_url) if settings.queue_url else None
    queue: InboundQueue = (
        DbQueue(sessions) if redis is None else redis_queue(redis, settings, sessions)
    )
    limiter: RateLimiter = MemoryRateLimiter(clock)
    if redis is not None:
        from relaybot.runtime.redis_ratelimit import RedisRateLimiter

        limiter = RedisRateLimiter(redis, namespace=settings.queue_namespace)
    # With Redis every gateway draws on the same inbound buckets, as it does outbound.
    guard = InboundGuard(settings, clock, limiter=limiter if redis is not None else None)
    batcher = IngestBatcher(queue, max_batch=settings.ingest_batch_size)
    worker_signal = Signal()
    manager = BotManager(
        settings=settings,
        deps=deps,
        cipher=key.cipher,
        announce=_announcers(redis, settings, registry),
        prepare_app=_app_preparer(engine, registry.app_types),
    )
    return System(
        settings=settings,
        engine=engine,
        sessions=sessions,
        bots=registry.serving,
        apps=registry.apps,
        adapters=registry.serving_adapters,
        queue=queue,
        batcher=batcher,
        ingest=IngestPath(guard, batcher, worker_signal),
        adapter_deps=deps,
        clock=clock,
        limiter=limiter,
        worker_signal=worker_signal,
        app_types=registry.app_types,
        redis=redis,
        in_use=in_use,
        registry=registry,
        bot_admin=manager,
    )


class _TasksOf(Mapping[str, Mapping[str, "TaskFunction"]]):
    """Each bot's app's tasks, read when asked: a bot added while running has its own."""

    def __init__(self, apps: Mapping[str, App], settings: Settings) -> None:
        self.apps = apps
        self.settings = settings

    def __getitem__(self, bot: str) -> Mapping[str, TaskFunction]:
        return type(self.apps[bot]).tasks(self.settings)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.apps))

    def __len__(self) -> int:
        return len(self.apps)


def _jobs_of(types: Iterable[type[App]], settings: Settings) -> list[Job]:
    return [job for cls in types for job in cls.jobs(settings)]


def _announcers(
    redis: Redis | None, settings: Settings, registry: BotRegistry | None
) -> list[Callable[[str], Awaitable[None]]]:
    """Who hears of a change made here: this process's registry, then (scaled out) Redis."""
    found: list[Callable[[str], Awaitable[None]]] = []
    if registry is not None:

        async def here(_bot: str) -> None:
            await registry.refresh()  # served here by the time the change is answered

        found.append(here)
    if redis is not None:
        from relaybot.fleet.announce import announce

        namespace = settings.queue_namespace

        async def everywhere(bot: str) -> None:
            await announce(redis, namespace, bot)

        found.append(everywhere)
    return found


def _app_preparer(
    engine: AsyncEngine, known: list[type[App]]
) -> Callable[[type[App]], Awaitable[None]]:
    """Migrate the tables of an app a new bot is the first to run."""

    async def prepare(cls: type[App]) -> None:
        if cls in known or cls.migrations_dir() is None:
            return
        await migrate_store(engine, _prepare_apps([*known, cls]))

    return prepare


@asynccontextmanager
async def open_bot_manager(settings: Settings) -> AsyncIterator[BotManager]:
    """What `relaybot bots ...` changes bots with: the migrated store, the key, Redis."""
    from relaybot.channels.registry import AdapterDeps
    from relaybot.channels.webchat import WebchatHub
    from relaybot.core.clock import SystemClock
    from relaybot.fleet.manage import BotManager
    from relaybot.security.bot_keys import load_bots_key

    engine = create_engine(settings.database_url)
    redis = connect_redis(settings.queue_url) if settings.queue_url else None
    try:
        classes = app_classes(effective_bots(settings))
        await migrate_store(engine, _prepare_apps(classes))
        sessions = session_maker(engine)
        key = load_bots_key(settings)
        if key.created is not None:
            log.warning(
                "made a new key for bot credentials; keep it with your backups",
                path=str(key.created),
            )
        deps = AdapterDeps(
            settings=settings, sessions=sessions, clock=SystemClock(), hub=WebchatHub()
        )
        yield BotManager(
            settings=settings,
            deps=deps,
            cipher=key.cipher,
            announce=_announcers(redis, settings, None),
            prepare_app=_app_preparer(engine, classes),
        )
    finally:
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()
        await engine.dispose()


def connect_redis(url: str) -> Redis:
    """A client for the queue and the shared rate limits; its timeouts outlast a blocking read."""
    from redis.asyncio import Redis

    client: Redis = Redis.from_url(
        url, socket_timeout=15, socket_connect_timeout=5, health_check_interval=30
    )
    return client


def redis_queue(redis: Redis, settings: Settings, sessions: SessionMaker) -> InboundQueue:
    from relaybot.runtime.redis_queue import RedisQueue

    return RedisQueue(
        redis,
        sessions=sessions,
        namespace=settings.queue_namespace,
        lease_seconds=settings.queue_lease_seconds,
        reclaim_after=settings.queue_reclaim_after,
        dedup_seconds=settings.queue_dedup_seconds,
        block_seconds=min(1.0, settings.poll_interval),
    )
