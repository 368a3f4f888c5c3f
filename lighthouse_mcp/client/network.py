"""The client's HTTP transport: httpx's own, over a network backend that sends less.

Two costs of httpcore's defaults dominate a small API call on a fast network (measured in
bench/bench_client_concurrency.py, issue 17):

- **Two sends per request.** httpcore writes the header block and the body with separate
  ``send()`` calls. On loopback each send also runs the receiver's side of TCP in the
  sender's system call, and on a virtual machine that costs far more than the Python
  around it; over a real network it is two segments where one would do. Here writes are
  held until the connection is next read (httpcore always reads the response after
  writing the request), then go out as one ``send()``.
- **Pool bookkeeping.** On every change of the pool (twice per request) httpcore asks
  each idle connection whether its socket became readable, and anyio answers
  ``extra(raw_socket)`` by building a dict of every socket attribute, a
  ``getpeername()`` system call included. Here the raw socket is looked up once per
  connection. The same pass builds, for each idle connection, a list over all
  connections only to take its length (``len([c.is_idle() for c in connections])``,
  which is ``len(connections)``): quadratic in the pool size, and under a CPU-bound
  burst most connections are idle, so at 50 workers over 20 connections it was the top
  of the profile. And each pass probes every connection for expiry with a ``poll()``.
  ``FlatPool`` makes the same decisions with the length taken directly and the probe
  run where it matters (see its docstring).

Errors keep their httpcore types: a write that fails when flushed is still a
``WriteError``/``WriteTimeout`` (with the write timeout), so the client's classification
of what may have reached the server does not change.
"""

from __future__ import annotations

import socket
import ssl
import time
import urllib.request
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from httpcore._async.interfaces import AsyncConnectionInterface
from httpcore._utils import is_socket_readable

_UNSET: Any = object()


class CoalescingStream(httpcore.AsyncNetworkStream):
    """Buffers writes until the next read (or TLS upgrade) and sends them as one."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._pending: list[bytes] = []
        self._write_timeout: float | None = None
        self._socket: socket.socket | None = _UNSET

    async def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending) if len(self._pending) > 1 else self._pending[0]
            self._pending.clear()
            await self._stream.write(data, self._write_timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if buffer:
            self._pending.append(buffer)
            self._write_timeout = timeout

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        await self._flush()
        return await self._stream.read(max_bytes, timeout)

    async def aclose(self) -> None:
        # httpcore closes after a failure or when it is done with the connection; what
        # is still buffered then belongs to a request that was abandoned, so it is dropped.
        self._pending.clear()
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        await self._flush()  # a proxy's CONNECT must go out before the handshake
        upgraded = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return CoalescingStream(upgraded)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            if self._socket is _UNSET:
                self._socket = self._stream.get_extra_info("socket")
            return is_socket_readable(self._socket)
        return self._stream.get_extra_info(info)


class CoalescingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend with every stream wrapped in ``CoalescingStream``."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._backend = backend or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return CoalescingStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return CoalescingStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class FlatPool(httpcore.AsyncConnectionPool):
    """httpcore's pool with its reassignment pass made linear and its probes fewer.

    Same decisions as httpcore's pass, with two changes of cost only: the keep-alive
    surplus test takes ``len(connections)`` directly, and the expiry probe (a ``poll()``
    system call per connection, on every pass: 80 per request at 20 connections) runs
    over the whole pool at most every ``SWEEP_INTERVAL`` seconds, while a connection is
    always probed right before it is handed a request. So no request goes out on a
    connection the server has closed or that outlived its keep-alive, as before; an
    idle connection nobody picks is closed up to a second later than it would have been.

    Written against httpcore 1.0 (``_assign_requests_to_connections``); for any other
    major version the pool is httpcore's own (see ``make_pool``).
    """

    SWEEP_INTERVAL = 1.0
    _next_sweep = 0.0

    def _assign_requests_to_connections(self) -> list[AsyncConnectionInterface]:
        closing: list[AsyncConnectionInterface] = []
        connections = self._connections
        now = time.monotonic()
        sweep = now >= self._next_sweep
        if sweep:
            self._next_sweep = now + self.SWEEP_INTERVAL
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            elif (sweep and connection.has_expired()) or (
                connection.is_idle() and len(connections) > self._max_keepalive_connections
            ):
                connections.remove(connection)
                closing.append(connection)
        for pool_request in self._requests:
            if not pool_request.is_queued():
                continue
            origin = pool_request.request.url.origin
            available = self._available(origin, closing, probe=not sweep)
            if available is not None:
                pool_request.assign_to_connection(available)
            elif len(connections) < self._max_connections:
                connection = self.create_connection(origin)
                connections.append(connection)
                pool_request.assign_to_connection(connection)
            else:
                idle = next((c for c in connections if c.is_idle()), None)
                if idle is not None:
                    connections.remove(idle)
                    closing.append(idle)
                    connection = self.create_connection(origin)
                    connections.append(connection)
                    pool_request.assign_to_connection(connection)
        return closing

    def _available(
        self, origin: httpcore.Origin, closing: list[AsyncConnectionInterface], *, probe: bool
    ) -> AsyncConnectionInterface | None:
        """The first connection that can take a request to ``origin``; with ``probe``,
        expired ones met on the way are moved to ``closing``."""
        for connection in list(self._connections):
            if connection.can_handle_request(origin) and connection.is_available():
                if probe and connection.has_expired():
                    self._connections.remove(connection)
                    closing.append(connection)
                    continue
                return connection
        return None


def make_pool(limits: httpx.Limits) -> httpcore.AsyncConnectionPool:
    """The pool for ``limits``: ``FlatPool`` on httpcore 1.x, httpcore's own otherwise."""
    pool_class = FlatPool if httpcore.__version__.startswith("1.") else httpcore.AsyncConnectionPool
    return pool_class(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=CoalescingBackend(),
    )


class CoalescingTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` (HTTP/1.1, TLS verified, no proxy) over ``make_pool``.

    httpx builds its pool in its constructor with no way to pass a network backend, so
    the constructor is not called (it would build a second pool and SSL context for
    nothing); ``handle_async_request`` and ``aclose`` only use ``_pool``.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        self._pool = make_pool(limits)


def default_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
    """``CoalescingTransport``, or None (httpx's own) when the environment names a proxy.

    httpx only mounts the proxies of HTTP(S)_PROXY/ALL_PROXY when it builds the transport
    itself, and it reads them with ``urllib.request.getproxies()`` as done here.
    """
    if {"http", "https", "all"} & urllib.request.getproxies().keys():
        return None
    return CoalescingTransport(limits)
