"""The inbound queue on Redis Streams, for many gateways and many workers.

Updates are spread over `PARTITIONS` streams by a hash of the chat, each read through one
consumer group. A worker reads only the partitions it holds a lease on (`partitions.py`), so
one chat is handled by one worker at a time and in arrival order. When a worker dies, the
worker that takes its partitions over first claims (XAUTOCLAIM) what the dead one had read and
not acknowledged, and reads nothing new there until that is done.

Redis decides what is queued; the database decides what is done: a worker inserts the update's
key into `processed_updates` in the transaction that saves the update's effects and acknowledges
the stream entry after that commit. A crash in between leaves an entry that is read again and
found done.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import secrets
import socket
import time
from collections.abc import Sequence
from typing import Any

import msgspec
import structlog
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from relaybot.core.types import Update, decode_update, encode
from relaybot.runtime.partitions import PartitionLeases
from relaybot.runtime.queue import PARTITIONS, QueuedUpdate, QueueStats, partition_of
from relaybot.store.db import SessionMaker
from relaybot.store.models import ProcessedUpdate
from relaybot.store.sql import table_of, upsert_insert

log = structlog.get_logger("relaybot.queue")

GROUP = "workers"
FIELD = b"u"

# Drop a repeat and append a new update in one atomic step, so a crash can never leave an
# update marked as seen but not queued. A script is refused as a whole when Redis is out of
# memory, before it writes anything.
_PUT = """
local ttl = ARGV[1]
local added = {}
for i = 1, #KEYS / 2 do
  if redis.call('SET', KEYS[2 * i - 1], '1', 'NX', 'EX', ttl) then
    redis.call('XADD', KEYS[2 * i], '*', 'u', ARGV[i + 1])
    added[i] = 1
  else
    added[i] = 0
  end
end
return added
"""


def member_name() -> str:
    """A consumer name that is new for every process, so a restarted worker is a new member."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class RedisQueue:
    """`InboundQueue` over Redis Streams; see the module docstring for the guarantees."""

    blocking = True

    def __init__(
        self,
        redis: Redis,
        *,
        namespace: str = "relaybot",
        lease_seconds: float = 10.0,
        reclaim_after: float = 30.0,
        dedup_seconds: int = 3 * 24 * 3600,
        block_seconds: float = 0.5,
        member: str | None = None,
        sessions: SessionMaker | None = None,
        prune_every: float = 600.0,
    ) -> None:
        self.redis = redis
        self.namespace = namespace
        self.member = member or member_name()
        self.reclaim_ms = max(1, int(reclaim_after * 1000))
        self.dedup_seconds = dedup_seconds
        self.block_ms = max(1, int(block_seconds * 1000))
        self.leases = PartitionLeases(
            redis,
            namespace=namespace,
            member=self.member,
            partitions=PARTITIONS,
            lease_seconds=lease_seconds,
        )
        self._put = redis.register_script(_PUT)
        # Held partitions whose earlier readers are accounted for, with the tenure that did it.
        self._settled: dict[int, int] = {}
        self._replay: set[int] = set()  # partitions where this worker has unacknowledged entries
        self._inflight: dict[int, set[str]] = {}
        # entries acknowledged while a replay read was under way: it may have read them
        self._acked_during_read: set[str] | None = None
        self.sessions = sessions
        self.prune_every = prune_every
        # Workers prune at random moments so that they do not all do it at once.
        self._next_prune = time.monotonic() + random.uniform(0, prune_every)
        self._stop = asyncio.Event()
        self._beating: asyncio.Task[None] | None = None
        self._groups_ready = False

    def stream(self, partition: int) -> str:
        return f"{self.namespace}:in:{partition}"

    def _seen_key(self, upd: Update) -> str:
        return f"{self.namespace}:seen:{upd.bot}:{upd.update_id}"

    # -- gateway side ---------------------------------------------------------------------

    async def put_many(self, updates: Sequence[Update]) -> list[bool]:
        if not updates:
            return []
        keys: list[str] = []
        args: list[Any] = [self.dedup_seconds]
        for upd in updates:
            keys += [self._seen_key(upd), self.stream(partition_of(upd.bot, upd.chat_id))]
            args.append(encode(upd))
        added = await self._put(keys=keys, args=args)
        return [bool(int(flag)) for flag in added]

    # -- worker side ----------------------------------------------------------------------

    async def fetch(self, limit: int) -> list[QueuedUpdate]:
        await self._start()
        if self.sessions is not None and time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + self.prune_every
            try:
                await self.prune(self.sessions)
            except Exception:
                log.exception("pruning processed-update markers failed; will try again")
        await self._release_surplus()
        ready = await self._ready()
        if not ready:
            self.leases.changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.block_ms / 1000):
                    await self.leases.changed.wait()
            return []
        replay = sorted(ready & self._replay)
        if replay:
            items = await self._read(replay, "0", limit, block=None)
            if items:
                return items
        fresh = sorted(ready - self._replay)
        if not fresh:
            return []
        return await self._read(fresh, ">", limit, block=self.block_ms)

    async def _read(
        self, partitions: list[int], start: str, limit: int, *, block: int | None
    ) -> list[QueuedUpdate]:
        count = max(8, math.ceil(limit / len(partitions)))
        if start == "0":  # entries still in hand come back too: read past them
            count += max(len(self._inflight.get(p, ())) for p in partitions)
        self._acked_during_read = set()
        try:
            response = await self.redis.xreadgroup(
                GROUP,
                self.member,
                {self.stream(p): start for p in partitions},
                count=count,
                block=block,
            )
            acked = self._acked_during_read
        finally:
            self._acked_during_read = None
        by_stream = _streams_of(response)
        items: list[QueuedUpdate] = []
        broken: dict[int, list[str]] = {}
        for partition in partitions:
            read = by_stream.get(self.stream(partition), [])
            in_hand = self._inflight.get(partition, set())
            entries = [entry for entry in read if entry[0] not in in_hand and entry[0] not in acked]
            if start == "0" and not entries and len(read) < count:
                self._replay.discard(partition)  # nothing of ours is left there
                continue
            attempts = await self._attempts(partition, [entry_id for entry_id, _ in entries])
            for entry_id, fields in entries:
                raw = (fields or {}).get(FIELD)
                if raw is None:  # deleted after we read it: someone finished it
                    broken.setdefault(partition, []).append(entry_id)
                    continue
                try:
                    upd = decode_update(raw)
                except (msgspec.DecodeError, msgspec.ValidationError):
                    log.error("unreadable queue entry set aside", entry=entry_id)
                    await self.redis.xadd(
                        f"{self.namespace}:rejected", {FIELD: raw}, maxlen=10_000, approximate=True
                    )
                    broken.setdefault(partition, []).append(entry_id)
                    continue
                self._inflight.setdefault(partition, set()).add(entry_id)
                items.append(
                    QueuedUpdate(
                        update=upd, attempts=attempts.get(entry_id, 0), ref=(partition, entry_id)
                    )
                )
        for partition, ids in broken.items():
            await self._ack(partition, ids)
        return items

    async def _attempts(self, partition: int, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        counts = await self.redis.hmget(f"{self.namespace}:attempts:{partition}", ids)
        return {i: int(c) for i, c in zip(ids, counts, strict=True) if c is not None}

    async def done_before(self, session: AsyncSession, items: Sequence[QueuedUpdate]) -> set[Any]:
        """Entries read again after a crash between the commit and XACK are found here."""
        keys = {(i.update.bot, i.update.update_id): i.ref for i in items}
        if not keys:
            return set()
        found = await session.execute(
            select(ProcessedUpdate.bot, ProcessedUpdate.update_id).where(
                tuple_(ProcessedUpdate.bot, ProcessedUpdate.update_id).in_(list(keys))
            )
        )
        return {keys[(row.bot, row.update_id)] for row in found}

    async def mark_processed(
        self, session: AsyncSession, item: QueuedUpdate, *, status: str, error: str | None = None
    ) -> bool:
        upd = item.update
        stmt = (
            upsert_insert(session, ProcessedUpdate)
            .values(bot=upd.bot, update_id=upd.update_id, processed_at=time.time(), status=status)
            .on_conflict_do_nothing(index_elements=["bot", "update_id"])
            .returning(ProcessedUpdate.bot)
        )
        return (await session.execute(stmt)).first() is not None

    async def mark_processed_many(
        self, session: AsyncSession, items: Sequence[QueuedUpdate]
    ) -> set[Any]:
        """Mark a batch done in one statement; the refs of the updates not processed before."""
        if not items:
            return set()
        table = table_of(ProcessedUpdate)
        now = time.time()
        rows = {
            (i.update.bot, i.update.update_id): {
                "bot": i.update.bot,
                "update_id": i.update.update_id,
                "processed_at": now,
                "status": "done",
            }
            for i in items
        }
        stmt = (
            upsert_insert(session, table)
            .on_conflict_do_nothing(index_elements=["bot", "update_id"])
            .returning(table.c.bot, table.c.update_id)
        )
        inserted = {(r.bot, r.update_id) for r in await session.execute(stmt, list(rows.values()))}
        fresh: set[Any] = set()
        for item in items:  # the same update twice in one batch: only the first is new
            key = (item.update.bot, item.update.update_id)
            if key in inserted:
                inserted.discard(key)
                fresh.add(item.ref)
        return fresh

    async def prune(self, sessions: SessionMaker, *, chunk: int = 5000, rounds: int = 20) -> int:
        """Forget exactly-once markers older than the gateways' repeat window, in small bites.

        Past that window a repeat is no longer dropped by the gateway anyway, and the markers
        are only needed while an entry may still be read again: seconds, not days.
        """
        cutoff = time.time() - self.dedup_seconds
        removed = 0
        for _ in range(rounds):
            async with sessions() as session, session.begin():
                old = (
                    select(ProcessedUpdate.bot, ProcessedUpdate.update_id)
                    .where(ProcessedUpdate.processed_at < cutoff)
                    .limit(chunk)
                )
                result = await session.execute(
                    delete(ProcessedUpdate)
                    .where(tuple_(ProcessedUpdate.bot, ProcessedUpdate.update_id).in_(old))
                    .execution_options(synchronize_session=False)
                )
            count = int(getattr(result, "rowcount", 0) or 0)
            removed += count
            if count < chunk:
                break
        if removed:
            log.info("old processed-update markers pruned", count=removed)
        return removed

    async def record_failure(self, item: QueuedUpdate, error: str) -> None:
        partition, entry_id = item.ref
        key = f"{self.namespace}:attempts:{partition}"
        await self.redis.hincrby(key, entry_id, 1)

    async def acknowledge(self, items: Sequence[QueuedUpdate]) -> None:
        by_partition: dict[int, list[str]] = {}
        for item in items:
            partition, entry_id = item.ref
            by_partition.setdefault(partition, []).append(entry_id)
        for partition, ids in by_partition.items():
            if self._acked_during_read is not None:
                self._acked_during_read.update(ids)
            await self._ack(partition, ids)
            inflight = self._inflight.get(partition)
            if inflight is not None:
                inflight.difference_update(ids)

    async def release(self, items: Sequence[QueuedUpdate]) -> None:
        for item in items:
            partition, entry_id = item.ref
            self._inflight.get(partition, set()).discard(entry_id)
            self._replay.add(partition)  # read again, in order, before anything newer there

    async def _ack(self, partition: int, ids: list[str]) -> None:
        if not ids:
            return
        key = self.stream(partition)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(key, GROUP, *ids)
            pipe.xdel(key, *ids)
            pipe.hdel(f"{self.namespace}:attempts:{partition}", *ids)
            await pipe.execute()

    # -- partitions -------------------------------------------------------------------------

    async def _start(self) -> None:
        if not self._groups_ready:
            async with self.redis.pipeline(transaction=False) as pipe:
                for partition in range(PARTITIONS):
                    pipe.xgroup_create(self.stream(partition), GROUP, id="0", mkstream=True)
                for result in await pipe.execute(raise_on_error=False):
                    if isinstance(result, ResponseError) and "BUSYGROUP" not in str(result):
                        raise result
            self._groups_ready = True
        if self._beating is None or self._beating.done():
            await self.leases.beat()
            self._beating = asyncio.create_task(self.leases.run(self._stop), name="partitions")

    async def _release_surplus(self) -> None:
        """Give away partitions assigned elsewhere once nothing of theirs is in hand here."""
        free = {
            p for p in self.leases.surplus() if p not in self._replay and not self._inflight.get(p)
        }
        if free:
            await self.leases.release(free)
            log.info("partitions handed over", partitions=sorted(free))
        for partition, tenure in list(self._settled.items()):
            if partition not in self.leases.held or self.leases.tenure.get(partition) != tenure:
                del self._settled[partition]
                self._replay.discard(partition)

    async def _ready(self) -> set[int]:
        """Held partitions, each read only once what an earlier reader left pending is ours."""
        usable = self.leases.usable()
        for partition in sorted(usable):
            tenure = self.leases.tenure.get(partition, 0)
            if self._settled.get(partition) != tenure and await self._take_over(partition):
                self._settled[partition] = tenure
        return {p for p in usable if self._settled.get(p) == self.leases.tenure.get(p, 0)}

    async def _take_over(self, partition: int) -> bool:
        key = self.stream(partition)
        if await self._others_pending(key):
            cursor = "0-0"
            while True:
                reply = await self.redis.xautoclaim(
                    key, GROUP, self.member, self.reclaim_ms, start_id=cursor, count=500
                )
                cursor = _text(reply[0])  # (redis-py drops the cursor when asked for ids only)
                if cursor == "0-0":
                    break
            if await self._others_pending(key):
                return False  # a reader may still be working on them: wait for them to age
        self._replay.add(partition)
        await self._forget_dead_consumers(key)
        log.debug("partition taken over", partition=partition)
        return True

    async def _others_pending(self, key: str) -> bool:
        summary = await self.redis.xpending(key, GROUP)
        consumers = summary.get("consumers") or []
        return any(_text(c["name"]) != self.member and int(c["pending"]) > 0 for c in consumers)

    async def _forget_dead_consumers(self, key: str) -> None:
        live = set(await self.leases.live_members())
        for consumer in await self.redis.xinfo_consumers(key, GROUP):
            name = _text(consumer["name"])
            if name != self.member and name not in live and int(consumer["pending"]) == 0:
                await self.redis.xgroup_delconsumer(key, GROUP, name)

    # -- operations -----------------------------------------------------------------------

    async def stats(self) -> QueueStats:
        async with self.redis.pipeline(transaction=False) as pipe:
            for partition in range(PARTITIONS):
                pipe.xlen(self.stream(partition))
                pipe.xrange(self.stream(partition), count=1)
            results = await pipe.execute()
        depth = sum(int(n) for n in results[0::2])
        heads = [_text(entries[0][0]) for entries in results[1::2] if entries]
        if not heads:
            return QueueStats(depth=depth, oldest_age=None)
        oldest_ms = min(int(entry_id.split("-")[0]) for entry_id in heads)
        return QueueStats(depth=depth, oldest_age=max(0.0, time.time() - oldest_ms / 1000))

    async def close(self) -> None:
        """Stop the heartbeat and hand the partitions over at once."""
        self._stop.set()
        if self._beating is not None:
            self._beating.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._beating
            self._beating = None
            await self.leases.leave()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _streams_of(response: Any) -> dict[str, list[tuple[str, dict[bytes, bytes] | None]]]:
    """XREADGROUP's answer as {stream: [(entry id, fields or None when deleted)]}."""
    if not response:
        return {}
    return {
        _text(stream): [(_text(entry_id), fields) for entry_id, fields in entries]
        for stream, entries in response
    }
