"""The exposure flags bound every surface, not only the action tools.

For each combination the issue names (``--exclude-tools DescribeInstances``,
``--toolsets bundle``, ``--compact --tools DescribeBundles``), through the official MCP
client against the sandbox: the live instance resources are not listed and reading one
is refused naming the missing action; ``wait_for`` does not offer the instance wait (or
is absent) and refuses it; the prompts that read instances are not listed and refuse to
render; and the sandbox never receives a DescribeInstances or DescribeFirewallRules
request. A control session with no flags reads the same things, so the checks can fail.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings

pytestmark = pytest.mark.anyio

INSTANCE_URI = "lighthouse://instances/ap-guangzhou/lhins-demo0001"
REGION_URI = "lighthouse://instances/ap-guangzhou"
INSTANCE_READS = {"DescribeInstances", "DescribeFirewallRules"}
INSTANCE_PROMPT = "diagnose_unreachable_instance"

COMBINATIONS: dict[str, dict[str, Any]] = {
    "exclude-DescribeInstances": {"exclude_tools": ("DescribeInstances",)},
    "toolsets-bundle": {"toolsets": ("bundle",)},
    "compact-tools-DescribeBundles": {"compact": True, "tools": ("DescribeBundles",)},
}


@asynccontextmanager
async def connect(tmp_path: Path, sb: Sandbox, **flags: Any) -> AsyncIterator[Client]:
    settings = Settings(
        sandbox=True, region="ap-guangzhou", audit_log=tmp_path / "audit.jsonl", **flags
    )
    server = build_server(settings, sandbox=sb)
    async with Client(server) as client:
        yield client
    await server.aclose()


def _text(result: types.CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def _wait_for_instance(client: Client) -> types.CallToolResult:
    return await client.call_tool(
        "wait_for",
        {"resource": "instance", "ids": ["lhins-demo0001"], "target_state": "RUNNING"},
    )


@pytest.mark.parametrize("name", list(COMBINATIONS))
async def test_instance_data_is_not_readable_around_the_bounds(tmp_path: Path, name: str) -> None:
    sb = Sandbox(delay=0)
    async with connect(tmp_path, sb, **COMBINATIONS[name]) as client:
        templates = {
            t.uri_template for t in (await client.list_resource_templates()).resource_templates
        }
        assert not any(t.startswith("lighthouse://instances") for t in templates), templates
        for uri in (INSTANCE_URI, REGION_URI):
            with pytest.raises(MCPError, match=r"not offered by this server.*DescribeInstances"):
                await client.read_resource(uri)

        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert "DescribeInstances" not in tools
        if "wait_for" in tools:
            kinds = tools["wait_for"].input_schema["properties"]["resource"]["enum"]
            assert "instance" not in kinds
            refused = await _wait_for_instance(client)
            assert refused.is_error and "not offered" in _text(refused)
            assert "DescribeInstances" in _text(refused)

        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert INSTANCE_PROMPT not in prompts
        with pytest.raises(MCPError, match=r"not offered by this server.*DescribeInstances"):
            await client.get_prompt(
                INSTANCE_PROMPT, {"instance_id": "lhins-demo0001", "region": "ap-guangzhou"}
            )

        if "call_action" in tools:  # compact mode: the meta-tools keep the same bounds
            found = await client.call_tool("search_actions", {"query": "instances"})
            assert "DescribeInstances" not in _text(found)
            called = await client.call_tool(
                "call_action", {"action": "DescribeInstances", "arguments": {}}
            )
            assert called.is_error and "not available" in _text(called)
    sent = {r.action for r in sb.requests}
    assert not INSTANCE_READS & sent, sent


async def test_bundle_only_server_offers_no_waiter(tmp_path: Path) -> None:
    """No wait kind's Describe action is in the bundle group: wait_for is not a tool."""
    async with connect(tmp_path, Sandbox(delay=0), toolsets=("bundle",)) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "wait_for" not in tools and "DescribeBundles" in tools
        unknown = await _wait_for_instance(client)
    assert unknown.is_error


async def test_control_without_flags_reads_them(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with connect(tmp_path, sb) as client:
        templates = {
            t.uri_template for t in (await client.list_resource_templates()).resource_templates
        }
        assert {
            "lighthouse://instances/{Region}/{InstanceId}",
            "lighthouse://instances/{Region}",
        } <= templates
        read = await client.read_resource(INSTANCE_URI)
        block = read.contents[0]
        assert isinstance(block, types.TextResourceContents)
        assert json.loads(block.text)["InstanceId"] == "lhins-demo0001"
        waited = await _wait_for_instance(client)
        assert not waited.is_error, _text(waited)
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert INSTANCE_PROMPT in prompts
    assert {r.action for r in sb.requests} >= INSTANCE_READS


async def test_excluding_firewall_rules_withholds_the_instance_view(tmp_path: Path) -> None:
    """The instance view reads DescribeFirewallRules too: without it the view is
    withheld, while the region list (DescribeInstances only) stays offered."""
    sb = Sandbox(delay=0)
    async with connect(tmp_path, sb, exclude_tools=("DescribeFirewallRules",)) as client:
        with pytest.raises(MCPError, match="DescribeFirewallRules"):
            await client.read_resource(INSTANCE_URI)
        listed = await client.read_resource(REGION_URI)
        assert listed.contents
    assert "DescribeFirewallRules" not in {r.action for r in sb.requests}


async def test_next_hint_names_no_wait_outside_the_bounds(tmp_path: Path) -> None:
    """RebootInstances is asynchronous: its result's Next names wait_for on the instance,
    unless DescribeInstances is left out; then it only says the work goes on."""
    args = {"InstanceIds": ["lhins-demo0001"]}
    async with connect(tmp_path / "all", Sandbox(delay=0)) as client:
        full = await client.call_tool("RebootInstances", args)
    async with connect(tmp_path, Sandbox(delay=0), exclude_tools=("DescribeInstances",)) as client:
        bounded = await client.call_tool("RebootInstances", args)
    assert not full.is_error and not bounded.is_error, _text(bounded)
    assert (full.structured_content or {})["Next"]["Tool"] == "wait_for"
    hint = (bounded.structured_content or {})["Next"]
    assert hint["Asynchronous"] is True and "Tool" not in hint and "wait_for" not in hint["Note"]
    assert "DescribeInstances" not in _text(bounded)
