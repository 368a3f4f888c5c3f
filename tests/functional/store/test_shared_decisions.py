"""Approval decisions and nonces across two replicas' stores on one real Redis: a
decision given on B releases the call waiting on A within a second; the first decision
stands; a nonce is used once on whichever replica; a lost Redis fails closed."""

from __future__ import annotations

import time

import anyio
import pytest

from lighthouse_mcp.server.shared_decisions import SharedDecisions
from lighthouse_mcp.store import StoreUnavailable, open_store
from tests.support.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.anyio


async def test_a_decision_on_b_releases_the_waiter_on_a_at_once(redis: RedisServer) -> None:
    a_store, b_store = await open_store(redis.url), await open_store(redis.url)
    a, b = SharedDecisions(a_store), SharedDecisions(b_store)
    rid = f"r{time.monotonic_ns()}"
    got: list[str | None] = []
    try:

        async def waiting_call() -> None:
            got.append(await a.wait(rid, 10))

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiting_call)
            await anyio.sleep(0.3)
            decided = time.monotonic()
            assert await b.decide(rid, "approved") == "approved"
        assert got == ["approved"]
        assert time.monotonic() - decided < 1.0
        # The first decision stands; a later one from A does not replace it.
        assert await a.decide(rid, "declined") == "approved"
        assert await a.decision(rid) == "approved"
    finally:
        await a_store.aclose()
        await b_store.aclose()


async def test_a_nonce_works_once_on_any_replica(redis: RedisServer) -> None:
    a_store, b_store = await open_store(redis.url), await open_store(redis.url)
    a, b = SharedDecisions(a_store), SharedDecisions(b_store)
    rid = f"r{time.monotonic_ns()}"
    try:
        nonce = await a.issue_nonce(rid, 60)
        assert await b.take_nonce(rid, nonce, 60)
        assert not await a.take_nonce(rid, nonce, 60)
        assert not await b.take_nonce(rid, nonce, 60)
        assert not await b.take_nonce(rid, "never-issued", 60)
        assert not await b.take_nonce("other-request", nonce, 60)
    finally:
        await a_store.aclose()
        await b_store.aclose()


async def test_a_wait_times_out_without_a_decision(redis: RedisServer) -> None:
    store = await open_store(redis.url)
    try:
        started = time.monotonic()
        assert await SharedDecisions(store).wait(f"r{time.monotonic_ns()}", 0.3) is None
        assert 0.25 <= time.monotonic() - started < 2
    finally:
        await store.aclose()


async def test_a_lost_store_fails_closed() -> None:
    with redis_server() as server:
        store = await open_store(server.url)
        decisions = SharedDecisions(store)
        nonce = await decisions.issue_nonce("r1", 60)
        server.stop()
        with pytest.raises(StoreUnavailable):
            await decisions.take_nonce("r1", nonce, 60)
        with pytest.raises(StoreUnavailable):
            await decisions.wait("r1", 1)
        await store.aclose()
