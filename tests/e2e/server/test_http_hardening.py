"""The HTTP doors on 127.0.0.1: WebSocket upgrades, the bearer scheme's case, slow
headers, and the bounds on streamable HTTP sessions (count and idle lifetime)."""

from __future__ import annotations

import importlib.util
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from lighthouse_mcp.server import transports
from lighthouse_mcp.server.transports import sse_app, streamable_http_app
from tests.e2e.server.http_helpers import running
from tests.e2e.server.test_http_transports import ACCEPT, INIT, TOKEN, _auth
from tests.unit.server.fakes import FakeClient, fake_server


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def server_errors() -> Iterator[_Errors]:
    """WARNING and up from uvicorn's error logger (which does not reach the root; and
    uvicorn's logging setup drops its handlers, so this is attached once it runs)."""
    handler = _Errors()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("streamable-http", "/mcp"),
        ("sse", "/sse"),
        ("sse", "/messages/"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},  # cross-origin, no token: the reported attack
        {"Authorization": f"Bearer {TOKEN}"},  # even with the token: nothing speaks WebSocket
    ],
)
def test_websocket_upgrades_are_refused_cleanly(
    kind: str, path: str, headers: dict[str, str]
) -> None:
    # uvicorn hands upgrades to the app only with a WebSocket library installed
    assert importlib.util.find_spec("websockets") is not None
    make = streamable_http_app if kind == "streamable-http" else sse_app
    with running(make(fake_server(FakeClient()), _auth())) as base, server_errors() as errors:

        async def attempt() -> int:
            with pytest.raises(InvalidStatus) as info:
                async with connect(
                    base.replace("http", "ws") + path, additional_headers=headers, open_timeout=5
                ):
                    pass
            return info.value.response.status_code

        status = anyio.run(attempt)
    assert status == 403
    assert not errors.records, [r.getMessage() for r in errors.records]


@pytest.mark.parametrize(
    ("value", "status_ok"),
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (f"BEARER {TOKEN}", True),
        (f"bEaReR  {TOKEN}", True),
        (f"Basic {TOKEN}", False),
        (TOKEN, False),
        (f"Bearer {TOKEN}x", False),
        ("bearer", False),
    ],
)
def test_bearer_scheme_is_case_insensitive(value: str, status_ok: bool) -> None:
    with running(streamable_http_app(fake_server(FakeClient()), _auth())) as base:
        answer = httpx.post(base + "/mcp", json=INIT, headers=ACCEPT | {"Authorization": value})
    assert (answer.status_code == 200) is status_ok, (value, answer.status_code)


def test_slow_headers_are_dropped_and_fast_requests_still_served() -> None:
    app = streamable_http_app(fake_server(FakeClient()), _auth())
    with running(app, http=transports.slow_header_guard(0.5)) as base:
        port = int(base.rsplit(":", 1)[1])
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            closed = False
            while time.monotonic() - started < 5:
                try:
                    slow.sendall(b"X-Drip: 1\r\n")
                    slow.settimeout(0.2)
                    if slow.recv(1024) == b"":
                        closed = True
                        break
                except TimeoutError:
                    continue
                except OSError:
                    closed = True
                    break
        took = time.monotonic() - started
        with socket.create_connection(("127.0.0.1", port)) as idle:  # never sends a byte
            idle.settimeout(3)
            assert idle.recv(1) == b""
        with httpx.Client() as http:  # keep-alive: the second request's headers are timed too
            headers = ACCEPT | {"Authorization": f"Bearer {TOKEN}"}
            first = http.post(base + "/mcp", json=INIT, headers=headers)
            time.sleep(0.8)
            second = http.post(base + "/mcp", json=INIT, headers=headers)
    assert closed and took < 2.5, took
    assert first.status_code == 200 and second.status_code == 200


def _initialize(base: str) -> httpx.Response:
    return httpx.post(
        base + "/mcp", json=INIT, headers=ACCEPT | {"Authorization": f"Bearer {TOKEN}"}
    )


def test_sessions_are_capped_in_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transports, "MAX_SESSIONS", 2)
    with running(streamable_http_app(fake_server(FakeClient()), _auth())) as base:
        answers = [_initialize(base) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert answers[2].status_code == 503


def test_idle_sessions_are_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transports, "SESSION_IDLE_TIMEOUT", 0.5)
    with running(streamable_http_app(fake_server(FakeClient()), _auth())) as base:
        session = _initialize(base).headers["mcp-session-id"]
        headers = ACCEPT | {
            "Authorization": f"Bearer {TOKEN}",
            "mcp-session-id": session,
            "mcp-protocol-version": "2025-06-18",
        }
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        alive = httpx.post(base + "/mcp", json=ping, headers=headers)
        time.sleep(1.5)
        gone = httpx.post(base + "/mcp", json=ping, headers=headers)
    assert alive.status_code in (200, 202)
    assert gone.status_code == 404
