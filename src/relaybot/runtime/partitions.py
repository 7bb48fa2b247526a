"""Which worker reads which partition of the Redis queue.

Every worker announces itself with a heartbeat; all of them compute the same assignment of
partitions to the live workers; each takes a lease (a Redis key with an expiry) on the
partitions assigned to it and renews it while it lives. The lease is what makes a partition,
hence a chat, belong to one worker at a time: a worker reads only partitions it holds, and a
partition passes to another worker only when its holder releases it or stops renewing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Sequence

import structlog
from redis.asyncio import Redis

log = structlog.get_logger("relaybot.partitions")

# One round trip: announce this worker, forget the silent ones, list the living (server time,
# so the hosts' clocks need not agree).
_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""

# Renew the leases held and take the free ones wanted. Returns the indexes of the keys now
# held: positive for a renewed lease, negative for one just taken (perhaps after another
# worker had it, even if this one held it before).
_CLAIM = """
local held = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    held[#held + 1] = i
  elseif not holder and ARGV[i + 2] == '1' then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    held[#held + 1] = -i
  end
end
return held
"""

_RELEASE = """
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    n = n + 1
  end
end
return n
"""


def assign(partitions: int, members: Sequence[str]) -> dict[int, str]:
    """Spread partitions evenly; a member joining or leaving moves few of them.

    Each partition ranks the members by a hash of (partition, member) and goes to the best
    ranked one that still has room, so every worker computes the same answer on its own.
    """
    if not members:
        return {}
    low, extra = divmod(partitions, len(members))  # `extra` members may hold one more
    load = dict.fromkeys(members, 0)
    owners: dict[int, str] = {}
    for partition in range(partitions):
        ranked = sorted(members, key=lambda m: _weight(partition, m), reverse=True)
        owner = next(m for m in ranked if load[m] < low or (load[m] == low and extra > 0))
        if load[owner] == low:
            extra -= 1
        load[owner] += 1
        owners[partition] = owner
    return owners


def _weight(partition: int, member: str) -> int:
    digest = hashlib.blake2b(f"{partition}/{member}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class PartitionLeases:
    """This worker's view of the partitions it holds, kept fresh by `run`."""

    def __init__(
        self,
        redis: Redis,
        *,
        namespace: str,
        member: str,
        partitions: int,
        lease_seconds: float,
    ) -> None:
        self.redis = redis
        self.namespace = namespace
        self.member = member
        self.partitions = partitions
        self.lease_ms = max(1, int(lease_seconds * 1000))
        self.interval = lease_seconds / 3
        self.held: set[int] = set()
        self.wanted: set[int] = set()
        self.members: list[str] = []
        self.tenure: dict[int, int] = {}  # how many times this worker took each partition
        self.changed = asyncio.Event()
        self._valid_until = 0.0
        self._members_key = f"{namespace}:workers"
        self._heartbeat = redis.register_script(_HEARTBEAT)
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)

    def owner_key(self, partition: int) -> str:
        return f"{self.namespace}:owner:{partition}"

    def usable(self) -> set[int]:
        """Partitions held with time to spare; none once renewals have failed for too long."""
        if time.monotonic() >= self._valid_until:
            return set()
        return set(self.held)

    def surplus(self) -> set[int]:
        """Held partitions the assignment gives to someone else: release them between batches."""
        return self.held - self.wanted

    async def beat(self) -> None:
        """Heartbeat, then renew what is held and take what is assigned and free."""
        started = time.monotonic()
        members = await self._heartbeat(keys=[self._members_key], args=[self.member, self.lease_ms])
        self.members = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
        owners = assign(self.partitions, self.members)
        self.wanted = {p for p, m in owners.items() if m == self.member}
        candidates = sorted(self.held | self.wanted)
        flags = ["1" if p in self.wanted else "0" for p in candidates]
        held_indexes = await self._claim(
            keys=[self.owner_key(p) for p in candidates],
            args=[self.member, self.lease_ms, *flags],
        )
        held = {candidates[abs(int(i)) - 1] for i in held_indexes}
        for i in held_indexes:
            if int(i) < 0:  # a new tenure: what earlier readers left must be looked at again
                partition = candidates[-int(i) - 1]
                self.tenure[partition] = self.tenure.get(partition, 0) + 1
        lost = self.held - held
        if lost:
            log.warning("partition leases lost", partitions=sorted(lost))
        if held != self.held:
            self.changed.set()
        self.held = held
        # Trust the leases a little less long than Redis keeps them: our clock started first.
        self._valid_until = started + self.lease_ms / 1000 * 0.8

    async def release(self, partitions: set[int]) -> None:
        if not partitions:
            return
        await self._release(
            keys=[self.owner_key(p) for p in sorted(partitions)], args=[self.member]
        )
        self.held -= partitions
        self.changed.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.beat()
            except Exception:
                log.exception("partition heartbeat failed; retrying")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await stop.wait()

    async def leave(self) -> None:
        """Hand every partition over at once instead of letting the leases run out."""
        with contextlib.suppress(Exception):
            await self.release(set(self.held))
            await self.redis.zrem(self._members_key, self.member)
        self.held.clear()
        self._valid_until = 0.0

    async def live_members(self) -> list[str]:
        members = await self._heartbeat(keys=[self._members_key], args=["", self.lease_ms])
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
