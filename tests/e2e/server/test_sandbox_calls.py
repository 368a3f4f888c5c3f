"""Every one of the 108 tools called through the MCP client against the in-process
sandbox, with valid arguments built from the docs' examples; invalid arguments never
reach the sandbox (its request log proves it)."""
from __future__ import annotations

from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.tools import catalog
from tests.e2e.server.examples import arguments_for, collect_ids

pytestmark = pytest.mark.anyio

#: Reads first, then reversible writes, then what stops, spends or destroys, so the
#: ids discovered by the reads still exist when a later tool needs them.
ORDER = {"read": 0, "write": 1, "billing": 2, "disruptive": 3, "destructive": 4}


def _order() -> list[str]:
    return sorted(catalog.action_names(), key=lambda a: (ORDER[catalog.safety_class(a)], a))


async def test_every_tool_called_with_example_arguments() -> None:
    sb = Sandbox(delay=0)
    server = build_server(Settings(sandbox=True), sandbox=sb, features=())
    known: dict[str, list[str]] = {}
    outcomes: dict[str, types.CallToolResult] = {}
    async with Client(server, client_info=types.Implementation(name="e2e", version="1")) as c:
        for action in _order():
            if catalog.is_read(action):
                warm = await c.call_tool(action, {})
                if not warm.is_error:
                    collect_ids(warm.structured_content, known)
        sb.reset()
        for action in _order():
            outcomes[action] = await c.call_tool(action, arguments_for(action, known))
    reached = {r.action for r in sb.requests}
    invalid = {a: r for a, r in outcomes.items()
               if r.is_error and (r.structured_content or {}).get("Error", {}).get("Code")
               == "InvalidArguments"}
    assert not invalid, {a: r.content[0] for a, r in invalid.items()}
    assert reached == set(catalog.action_names())  # each tool's call reached the sandbox
    succeeded = [a for a, r in outcomes.items() if not r.is_error]
    for action in succeeded:
        assert isinstance(outcomes[action].structured_content, dict)
        assert outcomes[action].structured_content.get("RequestId")  # type: ignore[union-attr]
    # Every failure is an API answer (Code + RequestId), never an internal error.
    for action, result in outcomes.items():
        if result.is_error:
            error = (result.structured_content or {}).get("Error", {})
            assert error.get("Code") not in (None, "InternalServerError"), action
            assert error.get("RequestId"), action
    assert len(succeeded) >= 100, sorted(set(outcomes) - set(succeeded))


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("DescribeInstances", {"Limit": "20"}, "Limit"),
    ("DescribeInstances", {"InstanceIdz": ["lhins-00000000"]}, "InstanceIdz"),
    ("StopInstances", {}, "InstanceIds"),
    ("DescribeInstances", {"Limit": 101}, "Limit"),
    ("DescribeInstances", {"Region": "ap-atlantis"}, "Region"),
]


@pytest.mark.parametrize(("action", "arguments", "field"), INVALID,
                         ids=["wrong-type", "unknown-argument", "missing-required",
                              "out-of-range", "unknown-region"])
async def test_invalid_arguments_never_reach_the_sandbox(
        action: str, arguments: dict[str, Any], field: str) -> None:
    sb = Sandbox(delay=0)
    async with Client(build_server(Settings(sandbox=True), sandbox=sb, features=())) as c:
        result = await c.call_tool(action, arguments)
    assert result.is_error
    block = result.content[0]
    assert isinstance(block, types.TextContent) and f"- {field}:" in block.text
    assert sb.requests == []


async def test_read_only_sandbox_server_sends_no_write() -> None:
    sb = Sandbox(delay=0)
    server = build_server(Settings(sandbox=True, read_only=True), sandbox=sb, features=())
    async with Client(server) as c:
        listed = (await c.list_tools()).tools
        result = await c.call_tool("StopInstances", {"InstanceIds": ["lhins-00000000"]})
    assert all(catalog.is_read(t.name) for t in listed)
    assert result.is_error and sb.requests == []
