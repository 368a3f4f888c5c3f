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
  connection.

Errors keep their httpcore types: a write that fails when flushed is still a
``WriteError``/``WriteTimeout`` (with the write timeout), so the client's classification
of what may have reached the server does not change.
"""

from __future__ import annotations

import socket
import ssl
import urllib.request
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
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


class CoalescingTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` (HTTP/1.1, TLS verified, no proxy) whose pool connects
    through ``CoalescingBackend``. httpx builds the pool in its constructor without a way
    to pass a network backend, so the pool is built here with httpx's settings (its
    constructor is not called: it would build a second pool and SSL context for nothing,
    and ``handle_async_request``/``aclose`` only use ``_pool``)."""

    def __init__(self, limits: httpx.Limits) -> None:  # noqa: super-init-not-called
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=CoalescingBackend(),
        )


def default_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
    """``CoalescingTransport``, or None (httpx's own) when the environment names a proxy.

    httpx only mounts the proxies of HTTP(S)_PROXY/ALL_PROXY when it builds the transport
    itself, and it reads them with ``urllib.request.getproxies()`` as done here.
    """
    if {"http", "https", "all"} & urllib.request.getproxies().keys():
        return None
    return CoalescingTransport(limits)
