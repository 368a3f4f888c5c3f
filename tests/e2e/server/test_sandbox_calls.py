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
from tests.e2e.server.examples import arguments_for, harvest

pytestmark = pytest.mark.anyio
MIN_SUCCEEDED = 78
ATTEMPTS = 12

#: After a warm-up of argument-less reads (to learn ids): what creates resources (so
#: later tools have custom blueprints, snapshots, templates, data disks to work on), then
#: reads, reversible writes, and last what spends, stops or destroys, so the ids still
#: exist when a later tool needs them.
ORDER = {"create": 0, "read": 1, "write": 2, "billing": 3, "disruptive": 4, "destructive": 5}
#: Creates in dependency order: an instance before its snapshot and blueprint, a data
#: disk before its backup, a template before its rules.
CREATES = ("CreateInstances", "CreateDisks", "CreateKeyPair", "ImportKeyPair",
           "CreateFirewallTemplate", "CreateFirewallTemplateRules", "CreateFirewallRules",
           "CreateInstanceSnapshot", "CreateBlueprint", "CreateDiskBackup")


def _rank(action: str) -> tuple[int, int, str]:
    if action in CREATES:
        return ORDER["create"], CREATES.index(action), action
    return ORDER[catalog.safety_class(action)], 0, action


def _order() -> list[str]:
    return sorted(catalog.action_names(), key=_rank)


def _documented(action: str, code: str) -> bool:
    """A code the docs list for this action, or a common/business error of the API."""
    cat = catalog.load_catalog()
    codes = {e["code"] for e in catalog.action(action)["errors"]}
    codes |= {e["code"] for e in cat["common_errors"] + cat["business_errors"]}
    return code in codes or code.split(".")[0] in {"ResourceNotFound", "InvalidParameterValue",
                                                   "UnsupportedOperation", "OperationDenied"}


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
                    harvest(action, warm.structured_content, known)
        sb.reset()
        for action in _order():
            for attempt in range(ATTEMPTS):  # another instance/disk/zone if state refuses
                result = await c.call_tool(action, arguments_for(action, known, attempt))
                if not result.is_error:
                    break
            outcomes[action] = result
            if not result.is_error:
                harvest(action, result.structured_content, known)
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
    # Every failure is the sandbox's answer (a documented error code + RequestId) to a call
    # the resource's state does not allow, never an internal error of the server.
    for action, result in outcomes.items():
        if result.is_error:
            error = (result.structured_content or {}).get("Error", {})
            assert _documented(action, error.get("Code", "")), (action, error)
            assert error.get("RequestId"), action
    print(f"{len(succeeded)} of {len(outcomes)} tools succeeded with example arguments")
    assert len(succeeded) >= MIN_SUCCEEDED, sorted(set(outcomes) - set(succeeded))


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
