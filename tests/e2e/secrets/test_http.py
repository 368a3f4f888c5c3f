"""The HTTP transports with a canary bearer token and canary passwords in tool calls.

The bearer token may be printed once, on stderr, when it is generated, and never again:
not in the log, not in a 401 answer, not in a session id. Tool arguments travel in HTTP
bodies, so the server side of both transports must not log them either (the MCP SDK's
SSE transport logs every received body at DEBUG). Records of the test's own MCP client
(``mcp.client.*``) are the client's business and are left out of the check.
"""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import httpx2
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings, parse_settings
from lighthouse_mcp.server.transports import (
    announce,
    resolve_auth,
    sse_app,
    streamable_http_app,
)
from tests.e2e.secrets import canaries as cn
from tests.e2e.secrets.test_mcp_tools import canary_client, canary_sandbox
from tests.e2e.server.http_helpers import running

pytestmark = pytest.mark.anyio
RESET = {"InstanceIds": ["lhins-demo0001"], "Password": cn.PASSWORD}
CLIENT = types.Implementation(name="secrets-http", version="1")


def _server_logs(caplog: pytest.LogCaptureFixture) -> str:
    return cn.log_text(r for r in caplog.records if not r.name.startswith("mcp.client"))


def _settings(transport: str, tmp_path: Path) -> Settings:
    return Settings(
        transport=transport,  # type: ignore[arg-type]
        auth_token=cn.BEARER,
        region="ap-guangzhou",
        confirm_mode="token",
        policy=cn.password_reset_runs(tmp_path),
    )


async def _calls(c: Client) -> list[types.CallToolResult]:
    return [
        await c.call_tool("ResetInstancesPassword", RESET),
        await c.call_tool("ResetInstancesPassword", {**RESET, "Password": [cn.PASSWORD]}),
        await c.call_tool("ResetInstancesPassword", {**RESET, "Password": cn.BAD_PASSWORD}),
    ]


def _check(results: list[types.CallToolResult], caplog: pytest.LogCaptureFixture) -> None:
    for result in results:
        cn.assert_clean(
            "a tool result over HTTP",
            [getattr(b, "text", "") for b in result.content],
            result.structured_content or {},
        )
    cn.assert_clean("the server's log (DEBUG, every logger)", _server_logs(caplog))


async def test_streamable_http(all_logs: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    settings = _settings("streamable-http", tmp_path)
    sb = canary_sandbox()
    server = build_server(settings, client=canary_client(sb))
    with running(streamable_http_app(server, resolve_auth(settings))) as base:
        refused = httpx.post(
            f"{base}/mcp", json={}, headers={"Authorization": f"Bearer {cn.BEARER}x"}
        )
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {cn.BEARER}"})
        async with Client(
            streamable_http_client(f"{base}/mcp", http_client=http),
            mode="legacy",
            client_info=CLIENT,
        ) as c:
            results = await _calls(c)
    assert refused.status_code == 401
    cn.assert_clean("a 401 answer", refused.text, dict(refused.headers))
    assert not results[0].is_error and results[1].is_error and results[2].is_error
    _check(results, all_logs)


async def test_sse(all_logs: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    settings = _settings("sse", tmp_path)
    sb = canary_sandbox()
    server = build_server(settings, client=canary_client(sb))
    with running(sse_app(server, resolve_auth(settings))) as base:
        transport = sse_client(f"{base}/sse", headers={"Authorization": f"Bearer {cn.BEARER}"})
        async with Client(transport, mode="legacy", client_info=CLIENT) as c:
            results = await _calls(c)
    assert not results[0].is_error
    _check(results, all_logs)


def test_token_from_the_environment_is_never_printed() -> None:
    settings = parse_settings(
        ["--transport", "streamable-http"], env={"LIGHTHOUSE_MCP_AUTH_TOKEN": cn.BEARER}
    )
    auth = resolve_auth(settings)
    out = io.StringIO()
    announce(settings, auth, out)
    assert auth.token == cn.BEARER and not auth.generated
    cn.assert_clean("the start-up announcement", out.getvalue())
    cn.assert_clean("Settings and HttpAuth reprs", repr(settings), str(settings), repr(auth))


def test_a_generated_token_is_printed_once_and_only_there(
    all_logs: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(transport="streamable-http")
    auth = resolve_auth(settings)
    assert auth.token and auth.generated
    out = io.StringIO()
    announce(settings, auth, out)
    assert out.getvalue().count(auth.token) == 1
    assert auth.token not in repr(auth) and auth.token not in repr(settings)
    assert auth.token not in cn.log_text(all_logs.records)
