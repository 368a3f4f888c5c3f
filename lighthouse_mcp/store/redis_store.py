"""``redis://`` and ``rediss://``: the store in Redis, shared by every replica.

Each operation is one Redis command or one Lua script, so replicas never interleave a
read with a write (no read-then-write races). Time for rate slots is Redis's own clock
(``TIME`` inside the script), so replicas with skewed clocks still agree.

Two connection pools: one for ordinary commands, with a short socket timeout so that a
lost Redis is noticed in about a second; one for blocking reads (``BLPOP``, ``XREAD
BLOCK``), whose socket timeout is the block time plus that second.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from redis import asyncio as aioredis
from redis import exceptions as redis_errors

from .base import ENV_STORE_PASSWORD, StoreUnavailable, StreamEntry, redact_url

PREFIX = "lh:"
#: Seconds a command (or a connection attempt) may take before Redis counts as lost.
COMMAND_TIMEOUT = 1.0

#: The reserved-slot sliding window of client/ratelimit.py, atomically, on Redis's clock.
#: KEYS[1]: the slot list (oldest first); ARGV: rate, spacing (s). Returns the wait (s).
RESERVE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local slot = now
if redis.call('LLEN', KEYS[1]) >= rate then
  local oldest = tonumber(redis.call('LINDEX', KEYS[1], -rate))
  if oldest + spacing > slot then slot = oldest + spacing end
end
redis.call('RPUSH', KEYS[1], string.format('%.6f', slot))
redis.call('LTRIM', KEYS[1], -rate, -1)
redis.call('PEXPIRE', KEYS[1], math.ceil((slot - now + spacing) * 1000) + 1000)
return string.format('%.6f', slot - now)
"""

T = TypeVar("T")


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


class RedisStore:
    shared = True

    def __init__(self, url: str, password: str | None) -> None:
        self.label = redact_url(url)
        common: dict[str, Any] = {
            "decode_responses": True,
            "socket_connect_timeout": COMMAND_TIMEOUT,
            "health_check_interval": 15,
        }
        if password is not None and urlsplit(url).password is None:
            common["password"] = password
        self._redis = aioredis.Redis.from_url(url, socket_timeout=COMMAND_TIMEOUT, **common)
        self._blocking = aioredis.Redis.from_url(url, socket_timeout=None, **common)
        self._reserve = self._redis.register_script(RESERVE_SLOT)

    @classmethod
    def from_url(cls, url: str, env: Mapping[str, str] | None = None) -> RedisStore:
        environ = os.environ if env is None else env
        return cls(url, environ.get(ENV_STORE_PASSWORD) or None)

    def __repr__(self) -> str:
        return f"RedisStore({self.label!r})"

    async def _call(self, op: Callable[[], Awaitable[T]]) -> T:
        try:
            return await op()
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as exc:
            # The library's message names host and port, never the password.
            raise StoreUnavailable(f"the store {self.label} does not answer: {exc}") from None
        except redis_errors.RedisError as exc:
            raise StoreUnavailable(f"the store {self.label} refused: {exc}") from None

    async def ping(self) -> None:
        await self._call(self._redis.ping)

    async def reserve_slot(self, key: str, rate: int, spacing: float) -> float:
        answer = await self._call(
            lambda: self._reserve(keys=[PREFIX + key], args=[max(1, rate), spacing])
        )
        return float(answer)

    async def claim_once(self, key: str, ttl: float) -> bool:
        done = await self._call(lambda: self._redis.set(PREFIX + key, "1", nx=True, px=_ms(ttl)))
        return bool(done)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self._call(lambda: self._redis.set(PREFIX + key, value, px=_ms(ttl)))

    async def get(self, key: str) -> str | None:
        value = await self._call(lambda: self._redis.get(PREFIX + key))
        return None if value is None else str(value)

    async def delete(self, key: str) -> None:
        await self._call(lambda: self._redis.delete(PREFIX + key))

    async def push(self, key: str, value: str, ttl: float) -> None:
        async def op() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.rpush(PREFIX + key, value)
                pipe.pexpire(PREFIX + key, _ms(ttl))
                await pipe.execute()

        await self._call(op)

    async def pop_wait(self, key: str, timeout: float) -> str | None:
        # BLPOP: the waiting call is woken by the push itself, on whichever replica.
        found = await self._call(
            lambda: self._blocking.blpop([PREFIX + key], timeout=max(0.01, timeout))
        )
        return None if not found else str(found[1])

    async def append(self, stream: str, fields: dict[str, str], maxlen: int) -> str:
        entry_id = await self._call(
            lambda: self._redis.xadd(PREFIX + stream, fields, maxlen=maxlen, approximate=True)  # type: ignore[arg-type]
        )
        return str(entry_id)

    async def read(
        self, stream: str, after: str = "0", count: int = 100, block: float | None = None
    ) -> list[StreamEntry]:
        client = self._redis if block is None else self._blocking
        answer: Any = await self._call(
            lambda: client.xread(
                {PREFIX + stream: after},
                count=count,
                block=None if block is None else _ms(block),
            )
        )
        entries: list[StreamEntry] = []
        for _name, items in answer or []:
            for entry_id, fields in items:
                values = {str(k): str(v) for k, v in fields.items()}
                entries.append(StreamEntry(str(entry_id), values))
        return entries

    async def aclose(self) -> None:
        for client in (self._redis, self._blocking):
            with contextlib.suppress(redis_errors.RedisError, OSError):
                await client.aclose()
