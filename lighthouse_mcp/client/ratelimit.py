"""Client-side rate limiting per (action, region), at the rate the docs give each action.

The docs limit every action per "API + access region + sub-account" (typically 10 or 20
requests a second). An agent that fires 30 DescribeInstances at once would get
RequestLimitExceeded for a third of them; this limiter delays the surplus instead.

Algorithm: a reserved-slot sliding window. Each request is given a start time (slot) such
that any ``period``-long window contains at most ``rate`` slots:
``slot_k = max(now, slot_{k-rate} + period)``. Only the last ``rate`` slots per key are
kept. Each caller sleeps once, until its slot, and callers are served in arrival order
(no thundering herd of waiters re-checking). A burst of up to ``rate`` requests goes out
at once; the rest are spread so the documented rate is never exceeded, in any window.
A cancelled waiter keeps its slot: that can only lower the rate, never raise it.

A slot is when a request may *start*; the API counts when it *arrives*, and the delay
between the two varies (event loop, signing, connection pool, network). When the first
request of a window is delayed more than the one a period later, the API sees
``rate + 1`` in one window and refuses it. ``margin`` widens the spacing between a slot
and the one ``rate`` places later to absorb that jitter. Measured (bench_throughput.py,
32 workers, 8 actions, sandbox enforcing the documented rates): no margin, 13 refusals
in 2.5 s and 0.59x of the documented ceiling (refusals back off); 0.05 s margin, none
and 0.70x. Under 16 concurrent MCP sessions over HTTP on two busy cores, the server's and
the sandbox's event loops shift some requests by 0.1-0.3 s, which compresses gaps at the
receiving end: with 0.05 s, 1-3 refusals in every load run; with 0.15 s, one run in four.
0.1 s is the compromise (a ~9% lower ceiling); retries absorb the rare refusal, and the
proof suite's load test records it. Taking the slot later (inside the connection
admission) did not help and would let one throttled action block every other one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from lighthouse_mcp.store import Store, StoreUnavailable

from .catalog_facts import rate_limit

logger = logging.getLogger(__name__)

#: Used when the catalog gives no rate for an action (the docs' most common low value).
DEFAULT_RATE = 10.0
#: Seconds added to the period between a slot and the slot ``rate`` places later.
DEFAULT_MARGIN = 0.1


class RateLimiter:
    """``await limiter.acquire(action, region)`` returns when the request may start."""

    def __init__(
        self,
        rate_for: Callable[[str], float | None] = rate_limit,
        *,
        default_rate: float = DEFAULT_RATE,
        period: float = 1.0,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._rate_for = rate_for
        self._default = default_rate
        self._period = period
        self._spacing = period + margin
        self._clock = clock
        self._sleep = sleep
        self._slots: dict[tuple[str, str], deque[float]] = {}

    def rate(self, action: str) -> int:
        """Requests allowed per period for ``action`` (at least 1)."""
        rate = self._rate_for(action)
        return max(1, int(rate if rate else self._default))

    def reserve(self, action: str, region: str) -> float:
        """Claim the next slot for (action, region) and return how long to wait for it."""
        key = (action, region)
        slots = self._slots.get(key)
        if slots is None:
            slots = self._slots[key] = deque(maxlen=self.rate(action))
        now = self._clock()
        slot = now if len(slots) < (slots.maxlen or 1) else max(now, slots[0] + self._spacing)
        slots.append(slot)
        return slot - now

    #: Whether ``acquire`` needs the account (only a shared limiter keys on it).
    needs_account = False

    async def acquire(self, action: str, region: str, account: str = "") -> None:
        wait = self.reserve(action, region)
        if wait > 0:
            await self._sleep(wait)


def account_key(secret_id: str) -> str:
    """What a shared store keys an account by: a hash of the SecretId (never the key)."""
    return hashlib.sha256(f"lighthouse-mcp account\0{secret_id}".encode()).hexdigest()[:32]


class SharedRateLimiter(RateLimiter):
    """The same reserved-slot window, kept in a :class:`~lighthouse_mcp.store.Store` per
    (account, action, region), so every process sharing the store stays together within
    the documented rate. The account is :func:`account_key` of the SecretId.

    When the store stops answering, each call falls back to this process's own window
    (the base class) and a warning is logged once per outage: reads keep working, but N
    replicas may then together exceed the rate until the store is back, and the API's
    RequestLimitExceeded (retried with backoff) is what paces them.
    """

    needs_account = True

    def __init__(self, store: Store, **options: Any) -> None:
        super().__init__(**options)
        self._store = store
        self.degraded = False

    async def acquire(self, action: str, region: str, account: str = "") -> None:
        key = f"rate:{account}:{action}:{region}"
        try:
            wait = await self._store.reserve_slot(key, self.rate(action), self._spacing)
        except StoreUnavailable as exc:
            if not self.degraded:
                logger.warning("rate limits are per process until the store is back: %s", exc)
            self.degraded = True
            wait = self.reserve(action, region)
        else:
            if self.degraded:
                logger.warning("the store answers again; rate limits are shared again")
            self.degraded = False
        if wait > 0:
            await self._sleep(wait)
