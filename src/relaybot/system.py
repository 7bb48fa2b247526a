"""The composition root: turns settings into a running set of components.

Everything else receives its collaborators; only this module decides which ones exist, so
`relaybot run` and the separate `gateway`/`worker`/`sender` processes are the same parts
started in different combinations.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from relaybot.apps import BUNDLED, load_app_class
from relaybot.channels.registry import AdapterDeps, build_adapter
from relaybot.channels.webchat import WebchatHub
from relaybot.config import BotConfig, Settings
from relaybot.core.app import App
from relaybot.core.channel import ChannelAdapter, PollingChannel
from relaybot.core.clock import Clock, SystemClock
from relaybot.core.i18n import register_catalogs
from relaybot.runtime.caller import CallRunner
from relaybot.runtime.inbound import InboundGuard
from relaybot.runtime.ingest import IngestPath
from relaybot.runtime.logs import register_settings_secrets
from relaybot.runtime.queue import DbQueue, InboundQueue, IngestBatcher
from relaybot.runtime.ratelimit import MemoryRateLimiter, RateLimiter
from relaybot.runtime.retention import Pruner
from relaybot.runtime.scheduler import Scheduler
from relaybot.runtime.sender import Sender
from relaybot.runtime.signal import Signal
from relaybot.runtime.worker import Worker
from relaybot.store import migrate
from relaybot.store.db import SessionMaker, create_engine, mark_in_use, session_maker

if TYPE_CHECKING:
    from redis.asyncio import Redis

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
    migration_dirs = []
    for cls in classes:
        locales = cls.locales_dir()
        if locales is not None:
            register_catalogs(locales)
        migrations = cls.migrations_dir()
        if migrations is not None:
            migration_dirs.append(migrations)
    migration_dirs.append(CHANNEL_MIGRATIONS)
    return migration_dirs


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[SessionMaker]:
    """An up-to-date database for CLI commands and tests."""
    engine = create_engine(settings.database_url)
    try:
        dirs = _prepare_apps(app_classes(effective_bots(settings)))
        await migrate.upgrade(engine, dirs)
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

    def worker(self) -> Worker:
        return Worker(
            settings=self.settings,
            sessions=self.sessions,
            queue=self.queue,
            bots=self.bots,
            apps=self.apps,
            wake=self.worker_signal,
            outbox_ready=self.sender_signal,
            calls_ready=self.caller_signal,
        )

    def caller(self) -> CallRunner:
        """The call runner; results enter the queue behind the flood screen (they are ours)."""
        return CallRunner(
            settings=self.settings,
            sessions=self.sessions,
            bots=self.bots,
            tasks={name: type(app).tasks(self.settings) for name, app in self.apps.items()},
            deliver=self.ingest.store,
            clock=self.clock,
            wake=self.caller_signal,
        )

    def sender(self) -> Sender:
        return Sender(
            settings=self.settings,
            sessions=self.sessions,
            adapters=self.adapters,
            limiter=self.limiter,
            clock=self.clock,
            wake=self.sender_signal,
            receipts=self.ingest.store,
        )

    def scheduler(self, *, holder: str | None = None) -> Scheduler:
        jobs = [job for cls in self.app_types for job in cls.jobs(self.settings)]
        return Scheduler(
            settings=self.settings,
            sessions=self.sessions,
            jobs=jobs,
            bots=self.bots,
            clock=self.clock,
            holder=holder,
            outbox_ready=self.sender_signal,
        )

    async def start(self, roles: Iterable[str]) -> None:
        """Start the background components of `roles`; the gateway is served by uvicorn."""
        roles = set(roles)
        for adapter in self.adapters.values():
            await adapter.start()
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
        if "gateway" in roles:
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
        for adapter in self.adapters.values():
            with contextlib.suppress(Exception):
                await adapter.close()
        await self.engine.dispose()
        if self.in_use is not None:
            self.in_use.close()  # the shared lock goes with the file


async def build_system(settings: Settings, *, clock: Clock | None = None) -> System:
    clock = clock or SystemClock()
    register_settings_secrets(settings)
    bots = effective_bots(settings)
    classes = app_classes(bots)
    # Each chat a worker handles at once may hold a connection while its handler runs.
    pool_size = max(settings.database_pool_size, settings.worker_concurrency + 4)
    in_use = mark_in_use(settings.database_url)
    engine = create_engine(settings.database_url, pool_size=pool_size)
    await migrate.upgrade(engine, _prepare_apps(classes))
    sessions = session_maker(engine)
    deps = AdapterDeps(settings=settings, sessions=sessions, clock=clock, hub=WebchatHub())
    apps = {b.name: load_app_class(b.app)(b, settings) for b in bots}
    adapters = {b.name: build_adapter(b, deps) for b in bots}
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
    return System(
        settings=settings,
        engine=engine,
        sessions=sessions,
        bots={b.name: b for b in bots},
        apps=apps,
        adapters=adapters,
        queue=queue,
        batcher=batcher,
        ingest=IngestPath(guard, batcher, worker_signal),
        adapter_deps=deps,
        clock=clock,
        limiter=limiter,
        worker_signal=worker_signal,
        app_types=classes,
        redis=redis,
        in_use=in_use,
    )


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
