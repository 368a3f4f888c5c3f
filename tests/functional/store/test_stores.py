"""The store interface, the same tests for memory:// and a real redis-server; then what
only a shared store can do (two clients of one Redis as two replicas) and how a lost
Redis is reported."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import pytest

from lighthouse_mcp.store import (
    MemoryStore,
    Store,
    StoreConfigError,
    StoreUnavailable,
    check_url,
    make_store,
    open_store,
)
from tests.support.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, redis: RedisServer) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    opened = await open_store(redis.url)
    # A fresh namespace per test: the keys below are reused.
    prefix = f"t{time.monotonic_ns()}:"
    yield _Prefixed(opened, prefix)
    await opened.aclose()


class _Prefixed:
    """The Redis store with a per-test key prefix (tests reuse key names)."""

    def __init__(self, inner: Store, prefix: str) -> None:
        self.inner, self.p = inner, prefix
        self.label, self.shared = inner.label, inner.shared

    async def ping(self) -> None:
        await self.inner.ping()

    async def reserve_slot(self, key: str, rate: int, spacing: float) -> float:
        return await self.inner.reserve_slot(self.p + key, rate, spacing)

    async def claim_once(self, key: str, ttl: float) -> bool:
        return await self.inner.claim_once(self.p + key, ttl)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self.inner.put(self.p + key, value, ttl)

    async def get(self, key: str) -> str | None:
        return await self.inner.get(self.p + key)

    async def delete(self, key: str) -> None:
        await self.inner.delete(self.p + key)

    async def push(self, key: str, value: str, ttl: float) -> None:
        await self.inner.push(self.p + key, value, ttl)

    async def pop_wait(self, key: str, timeout: float) -> str | None:
        return await self.inner.pop_wait(self.p + key, timeout)

    async def append(self, stream: str, fields: dict[str, str], maxlen: int) -> str:
        return await self.inner.append(self.p + stream, fields, maxlen)

    async def read(
        self, stream: str, after: str = "0", count: int = 100, block: float | None = None
    ) -> list:  # type: ignore[type-arg]
        return await self.inner.read(self.p + stream, after, count, block)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_reserve_slot_lets_a_burst_of_rate_through_then_spaces(store: Store) -> None:
    waits = [await store.reserve_slot("rate:a", 3, 1.0) for _ in range(5)]
    assert waits[:3] == pytest.approx([0, 0, 0], abs=0.05)
    assert waits[3] == pytest.approx(1.0, abs=0.1)
    assert waits[4] == pytest.approx(1.0, abs=0.1)
    # Another key has its own window.
    assert await store.reserve_slot("rate:b", 3, 1.0) == pytest.approx(0, abs=0.05)


async def test_claim_once_is_true_once_until_it_expires(store: Store) -> None:
    assert await store.claim_once("nonce:1", 0.3)
    assert not await store.claim_once("nonce:1", 0.3)
    assert await store.claim_once("nonce:2", 0.3)
    await anyio.sleep(0.4)
    assert await store.claim_once("nonce:1", 0.3)


async def test_put_get_delete_and_expiry(store: Store) -> None:
    await store.put("k", "v", 0.3)
    assert await store.get("k") == "v"
    await store.delete("k")
    assert await store.get("k") is None
    await store.put("k", "w", 0.2)
    await anyio.sleep(0.3)
    assert await store.get("k") is None


async def test_pop_wait_is_woken_by_a_push_and_times_out_without_one(store: Store) -> None:
    started = time.monotonic()
    assert await store.pop_wait("wake", 0.3) is None
    assert time.monotonic() - started >= 0.25
    got: list[str | None] = []

    async def waiter() -> None:
        got.append(await store.pop_wait("wake", 5))

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await anyio.sleep(0.1)
        pushed = time.monotonic()
        await store.push("wake", "approved", 10)
    assert got == ["approved"]
    assert time.monotonic() - pushed < 0.5
    # A push before anyone waits is kept for the next waiter.
    await store.push("early", "x", 10)
    assert await store.pop_wait("early", 1) == "x"


async def test_streams_keep_order_and_read_after_an_id(store: Store) -> None:
    ids = [await store.append("audit", {"n": str(i)}, 100) for i in range(3)]
    entries = await store.read("audit")
    assert [e.fields["n"] for e in entries] == ["0", "1", "2"]
    assert [e.id for e in entries] == ids
    assert [e.fields["n"] for e in await store.read("audit", after=ids[0])] == ["1", "2"]
    assert await store.read("audit", after=ids[-1]) == []
    got = []

    async def tail() -> None:
        got.extend(await store.read("audit", after=ids[-1], block=5))

    async with anyio.create_task_group() as tg:
        tg.start_soon(tail)
        await anyio.sleep(0.1)
        await store.append("audit", {"n": "3"}, 100)
    assert [e.fields["n"] for e in got] == ["3"]


async def test_two_redis_clients_share_everything(redis: RedisServer) -> None:
    """Two stores on one Redis behave as one: what replica A claims, B cannot; slots
    reserved concurrently by both never put more than ``rate`` in one window."""
    a, b = await open_store(redis.url), await open_store(redis.url)
    try:
        assert await a.claim_once("shared:token", 30)
        assert not await b.claim_once("shared:token", 30)
        key = f"shared:rate:{time.monotonic_ns()}"

        async def reserve(store: Store, out: list[float]) -> None:
            wait = await store.reserve_slot(key, 5, 1.0)
            out.append(time.monotonic() + wait)  # the slot, on this process's clock

        start = time.monotonic()
        slots: list[float] = []
        async with anyio.create_task_group() as tg:
            for i in range(20):
                tg.start_soon(reserve, a if i % 2 else b, slots)
        slots.sort()
        # 20 slots at 5 per second: 5 at once, then 5 more each second (1, 2, 3 s).
        assert sum(s < start + 0.5 for s in slots) == 5
        for k in range(5, 20):
            assert slots[k] >= slots[k - 5] + 0.95  # 0.05 s: the round trip's share
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_push_on_one_client_wakes_a_waiter_on_the_other(redis: RedisServer) -> None:
    a, b = await open_store(redis.url), await open_store(redis.url)
    key = f"wake:{time.monotonic_ns()}"
    got: list[str | None] = []
    try:

        async def waiter() -> None:
            got.append(await a.pop_wait(key, 5))

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await anyio.sleep(0.2)
            pushed = time.monotonic()
            await b.push(key, "approved", 10)
        assert got == ["approved"]
        assert time.monotonic() - pushed < 1.0
    finally:
        await a.aclose()
        await b.aclose()


async def test_redis_unreachable_at_start_is_a_clear_error() -> None:
    with redis_server() as server:
        url = server.url
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"redis://127\.0\.0\.1:\d+/0 does not answer"):
        await open_store(url)
    assert time.monotonic() - started < 5


async def test_a_password_never_appears_in_labels_or_errors() -> None:
    with redis_server(password="s3cret-store-pass") as server:
        store = await open_store(server.url)
        assert "s3cret" not in store.label and "***" in store.label
        assert "s3cret" not in repr(store)
        await store.aclose()
        wrong = server.url.replace("s3cret-store-pass", "wrong-pass-xyz")
        with pytest.raises(StoreUnavailable) as raised:
            await open_store(wrong)
        assert "wrong-pass" not in str(raised.value)
        # The password may come from the environment instead of the URL.
        bare = server.url.replace(":s3cret-store-pass@", "")
        store = await open_store(bare, {"LIGHTHOUSE_MCP_STORE_PASSWORD": "s3cret-store-pass"})
        await store.ping()
        await store.aclose()


def test_bad_urls_are_refused_naming_the_flag() -> None:
    for bad, why in [
        ("postgres://x", "unknown scheme"),
        ("redis://:pw@127.0.0.1:99999/0", "bad port"),
        ("redis:///0", "no host"),
        ("redis://127.0.0.1:6379/zero", "must be a number"),
    ]:
        with pytest.raises(StoreConfigError, match=why) as raised:
            check_url(bad)
        assert str(raised.value).startswith("--store:")
        assert "pw" not in str(raised.value)
    assert isinstance(make_store("memory://"), MemoryStore)


async def test_redis_lost_while_running_raises_store_unavailable() -> None:
    with redis_server() as server:
        store = await open_store(server.url)
        server.stop()
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await store.claim_once("after-loss", 10)
        assert time.monotonic() - started < 3
        await store.aclose()
