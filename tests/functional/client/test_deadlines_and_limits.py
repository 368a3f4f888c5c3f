"""The client's deadlines and size limits against a loopback endpoint that drips bytes.

A per-read timeout alone lets an endpoint that sends one byte every so often hold a call
for ever; the attempt and call deadlines (RetryPolicy.attempt_timeout, max_total) end
it, a timed-out read is retried while the call's budget allows, and a write is not.
Bodies are read with a byte limit: a huge or endless answer is refused after the limit,
and a huge API error message is cut like any text from upstream.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from lighthouse_mcp.client import (
    Credentials,
    InvalidInputError,
    LighthouseClient,
    RequestTimeoutError,
    ResponseTooLargeError,
)
from lighthouse_mcp.client.client import (
    DEFAULT_TIMEOUT,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
)
from lighthouse_mcp.client.errors import MAX_MESSAGE_CHARS
from lighthouse_mcp.client.retry import RetryPolicy

pytestmark = pytest.mark.anyio
CREDS = Credentials("AKIDexample00000000000000", "sk-deadline-test-000000")


class DripServer:
    """Answers every request with headers, then one body byte per ``interval`` seconds."""

    def __init__(self, interval: float, *, send_headers: bool = True) -> None:
        self.interval = interval
        self.send_headers = send_headers
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                if self.send_headers:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 100000\r\n\r\n"
                    )
                while not self._stop.is_set():
                    time.sleep(self.interval)
                    if self.send_headers:
                        conn.sendall(b" ")
            except OSError:
                return

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


def _client(url: str, retry: RetryPolicy, read: float = 5.0) -> LighthouseClient:
    return LighthouseClient(
        credentials=CREDS,
        region="ap-guangzhou",
        endpoint=url,
        env={},
        rate_limits=False,
        retry=retry,
        timeout=httpx.Timeout(read, connect=2.0),
    )


SHORT = RetryPolicy(
    max_attempts=10, base_delay=0.0, max_delay=0.0, attempt_timeout=0.6, max_total=1.5
)


async def test_a_dripping_endpoint_cannot_hold_a_read_past_the_call_deadline() -> None:
    with DripServer(0.05) as server:
        async with _client(server.url, SHORT) as client:
            started = time.monotonic()
            with pytest.raises(RequestTimeoutError) as info:
                await client.call("DescribeInstances", {})
            took = time.monotonic() - started
    assert took < SHORT.max_total + 0.5, took
    # each attempt ended at its own deadline and the read was sent again while time allowed
    assert info.value.attempts >= 2 and server.connections == info.value.attempts
    assert "within" in str(info.value)


async def test_a_write_meeting_the_deadline_is_not_sent_again() -> None:
    with DripServer(0.05) as server:
        async with _client(server.url, SHORT) as client:
            with pytest.raises(RequestTimeoutError) as info:
                await client.call("RebootInstances", {"InstanceIds": ["lhins-aaaaaaaa"]})
    assert info.value.attempts == 1 and server.connections == 1
    assert info.value.may_have_reached_server
    assert "may or may not have been executed" in str(info.value)


async def test_read_timeouts_are_retried_inside_the_budget() -> None:
    """A per-read timeout (nothing at all comes back) is retried, as long as time is left."""
    with DripServer(0.05, send_headers=False) as server:
        async with _client(server.url, SHORT, read=0.3) as client:
            started = time.monotonic()
            with pytest.raises(RequestTimeoutError) as info:
                await client.call("DescribeBundles", {})
            took = time.monotonic() - started
    assert info.value.attempts >= 3 and took < SHORT.max_total + 0.5


def test_default_numbers_leave_room_for_retries() -> None:
    policy = RetryPolicy()
    assert DEFAULT_TIMEOUT.read is not None and DEFAULT_TIMEOUT.read <= policy.attempt_timeout
    assert 2 * policy.attempt_timeout < policy.max_total <= 60


def _streamed(
    chunks: int, size: int, pulled: list[int], headers: dict[str, str] | None = None
) -> httpx.MockTransport:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(chunks):
            pulled.append(size)
            yield b" " * size

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body(), headers=headers or {})

    return httpx.MockTransport(handler)


LIMIT = 64 * 1024


async def test_a_body_past_the_limit_is_not_read_further() -> None:
    pulled: list[int] = []
    client = LighthouseClient(
        credentials=CREDS,
        region="ap-guangzhou",
        env={},
        rate_limits=False,
        max_response_bytes=LIMIT,
        transport=_streamed(1000, 16 * 1024, pulled),
    )
    async with client:
        with pytest.raises(ResponseTooLargeError) as info:
            await client.call("DescribeInstances", {})
    assert sum(pulled) <= LIMIT + 16 * 1024  # stopped at the first chunk past the limit
    assert info.value.attempts == 1  # the same answer would come again: not retried
    assert f"{LIMIT:,} bytes" in str(info.value)


async def test_a_declared_length_past_the_limit_is_refused_unread() -> None:
    pulled: list[int] = []
    transport = _streamed(10, 1024, pulled, headers={"content-length": str(10**9)})
    async with LighthouseClient(
        credentials=CREDS,
        region="ap-guangzhou",
        env={},
        rate_limits=False,
        max_response_bytes=LIMIT,
        transport=transport,
    ) as client:
        with pytest.raises(ResponseTooLargeError):
            await client.call("DescribeInstances", {})
    assert pulled == []


async def test_a_huge_api_error_message_is_cut() -> None:
    message = "InstanceId lhins-x is wrong. " * 200_000  # about 6 MB

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=json.dumps(
                {
                    "Response": {
                        "Error": {"Code": "InvalidParameterValue", "Message": message},
                        "RequestId": "req-1",
                    }
                }
            ).encode(),
        )

    async with LighthouseClient(
        credentials=CREDS,
        region="ap-guangzhou",
        env={},
        rate_limits=False,
        transport=httpx.MockTransport(handler),
    ) as client:
        with pytest.raises(InvalidInputError) as info:
            await client.call("DescribeInstances", {})
    assert len(info.value.message) < MAX_MESSAGE_CHARS + 100
    assert info.value.message.startswith("InstanceId lhins-x is wrong.")
    assert f"{len(message)} characters in all" in info.value.message
    assert len(message) < MAX_RESPONSE_BYTES  # the limit is on bytes read, not on errors


async def test_a_request_past_10_mb_is_not_sent() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"Response": {"RequestId": "r"}})

    async with LighthouseClient(
        credentials=CREDS,
        region="ap-guangzhou",
        env={},
        rate_limits=False,
        transport=httpx.MockTransport(handler),
    ) as client:
        with pytest.raises(InvalidInputError) as info:
            await client.call(
                "DescribeInstances",
                {"Filters": [{"Name": "instance-name", "Values": ["x" * MAX_REQUEST_BYTES]}]},
            )
        await client.call(
            "DescribeInstances", {"Filters": [{"Name": "instance-name", "Values": ["x" * 1000]}]}
        )
    assert info.value.code == "RequestSizeLimitExceeded" and len(sent) == 1
