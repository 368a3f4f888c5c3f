"""The limiter never lets more than `rate` requests start in any `period` window, delays
only what it must, serves callers in order, and keys by (action, region). Fake clock."""

from __future__ import annotations

import itertools
import math

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lighthouse_mcp.client.ratelimit import DEFAULT_MARGIN, DEFAULT_RATE, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _starts(
    limiter: RateLimiter,
    clock: FakeClock,
    arrivals: list[float],
    action: str = "A",
    region: str = "r",
) -> list[float]:
    """Start time of each request arriving at the given (sorted) times."""
    starts = []
    for t in arrivals:
        clock.now = t
        starts.append(t + limiter.reserve(action, region))
    return starts


def _max_in_window(starts: list[float], period: float) -> int:
    starts = sorted(starts)
    best, lo = 0, 0
    for hi, t in enumerate(starts):
        while starts[lo] <= t - period + 1e-9:  # float rounding of slot + period
            lo += 1
        best = max(best, hi - lo + 1)
    return best


@settings(max_examples=200)
@given(
    rate=st.integers(1, 25),
    gaps=st.lists(st.floats(0, 0.5, allow_nan=False), min_size=1, max_size=120),
)
def test_never_more_than_rate_in_any_window(rate: int, gaps: list[float]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(lambda _: rate, clock=clock)
    arrivals, t = [], 0.0
    for gap in gaps:
        t += gap
        arrivals.append(t)
    starts = _starts(limiter, clock, arrivals)
    assert _max_in_window(starts, 1.0) <= rate
    assert all(s >= a for s, a in zip(starts, arrivals, strict=True))
    # First come, first served. The limiter's slots are exactly monotonic; a start here is
    # rebuilt as ``arrival + wait`` (wait = slot - arrival), which rounds to within one ulp
    # of the slot, so two equal-or-ordered slots may come back one ulp out of order
    # (hypothesis found 1.1045666018856137 before ...135). Tolerate exactly that.
    assert all(b >= a - 2 * math.ulp(a) for a, b in itertools.pairwise(starts))


def test_burst_up_to_rate_goes_at_once_then_spreads() -> None:
    clock = FakeClock()
    limiter = RateLimiter(lambda _: 20, clock=clock, margin=0.0)
    starts = _starts(limiter, clock, [0.0] * 45)
    assert starts[:20] == [0.0] * 20
    assert starts[20:40] == [1.0] * 20
    assert starts[40:] == [2.0] * 5


def test_sparse_requests_are_not_delayed() -> None:
    clock = FakeClock()
    limiter = RateLimiter(lambda _: 2, clock=clock)
    arrivals = [0.0, 0.6, 1.2, 1.8, 2.4]
    assert _starts(limiter, clock, arrivals) == arrivals


def test_keys_are_independent_per_action_and_region() -> None:
    clock = FakeClock()
    limiter = RateLimiter(lambda _: 1, clock=clock, margin=0.0)
    assert limiter.reserve("A", "r1") == 0
    assert limiter.reserve("A", "r2") == 0
    assert limiter.reserve("B", "r1") == 0
    assert limiter.reserve("A", "r1") == 1.0


def test_unknown_rate_uses_the_default_and_catalog_rates_are_used() -> None:
    limiter = RateLimiter(lambda _: None)
    assert limiter.rate("Whatever") == DEFAULT_RATE
    real = RateLimiter()
    assert real.rate("DescribeInstances") == 100  # docs: 100次/秒 (catalog)
    assert real.rate("NoSuchAction") == DEFAULT_RATE


@pytest.mark.anyio
async def test_acquire_sleeps_once_for_the_reserved_wait() -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    limiter = RateLimiter(lambda _: 2, clock=clock, sleep=fake_sleep, margin=0.0)
    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(limiter.acquire, "A", "r")
    assert sorted(slept) == [1.0, 1.0, 2.0]


@settings(max_examples=100)
@given(
    rate=st.integers(1, 25),
    jitter=st.lists(st.floats(0, DEFAULT_MARGIN, allow_nan=False), min_size=60, max_size=60),
)
def test_the_margin_absorbs_arrival_jitter_up_to_its_size(rate: int, jitter: list[float]) -> None:
    """A burst of requests, each reaching the API up to ``margin`` after its slot: the API
    still never sees more than ``rate`` in a window (without the margin it would)."""
    clock = FakeClock()
    limiter = RateLimiter(lambda _: rate, clock=clock)
    starts = _starts(limiter, clock, [0.0] * len(jitter))
    arrivals = [s + j for s, j in zip(starts, jitter, strict=True)]
    assert _max_in_window(arrivals, 1.0) <= rate
