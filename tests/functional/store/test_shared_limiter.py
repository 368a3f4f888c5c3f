"""The client's shared rate limiter over a real Redis: two limiters (two replicas) keep
one window per account; the account is a hash of the SecretId; a lost Redis falls back
to the local window with one warning, and sharing resumes when Redis is back."""

from __future__ import annotations

import logging
import time

import anyio
import pytest

from lighthouse_mcp.client.ratelimit import SharedRateLimiter, account_key
from lighthouse_mcp.store import open_store
from tests.support.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.anyio


def _rate_3(action: str) -> float:
    return 3.0


async def test_two_limiters_share_one_window_per_account(redis: RedisServer) -> None:
    a_store, b_store = await open_store(redis.url), await open_store(redis.url)
    a = SharedRateLimiter(a_store, rate_for=_rate_3)
    b = SharedRateLimiter(b_store, rate_for=_rate_3)
    account = account_key(f"AKID-{time.monotonic_ns()}")
    try:
        started = time.monotonic()
        for limiter in (a, b, a, b, a, b):  # 6 requests at 3/s: the last 3 wait ~1.1 s
            await limiter.acquire("DescribeInstances", "ap-guangzhou", account)
        assert time.monotonic() - started >= 1.0
        # Another account has its own window.
        started = time.monotonic()
        for limiter in (a, b, a):
            await limiter.acquire("DescribeInstances", "ap-guangzhou", account_key("other"))
        assert time.monotonic() - started < 0.5
    finally:
        await a_store.aclose()
        await b_store.aclose()


def test_the_account_key_is_a_hash_not_the_secret_id() -> None:
    key = account_key("AKIDexample1234567890")
    assert "AKID" not in key and len(key) == 32
    assert key == account_key("AKIDexample1234567890") != account_key("AKIDother")


async def test_a_lost_store_falls_back_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    with redis_server() as server:
        store = await open_store(server.url)
        limiter = SharedRateLimiter(store, rate_for=_rate_3)
        await limiter.acquire("DescribeZones", "r", "acct")
        server.stop()
        with caplog.at_level(logging.WARNING):
            with anyio.fail_after(10):
                for _ in range(3):
                    await limiter.acquire("DescribeZones", "r", "acct")
        assert limiter.degraded
        warned = [r for r in caplog.records if "per process until the store is back" in r.message]
        assert len(warned) == 1
        server.start()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            await limiter.acquire("DescribeZones", "r", "acct")
        assert not limiter.degraded
        assert any("shared again" in r.message for r in caplog.records)
        await store.aclose()
