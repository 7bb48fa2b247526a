"""Token buckets in Redis, so any number of sender processes share one budget per bot and chat.

One Lua script checks every bucket a message draws from and takes a token from each only when
all have one, so two senders can never both spend the last token of a chat. Time is Redis's own
clock: the senders' hosts need not agree on the time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from redis.asyncio import Redis

from relaybot.core.channel import Limit
from relaybot.core.clock import Clock
from relaybot.runtime.ratelimit import scopes

# KEYS: n bucket keys, then the pause keys. ARGV: n, now ('' = Redis time), rate and burst per
# bucket. Returns the seconds to wait as a string: "0" when the tokens were taken, else at
# least a microsecond, so that rounding never turns a refusal into a grant.
_RESERVE = """
local n = tonumber(ARGV[1])
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[2])
end
local wait = 0
for i = n + 1, #KEYS do
  local paused = tonumber(redis.call('GET', KEYS[i]) or '0')
  if paused > now then wait = math.max(wait, paused - now) end
end
if wait > 0 then return string.format('%.6f', math.max(wait, 0.000001)) end
local tokens = {}
for i = 1, n do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local state = redis.call('HMGET', KEYS[i], 't', 'u')
  local t = tonumber(state[1])
  local u = tonumber(state[2])
  if t == nil or u == nil then
    t = burst
    u = now
  end
  t = math.min(burst, t + math.max(0, now - u) * rate)
  tokens[i] = t
  if t < 1 then wait = math.max(wait, (1 - t) / rate) end
end
if wait > 0 then return string.format('%.6f', math.max(wait, 0.000001)) end
for i = 1, n do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local left = string.format('%.9f', tokens[i] - 1)
  redis.call('HSET', KEYS[i], 't', left, 'u', string.format('%.6f', now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate * 1000) + 1000)
end
return '0'
"""

# KEYS[1]: the pause key. ARGV: seconds, now ('' = Redis time). Keeps the later of two pauses.
_PAUSE = """
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[2])
end
local seconds = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + seconds > current then
  local until_at = string.format('%.6f', now + seconds)
  redis.call('SET', KEYS[1], until_at, 'PX', math.ceil(seconds * 1000) + 1000)
end
return 1
"""


class RedisRateLimiter:
    """`RateLimiter` shared by every sender that uses the same Redis and namespace."""

    def __init__(
        self, redis: Redis, *, namespace: str = "relaybot", clock: Clock | None = None
    ) -> None:
        self.redis = redis
        self.namespace = namespace
        self.clock = clock
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)

    def _now(self) -> str:
        return "" if self.clock is None else repr(self.clock.now())

    async def reserve(self, limits: Sequence[Limit]) -> float:
        if not limits:
            return 0.0
        buckets = [f"{self.namespace}:rate:{limit.key}" for limit in limits]
        paused = {f"{self.namespace}:pause:{s}" for limit in limits for s in scopes(limit.key)}
        args: list[str | int] = [len(limits), self._now()]
        for limit in limits:
            if limit.rate <= 0 or limit.burst < 1:
                raise ValueError(f"limit {limit.key!r} needs a positive rate and a burst of 1+")
            args += [repr(float(limit.rate)), limit.burst]
        wait = await self._reserve(keys=[*buckets, *sorted(paused)], args=args)
        seconds = float(wait.decode() if isinstance(wait, bytes) else wait)
        return seconds if math.isfinite(seconds) else 0.0

    async def pause(self, key: str, seconds: float) -> None:
        if seconds <= 0:
            return
        await self._pause(
            keys=[f"{self.namespace}:pause:{key}"], args=[repr(float(seconds)), self._now()]
        )
