"""Streamable HTTP and SSE on 127.0.0.1 through the official MCP client: the bearer token
is required (401 without), a foreign browser Origin is refused (403)."""

from __future__ import annotations

import httpx
import httpx2
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from lighthouse_mcp.server.config import ConfigError, Settings
from lighthouse_mcp.server.transports import (
    HttpAuth,
    announce,
    resolve_auth,
    sse_app,
    streamable_http_app,
)
from tests.e2e.server.http_helpers import running
from tests.unit.server.fakes import FakeClient, fake_registry, fake_server
from tests.unit.server.test_pipeline import RecordingGate

TOKEN = "test-token-0123456789"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def _auth() -> HttpAuth:
    return resolve_auth(
        Settings(
            transport="streamable-http", auth_token=TOKEN, allowed_origins=("https://ide.example",)
        )
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_streamable_http_round_trip_with_token(mode: str) -> None:
    api, gate = FakeClient(), RecordingGate(allow=True)
    reg = fake_registry()
    reg.set_gate(gate)
    with running(streamable_http_app(fake_server(api, registry=reg), _auth())) as base:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"})
        async with Client(
            streamable_http_client(f"{base}/mcp", http_client=http),
            mode=mode,
            client_info=types.Implementation(name="http-test", version="1"),
        ) as c:
            names = {t.name for t in (await c.list_tools()).tools}
            result = await c.call_tool("DescribeThings", {"Limit": 2})
            await c.call_tool("DescribeThings", {"Limit": 3})
    assert names == {"DescribeThings", "DeleteThing"}
    assert not result.is_error and api.calls[0] == ("DescribeThings", {"Limit": 2}, None)
    first, second = (s for _, s in gate.seen)
    assert first.session_id and first.session_id == second.session_id  # confirmations bind
    assert TOKEN not in first.session_id


@pytest.mark.anyio
async def test_sse_round_trip_with_token() -> None:
    api = FakeClient()
    with running(sse_app(fake_server(api), _auth())) as base:
        transport = sse_client(f"{base}/sse", headers={"Authorization": f"Bearer {TOKEN}"})
        async with Client(transport, mode="legacy") as c:
            result = await c.call_tool("DescribeThings", {"Limit": 3})
    assert not result.is_error and api.calls == [("DescribeThings", {"Limit": 3}, None)]


@pytest.mark.parametrize("kind", ["streamable-http", "sse"])
def test_token_and_origin_are_enforced(kind: str) -> None:
    api = FakeClient()
    server = fake_server(api)
    app = (
        streamable_http_app(server, _auth())
        if kind == "streamable-http"
        else sse_app(server, _auth())
    )
    path = "/mcp" if kind == "streamable-http" else "/messages/?session_id=00"
    with running(app) as base:
        url = base + path
        good = {"Authorization": f"Bearer {TOKEN}"} | ACCEPT
        no_token = httpx.post(url, json=INIT, headers=ACCEPT)
        wrong = httpx.post(url, json=INIT, headers=ACCEPT | {"Authorization": "Bearer nope"})
        evil = httpx.post(url, json=INIT, headers=good | {"Origin": "https://evil.example"})
        rebind = httpx.post(url, json=INIT, headers=good | {"Host": "evil.example:80"})
        allowed = httpx.post(url, json=INIT, headers=good | {"Origin": "https://ide.example"})
        local = httpx.post(url, json=INIT, headers=good | {"Origin": "http://localhost:5173"})
        preflight = httpx.options(
            url, headers={"Origin": "https://ide.example", "Access-Control-Request-Method": "POST"}
        )
        bad_preflight = httpx.options(url, headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 204
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    assert bad_preflight.status_code == 403
    assert no_token.status_code == 401 and "bearer" in no_token.headers["www-authenticate"].lower()
    assert allowed.headers["access-control-allow-origin"] == "https://ide.example"
    assert "access-control-allow-origin" not in evil.headers
    assert wrong.status_code == 401
    assert evil.status_code == 403 and rebind.status_code == 403
    assert allowed.status_code not in (401, 403) and local.status_code not in (401, 403)
    assert api.calls == []


def test_token_is_generated_on_loopback_and_printed_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(transport="streamable-http")
    auth = resolve_auth(settings)
    assert auth.generated and auth.token and len(auth.token) >= 32
    assert auth.token not in repr(auth)
    announce(settings, auth)
    err = capsys.readouterr().err
    assert err.count(auth.token) == 1 and "http://127.0.0.1:8000/mcp" in err
    assert resolve_auth(settings).token != auth.token  # fresh per start


def test_non_loopback_without_token_refuses_unless_dangerously_allowed() -> None:
    with pytest.raises(ConfigError, match="not a loopback address"):
        resolve_auth(Settings(transport="sse", host="0.0.0.0"))
    open_auth = resolve_auth(Settings(transport="sse", host="0.0.0.0", allow_unauthenticated=True))
    assert open_auth.token is None and not open_auth.check_host
    given = resolve_auth(Settings(transport="sse", host="0.0.0.0", auth_token=TOKEN))
    assert given.token == TOKEN and not given.generated


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.anyio
async def test_cli_serves_streamable_http_with_the_printed_token() -> None:
    """The real command: starts, prints the generated token once, and serves with it."""
    import subprocess
    import sys
    import time

    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lighthouse_mcp.server",
            "--sandbox",
            "--transport",
            "streamable-http",
            "--port",
            str(port),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stderr is not None
        token = None
        deadline = time.monotonic() + 30
        while token is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "auth token (shown once):" in line:
                token = line.rsplit(":", 1)[1].strip()
        assert token, "no token printed"
        url = f"http://127.0.0.1:{port}/mcp"
        for _ in range(100):  # the token is printed just before uvicorn binds
            try:
                refused = httpx.post(url, json=INIT, headers=ACCEPT)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert refused.status_code == 401
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
        async with Client(streamable_http_client(url, http_client=http)) as c:
            result = await c.call_tool("DescribeRegions", {})
        assert not result.is_error and result.structured_content["TotalCount"] >= 1
    finally:
        proc.terminate()
        proc.wait(10)
