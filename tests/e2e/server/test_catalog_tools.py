"""The catalog-built server through the official MCP client (in-memory): the tool list,
annotations on every tool, validation before sending, the mode flags, compact mode.
The API client is a recording fake here; test_sandbox_calls.py runs against the sandbox."""

from __future__ import annotations

from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp import catalog
from lighthouse_mcp.client import errors
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import parse_settings
from lighthouse_mcp.tools.tokens import tool_list_tokens
from tests.unit.server.fakes import FakeClient

pytestmark = pytest.mark.anyio


def _server(flags: list[str], api: FakeClient | None = None) -> Any:
    return build_server(parse_settings(flags, env={}), client=api or FakeClient(), features=())


def _text(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


async def _tools(flags: list[str]) -> dict[str, types.Tool]:
    async with Client(_server(flags)) as c:
        return {t.name: t for t in (await c.list_tools()).tools}


async def test_one_tool_per_action_named_exactly_with_schemas_and_annotations() -> None:
    tools = await _tools([])
    assert sorted(tools) == catalog.action_names() and len(tools) <= 128
    for name, tool in tools.items():
        assert tool.title and tool.description, name
        assert tool.input_schema.get("additionalProperties") is False, name
        assert tool.output_schema is not None, name
        ann = tool.annotations
        assert ann is not None, f"{name} has no annotations"
        assert ann.open_world_hint is True, name
        if catalog.is_read(name):
            assert ann.read_only_hint is True, name
        else:
            assert ann.read_only_hint is False, name
            assert ann.destructive_hint is (catalog.safety_class(name) == "destructive"), name


async def test_invalid_arguments_each_name_the_field_and_send_nothing() -> None:
    api = FakeClient()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("DescribeInstances", {"Limit": "ten"}, "Limit"),  # wrong type
        ("DescribeInstances", {"Limitt": 10}, "Limitt"),  # unknown argument
        ("TerminateInstances", {}, "InstanceIds"),  # missing required
        ("DescribeInstances", {"Limit": 1000}, "Limit"),  # out of range
        ("DescribeInstances", {"Region": "mars-north-1"}, "Region"),  # not a region name
    ]
    async with Client(_server([], api)) as c:
        for action, args, field in cases:
            result = await c.call_tool(action, args)
            assert result.is_error, (action, args)
            assert f"- {field}:" in _text(result) and "nothing was sent" in _text(result)
            problems = result.structured_content["Error"]["Problems"]
            assert field in [p["Field"] for p in problems]
    assert api.calls == []


async def test_all_problems_reported_at_once() -> None:
    async with Client(_server([])) as c:
        result = await c.call_tool("DescribeInstances", {"Limit": "x", "Bogus": 1, "Offset": -1.5})
    fields = [p["Field"] for p in result.structured_content["Error"]["Problems"]]
    assert {"Limit", "Bogus", "Offset"} <= set(fields)


async def test_region_goes_to_the_client_not_the_params() -> None:
    api = FakeClient()
    async with Client(_server(["--region", "ap-beijing"], api)) as c:
        await c.call_tool("DescribeInstances", {"Limit": 5, "Region": "ap-shanghai"})
        await c.call_tool("DescribeInstances", {})
    assert api.calls == [
        ("DescribeInstances", {"Limit": 5}, "ap-shanghai"),
        ("DescribeInstances", {}, "ap-beijing"),
    ]


async def test_read_only_flag() -> None:
    tools = await _tools(["--read-only"])
    assert tools and all(catalog.is_read(n) for n in tools)
    assert all(t.annotations and t.annotations.read_only_hint for t in tools.values())
    api = FakeClient()
    async with Client(_server(["--read-only"], api)) as c:
        result = await c.call_tool("TerminateInstances", {"InstanceIds": ["lhins-1"]})
    assert result.is_error and api.calls == []


async def test_toolsets_tools_and_exclude_flags() -> None:
    fw = await _tools(["--toolsets", "firewall"])
    assert fw and all(catalog.action(n)["group_id"] == "firewall" for n in fw)
    picked = await _tools(
        ["--tools", "DescribeInstances,StopInstances", "--exclude-tools", "StopInstances"]
    )
    assert list(picked) == ["DescribeInstances"]
    api = FakeClient()
    async with Client(_server(["--toolsets", "firewall"], api)) as c:
        result = await c.call_tool("DescribeInstances", {})
    assert result.is_error and "not available" in _text(result) and api.calls == []


async def test_api_errors_carry_code_message_request_id_and_hint() -> None:
    api = FakeClient(
        error=errors.api_error_from(
            "RequestLimitExceeded", "too fast", "req-42", "DescribeInstances", "ap-guangzhou"
        )
    )
    async with Client(_server([], api)) as c:
        result = await c.call_tool("DescribeInstances", {})
    text = _text(result)
    assert result.is_error
    for part in ("Code: RequestLimitExceeded", "Message: too fast", "RequestId: req-42", "Hint:"):
        assert part in text
    err = result.structured_content["Error"]
    assert err["Code"] == "RequestLimitExceeded" and err["RequestId"] == "req-42"


async def test_credentials_error_hint_mentions_sandbox() -> None:
    api = FakeClient(error=errors.CredentialsError("no credentials found"))
    async with Client(_server([], api)) as c:
        result = await c.call_tool("DescribeRegions", {})
    assert result.is_error and "--sandbox" in _text(result)


async def test_compact_mode_is_small_and_keeps_the_bounds() -> None:
    api = FakeClient()
    server = _server(["--compact", "--read-only"], api)
    async with Client(server) as c:
        tools = (await c.list_tools()).tools
        assert [t.name for t in tools] == ["search_actions", "describe_action", "call_action"]
        assert all(t.annotations is not None for t in tools)
        found = await c.call_tool("search_actions", {"query": "describe firewall rules"})
        names = [a["name"] for a in found.structured_content["actions"]]
        assert names[0] == "DescribeFirewallRules" and "CreateFirewallRules" not in names
        loose = await c.call_tool(
            "search_actions", {"query": "list my instances please", "group": "instance", "limit": 5}
        )
        top = [a["name"] for a in loose.structured_content["actions"]]
        assert 1 <= len(top) <= 5 and "DescribeInstances" in top
        desc = await c.call_tool("describe_action", {"action": "DescribeInstances"})
        schema = desc.structured_content["inputSchema"]
        assert "Limit" in schema["properties"]
        hidden = await c.call_tool("describe_action", {"action": "TerminateInstances"})
        write = await c.call_tool(
            "call_action",
            {"action": "TerminateInstances", "arguments": {"InstanceIds": ["lhins-1"]}},
        )
        bad = await c.call_tool(
            "call_action", {"action": "DescribeInstances", "arguments": {"Limit": "x"}}
        )
        ok = await c.call_tool(
            "call_action", {"action": "DescribeInstances", "arguments": {"Limit": 2}}
        )
    assert hidden.is_error and write.is_error and bad.is_error and not ok.is_error
    assert "- Limit:" in _text(bad)
    assert api.calls == [("DescribeInstances", {"Limit": 2}, None)]
    call_tool = next(t for t in tools if t.name == "call_action")
    assert call_tool.annotations and call_tool.annotations.read_only_hint is True


async def test_compact_mode_token_budget() -> None:
    async with Client(_server(["--compact"])) as c:
        tools = (await c.list_tools()).tools
    assert tool_list_tokens(tools) <= 1500
    call_tool = next(t for t in tools if t.name == "call_action")
    assert call_tool.annotations and call_tool.annotations.destructive_hint is True
    assert "search_actions" in (_server(["--compact"]).instructions or "")


async def test_with_every_installed_feature_all_tools_are_annotated_and_capped() -> None:
    """Whatever features are installed (gate, waiters, ...), the list stays valid."""
    server = build_server(parse_settings([], env={}), client=FakeClient())
    async with Client(server) as c:
        tools = (await c.list_tools()).tools
    assert len(tools) <= 128
    for tool in tools:
        assert tool.annotations is not None and tool.annotations.read_only_hint is not None
    assert server.instructions and "Region" in server.instructions


async def test_region_is_offered_where_it_applies_and_enumerated_on_request() -> None:
    plain = await _tools(["--region", "ap-beijing"])
    listed = await _tools(["--region-enum"])
    regions = [r["region"] for r in catalog.load_catalog()["regions"]]
    for name in ("DescribeInstances", "TerminateInstances"):
        region = plain[name].input_schema["properties"]["Region"]
        assert region.get("default") == "ap-beijing" and "enum" not in region
        assert listed[name].input_schema["properties"]["Region"]["anyOf"][0]["enum"] == regions
    # account-wide actions document "本接口不需要传递此参数" for Region: no Region offered
    global_actions = [
        a for a in catalog.action_names() if catalog.action(a).get("region_required") is False
    ]
    assert "DescribeFirewallTemplates" in global_actions
    for name in global_actions:
        assert "Region" not in plain[name].input_schema["properties"], name


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_served_tool_list_stays_within_the_token_budget(lang: str) -> None:
    """DESIGN.md's estimate over what a model is served (gate, paging and wait_for
    included): at most 200 estimated tokens per tool on average, in both languages."""
    server = build_server(
        parse_settings(["--lang", lang, "--region", "ap-guangzhou"], env={}), client=FakeClient()
    )
    async with Client(server) as c:
        tools = (await c.list_tools()).tools
    assert len(tools) > len(catalog.action_names())  # + wait_for
    assert tool_list_tokens(tools) / len(tools) <= 200
