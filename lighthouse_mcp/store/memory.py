"""``memory://``: the store in this process (one server; the default)."""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable

import anyio

from .base import StreamEntry


class MemoryStore:
    """Every operation is atomic because it runs on one event loop without awaiting."""

    label = "memory://"
    shared = False

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._slots: dict[str, deque[float]] = {}
        self._values: dict[str, tuple[str, float]] = {}
        self._queues: dict[str, tuple[deque[str], float]] = {}
        self._arrived: dict[str, anyio.Event] = {}
        self._streams: dict[str, deque[StreamEntry]] = {}
        self._new_entry: dict[str, anyio.Event] = {}
        self._seq = itertools.count(1)

    def __repr__(self) -> str:
        return f"MemoryStore(values={len(self._values)}, streams={len(self._streams)})"

    async def ping(self) -> None:
        return None

    async def reserve_slot(self, key: str, rate: int, spacing: float) -> float:
        rate = max(1, rate)
        slots = self._slots.get(key)
        if slots is None or slots.maxlen != rate:
            slots = self._slots[key] = deque(slots or (), maxlen=rate)
        now = self._clock()
        slot = now if len(slots) < rate else max(now, slots[0] + spacing)
        slots.append(slot)
        return slot - now

    def _expire(self) -> None:
        now = self._clock()
        for key in [k for k, (_, exp) in self._values.items() if exp <= now]:
            del self._values[key]
        for key in [k for k, (_, exp) in self._queues.items() if exp <= now]:
            del self._queues[key]

    async def claim_once(self, key: str, ttl: float) -> bool:
        self._expire()
        if key in self._values:
            return False
        self._values[key] = ("1", self._clock() + ttl)
        return True

    async def put(self, key: str, value: str, ttl: float) -> None:
        self._expire()
        self._values[key] = (value, self._clock() + ttl)

    async def get(self, key: str) -> str | None:
        self._expire()
        found = self._values.get(key)
        return found[0] if found else None

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def push(self, key: str, value: str, ttl: float) -> None:
        self._expire()
        queue, _ = self._queues.get(key, (deque(), 0.0))
        queue.append(value)
        self._queues[key] = (queue, self._clock() + ttl)
        event = self._arrived.pop(key, None)
        if event is not None:
            event.set()

    async def pop_wait(self, key: str, timeout: float) -> str | None:
        with anyio.move_on_after(timeout):
            while True:
                self._expire()
                found = self._queues.get(key)
                if found and found[0]:
                    value = found[0].popleft()
                    if not found[0]:
                        del self._queues[key]
                    return value
                event = self._arrived.setdefault(key, anyio.Event())
                await event.wait()
        return None

    async def append(self, stream: str, fields: dict[str, str], maxlen: int) -> str:
        entries = self._streams.setdefault(stream, deque(maxlen=max(1, maxlen)))
        entry = StreamEntry(f"{int(time.time() * 1000)}-{next(self._seq)}", dict(fields))
        entries.append(entry)
        event = self._new_entry.pop(stream, None)
        if event is not None:
            event.set()
        return entry.id

    def _after(self, stream: str, after: str, count: int) -> list[StreamEntry]:
        mark = _order(after)
        return [e for e in self._streams.get(stream, ()) if _order(e.id) > mark][:count]

    async def read(
        self, stream: str, after: str = "0", count: int = 100, block: float | None = None
    ) -> list[StreamEntry]:
        found = self._after(stream, after, count)
        if found or block is None:
            return found
        with anyio.move_on_after(block):
            while not found:
                await self._new_entry.setdefault(stream, anyio.Event()).wait()
                found = self._after(stream, after, count)
        return found

    async def aclose(self) -> None:
        return None


def _order(entry_id: str) -> tuple[int, int]:
    """Stream IDs (``ms-seq``, as in Redis) compare as pairs of integers."""
    ms, _, seq = entry_id.partition("-")
    try:
        return int(ms), int(seq or 0)
    except ValueError:
        return (0, 0)
