"""The confirmation gate plugged into the pipeline, reached the same way by a direct
action tool and by compact mode's call_action (sandbox, official MCP client)."""

from __future__ import annotations

from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import parse_settings

pytestmark = pytest.mark.anyio
TARGET = {"InstanceIds": ["lhins-demo0001"]}


async def _call(c: Client, compact: bool, arguments: dict[str, Any]) -> types.CallToolResult:
    if compact:
        return await c.call_tool(
            "call_action", {"action": "IsolateInstances", "arguments": arguments}
        )
    return await c.call_tool("IsolateInstances", arguments)


@pytest.mark.parametrize("compact", [False, True], ids=["direct", "call_action"])
async def test_destructive_call_needs_the_token_then_runs_once(compact: bool) -> None:
    sb = Sandbox(delay=0)
    flags = ["--sandbox", "--confirm-mode", "token"] + (["--compact"] if compact else [])
    server = build_server(parse_settings(flags, env={}), sandbox=sb)
    async with Client(server) as c:
        first = await _call(c, compact, dict(TARGET))
        assert first.is_error
        error = first.structured_content["Error"]
        assert error["Code"] == "ConfirmationRequired"
        assert "IsolateInstances" not in {r.action for r in sb.requests}
        token = error["confirm_token"]
        forged = await _call(c, compact, dict(TARGET, confirm_token=token[:-2] + "xx"))
        other = await _call(c, compact, {"InstanceIds": ["lhins-demo0002"], "confirm_token": token})
        assert forged.is_error and other.is_error
        assert "IsolateInstances" not in {r.action for r in sb.requests}
        done = await _call(c, compact, dict(TARGET, confirm_token=token))
        again = await _call(c, compact, dict(TARGET, confirm_token=token))
    assert not done.is_error, done.content
    assert again.is_error  # single use
    assert [r.action for r in sb.requests].count("IsolateInstances") == 1


async def test_confirm_token_is_offered_only_where_the_gate_applies() -> None:
    flags = ["--sandbox", "--confirm-mode", "token"]
    server = build_server(parse_settings(flags, env={}), sandbox=Sandbox(delay=0))
    async with Client(server) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    default = build_server(parse_settings(["--sandbox"], env={}), sandbox=Sandbox(delay=0))
    async with Client(default) as c:
        by_default = {t.name: t for t in (await c.list_tools()).tools}
    assert "confirm_token" not in by_default["IsolateInstances"].input_schema["properties"]
    assert "confirm_token" in tools["IsolateInstances"].input_schema["properties"]
    assert "confirm_token" not in tools["DescribeInstances"].input_schema["properties"]
