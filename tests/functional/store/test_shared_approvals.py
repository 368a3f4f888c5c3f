"""Pending approvals across two replicas' stores on one real Redis (the approval flow's
ApprovalStore protocol): a decision given on B releases the call waiting on A within a
second; the first decision stands; a page nonce is used once on whichever replica; a
lost Redis fails closed."""

from __future__ import annotations

import time

import anyio
import pytest

from lighthouse_mcp.server.approvals.shared import SharedApprovalStore
from lighthouse_mcp.server.approvals.store import ApprovalRequest, Decision, request_id
from lighthouse_mcp.store import StoreUnavailable, open_store
from tests.support.redis_server import RedisServer, redis_server
from tests.unit.server.approvals.test_store import _request as make_request

pytestmark = pytest.mark.anyio


def _request(ttl: float = 60) -> ApprovalRequest:
    """A fresh request (its own id) created now: Redis keeps it by wall-clock expiry."""
    return make_request(request_id(f"link-{time.monotonic_ns()}"), created=time.time(), ttl=ttl)


async def test_a_decision_on_b_releases_the_waiter_on_a_at_once(redis: RedisServer) -> None:
    a_store, b_store = await open_store(redis.url), await open_store(redis.url)
    a, b = SharedApprovalStore(a_store), SharedApprovalStore(b_store)
    request = _request()
    got: list[Decision | None] = []
    try:
        await a.add(request)
        assert [r.id for r in await b.pending()] == [request.id]
        assert (await b.get(request.id)) == request

        async def waiting_call() -> None:
            got.append(await a.wait(request.id, 10))

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiting_call)
            await anyio.sleep(0.3)
            decided = time.monotonic()
            assert await b.decide(request.id, "approved", "page") is not None
        assert got[0] is not None and got[0].verdict == "approved" and got[0].by == "page"
        assert time.monotonic() - decided < 1.0
        # The first decision stands; the request is no longer pending anywhere.
        assert await a.decide(request.id, "declined", "terminal") is None
        assert (await a.decision(request.id)) == got[0]
        assert request.id not in [r.id for r in await a.pending()]
        with pytest.raises(ValueError, match="already exists"):
            await b.add(request)
    finally:
        await a_store.aclose()
        await b_store.aclose()


async def test_a_nonce_works_once_on_any_replica(redis: RedisServer) -> None:
    a_store, b_store = await open_store(redis.url), await open_store(redis.url)
    a, b = SharedApprovalStore(a_store), SharedApprovalStore(b_store)
    request, other = _request(), _request()
    try:
        await a.add(request)
        await a.add(other)
        nonce = await a.issue_nonce(request.id)
        assert nonce is not None
        assert not await b.take_nonce(other.id, nonce)  # bound to its request
        assert await b.take_nonce(request.id, nonce)
        assert not await a.take_nonce(request.id, nonce)
        assert not await b.take_nonce(request.id, "never-issued")
        spare = await b.issue_nonce(request.id)
        assert spare is not None
        await a.decide(request.id, "declined", "terminal")
        assert not await b.take_nonce(request.id, spare)  # settled: its forms are spent
        assert await b.issue_nonce(request.id) is None
    finally:
        await a_store.aclose()
        await b_store.aclose()


async def test_wait_times_out_and_an_expired_request_settles_as_expired(
    redis: RedisServer,
) -> None:
    store = await open_store(redis.url)
    approvals = SharedApprovalStore(store)
    try:
        request = _request(ttl=0.5)
        await approvals.add(request)
        started = time.monotonic()
        assert await approvals.wait(request.id, 0.2) is None
        assert 0.15 <= time.monotonic() - started < 2
        with pytest.raises(KeyError):
            await approvals.wait("unknown", 0.1)
        await anyio.sleep(0.5)
        assert await approvals.decide(request.id, "approved", "page") is None
        decision = await approvals.decision(request.id)
        assert decision is not None and decision.verdict == "expired"
    finally:
        await store.aclose()


async def test_a_lost_store_fails_closed() -> None:
    with redis_server() as server:
        store = await open_store(server.url)
        approvals = SharedApprovalStore(store)
        request = _request()
        await approvals.add(request)
        nonce = await approvals.issue_nonce(request.id)
        assert nonce is not None
        server.stop()
        with pytest.raises(StoreUnavailable):
            await approvals.take_nonce(request.id, nonce)
        with pytest.raises(StoreUnavailable):
            await approvals.wait(request.id, 1)
        await store.aclose()
