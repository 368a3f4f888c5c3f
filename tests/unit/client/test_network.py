"""The client's network layer: writes coalesced until the next read, errors kept typed,
the socket looked up once, the pool's linear pass making httpcore's decisions."""

from __future__ import annotations

import socket
import ssl
from typing import Any, cast

import httpcore
import httpx
import pytest
from httpcore._async.connection_pool import AsyncPoolRequest

from lighthouse_mcp.client.network import (
    CoalescingStream,
    CoalescingTransport,
    FlatPool,
    default_transport,
    make_pool,
)

pytestmark = pytest.mark.anyio


class FakeStream(httpcore.AsyncNetworkStream):
    def __init__(self, fail_write: Exception | None = None) -> None:
        self.events: list[tuple[str, Any, float | None]] = []
        self.fail_write = fail_write
        self.lookups = 0
        self.sock, self.peer = socket.socketpair()

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.events.append(("write", buffer, timeout))
        if self.fail_write:
            raise self.fail_write

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.events.append(("read", max_bytes, timeout))
        return b"HTTP/1.1 200 OK\r\n"

    async def aclose(self) -> None:
        self.events.append(("close", None, None))
        self.sock.close()
        self.peer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.events.append(("tls", server_hostname, timeout))
        return FakeStream()

    def get_extra_info(self, info: str) -> Any:
        if info == "socket":
            self.lookups += 1
            return self.sock
        return f"info:{info}"


async def test_writes_go_out_as_one_before_the_read() -> None:
    inner = FakeStream()
    stream = CoalescingStream(inner)
    await stream.write(b"POST / HTTP/1.1\r\n\r\n", 5.0)
    await stream.write(b"", 5.0)
    await stream.write(b"{}", 6.0)
    assert inner.events == []
    assert await stream.read(100, 7.0) == b"HTTP/1.1 200 OK\r\n"
    assert inner.events == [("write", b"POST / HTTP/1.1\r\n\r\n{}", 6.0), ("read", 100, 7.0)]
    await stream.read(10)  # nothing pending: no empty write
    assert [e[0] for e in inner.events] == ["write", "read", "read"]
    await stream.aclose()


async def test_a_failed_flush_stays_a_write_error() -> None:
    inner = FakeStream(fail_write=httpcore.WriteError("broken pipe"))
    stream = CoalescingStream(inner)
    await stream.write(b"abc")
    with pytest.raises(httpcore.WriteError):
        await stream.read(10)
    await stream.aclose()


async def test_close_drops_what_an_abandoned_request_left() -> None:
    inner = FakeStream()
    stream = CoalescingStream(inner)
    await stream.write(b"abc")
    await stream.aclose()
    assert inner.events == [("close", None, None)]


async def test_tls_upgrade_flushes_first_and_wraps_the_new_stream() -> None:
    inner = FakeStream()
    stream = CoalescingStream(inner)
    await stream.write(b"CONNECT host:443 HTTP/1.1\r\n\r\n")
    upgraded = await stream.start_tls(ssl.create_default_context(), "host", 3.0)
    assert isinstance(upgraded, CoalescingStream)
    assert [e[0] for e in inner.events] == ["write", "tls"]
    await stream.aclose()


async def test_readability_probe_looks_the_socket_up_once() -> None:
    inner = FakeStream()
    stream = CoalescingStream(inner)
    assert stream.get_extra_info("is_readable") is False
    assert stream.get_extra_info("is_readable") is False
    inner.peer.send(b"x")  # the peer spoke while idle: readable
    assert stream.get_extra_info("is_readable") is True
    assert inner.lookups == 1
    assert stream.get_extra_info("server_addr") == "info:server_addr"
    await stream.aclose()


class FakeConnection:
    """Just what the pool's assignment pass asks of a connection."""

    def __init__(self, name: str, *, idle: bool = True, expired: bool = False) -> None:
        self.name, self.idle, self.expired, self.closed = name, idle, expired, False

    def is_closed(self) -> bool:
        return self.closed

    def has_expired(self) -> bool:
        return self.expired

    def is_idle(self) -> bool:
        return self.idle

    def is_available(self) -> bool:
        return self.idle

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return True


def pools(limits: httpx.Limits) -> tuple[httpcore.AsyncConnectionPool, FlatPool]:
    kwargs: dict[str, Any] = {
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
    }
    return httpcore.AsyncConnectionPool(**kwargs), FlatPool(**kwargs)


@pytest.mark.parametrize(
    ("states", "keepalive"),
    [
        ([(True, False)] * 4, 2),  # surplus idle connections are closed
        ([(True, True), (False, False), (True, False)], 5),  # expired closed
        ([(False, False)] * 3, 5),  # all busy: a queued request waits
        ([(False, False), (True, False)], 5),  # one idle: reused
    ],
)
async def test_flat_pool_decides_as_httpcore_does(
    states: list[tuple[bool, bool]], keepalive: int
) -> None:
    results = []
    for pool in pools(httpx.Limits(max_connections=3, max_keepalive_connections=keepalive)):
        conns = [FakeConnection(f"c{i}", idle=i_, expired=e) for i, (i_, e) in enumerate(states)]
        pool._connections = list(conns)  # type: ignore[arg-type]
        request = httpcore.Request("POST", "http://127.0.0.1:1/")
        queued = AsyncPoolRequest(request)
        pool._requests = [queued]
        closing = pool._assign_requests_to_connections()
        kept = [c.name for c in pool._connections if isinstance(c, FakeConnection)]
        got = queued.connection
        assigned = got.name if isinstance(got, FakeConnection) else type(got).__name__
        results.append(([c.name for c in closing], kept, assigned))  # type: ignore[attr-defined]
    assert results[0] == results[1]


def test_proxy_in_the_environment_leaves_the_transport_to_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits = httpx.Limits(max_connections=4)
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(default_transport(limits), CoalescingTransport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert default_transport(limits) is None


def test_the_pool_keeps_the_limits() -> None:
    pool = make_pool(
        httpx.Limits(max_connections=7, max_keepalive_connections=3, keepalive_expiry=11)
    )
    assert isinstance(pool, FlatPool)
    assert (pool._max_connections, pool._max_keepalive_connections, pool._keepalive_expiry) == (
        7,
        3,
        11,
    )


async def test_between_sweeps_only_the_connection_handed_out_is_probed() -> None:
    pool = FlatPool(max_connections=3, max_keepalive_connections=3)
    conns = [
        FakeConnection("dead", expired=True),
        FakeConnection("ok"),
        FakeConnection("stale", expired=True),
    ]
    pool._next_sweep = float("inf")  # no sweep in this pass
    pool._connections = list(conns)  # type: ignore[arg-type]
    queued = AsyncPoolRequest(httpcore.Request("POST", "http://127.0.0.1:1/"))
    pool._requests = [queued]
    closing = pool._assign_requests_to_connections()
    assert [c.name for c in closing] == ["dead"]  # type: ignore[attr-defined]
    assert queued.connection is cast(Any, conns[1])
    # the next sweep finds the expired connection nobody picked
    pool._next_sweep = 0.0
    pool._requests = []
    assert [c.name for c in pool._assign_requests_to_connections()] == [  # type: ignore[attr-defined]
        "stale"
    ]
