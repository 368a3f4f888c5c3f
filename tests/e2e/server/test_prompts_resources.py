"""Prompts and resources through the official MCP client (in-memory), with every feature
installed (the confirmation gate too) against the sandbox: prompts listed and rendered
with their arguments, the catalog and live views listed and read."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import mcp_types as types
import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from lighthouse_mcp import catalog
from lighthouse_mcp.prompts import load_prompts
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.tools.followups import asynchronous_actions
from tests.support.spec import spec_action_names

pytestmark = pytest.mark.anyio

#: A value per prompt argument name, distinctive enough to find in the rendered text.
SAMPLES = {
    "instance_id": "lhins-demo0001",
    "region": "ap-guangzhou",
    "port": "8080",
    "container_port": "8081",
    "image": "nginx:1.27",
    "admin_cidr": "203.0.113.0/24",
    "days": "45",
    "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJx sample@host",
    "change": "upgrade PHP to 8.3",
}


@asynccontextmanager
async def connect(tmp_path: Path, sb: Sandbox | None = None) -> AsyncIterator[Client]:
    server = build_server(
        Settings(sandbox=True, region="ap-guangzhou", audit_log=tmp_path / "audit.jsonl"),
        sandbox=sb or Sandbox(),
    )
    async with Client(server) as client:
        yield client
    await server.aclose()


def only_text(contents: list[types.TextResourceContents | types.BlobResourceContents]) -> str:
    (block,) = contents
    assert isinstance(block, types.TextResourceContents)
    return block.text


async def test_every_prompt_is_listed_with_its_arguments(tmp_path: Path) -> None:
    async with connect(tmp_path) as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(listed) == set(load_prompts()) and len(listed) >= 6
    for name, prompt in load_prompts().items():
        mcp = listed[name]
        assert mcp.title == prompt.title and mcp.description == prompt.description
        assert [(a.name, a.required) for a in mcp.arguments or []] == [
            (a.name, a.required) for a in prompt.arguments
        ]
        assert all(a.description for a in mcp.arguments or [])


@pytest.mark.parametrize("name", sorted(load_prompts()))
async def test_every_prompt_renders_with_all_and_with_required_arguments(
    tmp_path: Path, name: str
) -> None:
    prompt = load_prompts()[name]
    every = {a.name: SAMPLES[a.name] for a in prompt.arguments}
    required = {a.name: SAMPLES[a.name] for a in prompt.arguments if a.required}
    async with connect(tmp_path) as client:
        full = await client.get_prompt(name, every)
        minimal = await client.get_prompt(name, required)
        with pytest.raises(MCPError, match="needs the argument"):
            await client.get_prompt(name, {})
        with pytest.raises(MCPError, match="has no argument 'colour'"):
            await client.get_prompt(name, {**required, "colour": "blue"})
    for result, values in ((full, every), (minimal, required)):
        (message,) = result.messages
        assert message.role == "user" and isinstance(message.content, types.TextContent)
        body = message.content.text
        assert "{{" not in body and "}}" not in body
        for value in values.values():  # every argument given lands in the text
            assert value in body, (name, value)
    # optional arguments change the text when given
    if every != required:
        assert full.messages[0].content != minimal.messages[0].content


async def test_resources_and_templates_are_listed(tmp_path: Path) -> None:
    async with connect(tmp_path) as client:
        resources = {r.uri: r for r in (await client.list_resources()).resources}
        templates = {
            t.uri_template: t for t in (await client.list_resource_templates()).resource_templates
        }
    assert {"lighthouse://regions", "lighthouse://actions"} <= set(resources)
    assert {
        "lighthouse://actions/{Action}",
        "lighthouse://instances/{Region}",
        "lighthouse://instances/{Region}/{InstanceId}",
    } <= set(templates)
    assert all(r.description and r.mime_type for r in resources.values())
    assert all(t.description and t.mime_type for t in templates.values())


async def test_region_list_and_action_index(tmp_path: Path) -> None:
    async with connect(tmp_path) as client:
        regions = json.loads(
            only_text((await client.read_resource("lighthouse://regions")).contents)
        )
        index = only_text((await client.read_resource("lighthouse://actions")).contents)
    ids = [r["Region"] for r in regions["Regions"]]
    assert ids == catalog.region_ids() and "ap-guangzhou" in ids
    assert all(r["RegionName"] for r in regions["Regions"])
    lines = [line for line in index.splitlines() if line.startswith("- ")]
    assert len(lines) == len(catalog.action_names()) == len(spec_action_names())
    assert any(line.startswith("- TerminateInstances [instance, destructive]: ") for line in lines)


async def test_every_action_document_carries_both_languages(tmp_path: Path) -> None:
    overlay = catalog.load_overlay()["actions"]
    waits = set(asynchronous_actions())
    async with connect(tmp_path) as client:
        for name in catalog.action_names():
            doc = only_text((await client.read_resource(f"lighthouse://actions/{name}")).contents)
            act = catalog.action(name)
            assert doc.startswith(f"# {name}\n")
            assert overlay[name]["title"] in doc and act["title_zh"] in doc
            assert overlay[name]["description"] in doc
            assert f"Safety: {catalog.safety_class(name)}" in doc
            for param in act["inputs"]:  # every documented parameter, in Chinese
                assert f"  {param['name']}  " in doc, (name, param["name"])
            for error in act["errors"]:
                assert error["code"] in doc, (name, error["code"])
            assert ("Asynchronous: wait_for resource=" in doc) == (name in waits), name


async def test_unknown_action_document_suggests_a_name(tmp_path: Path) -> None:
    async with connect(tmp_path) as client:
        with pytest.raises(MCPError, match="Did you mean: StartInstances"):
            await client.read_resource("lighthouse://actions/StartInstance")
        with pytest.raises(MCPError, match="unknown resource"):
            await client.read_resource("lighthouse://nothing/here")


async def test_live_instance_view(tmp_path: Path) -> None:
    sb = Sandbox()
    async with connect(tmp_path, sb) as client:
        view = json.loads(
            only_text(
                (
                    await client.read_resource("lighthouse://instances/ap-guangzhou/lhins-demo0001")
                ).contents
            )
        )
        listed = await client.call_tool("DescribeInstances", {"InstanceIds": ["lhins-demo0001"]})
        with pytest.raises(MCPError, match="no instance lhins-zzzzzzzz in ap-guangzhou"):
            await client.read_resource("lighthouse://instances/ap-guangzhou/lhins-zzzzzzzz")
        with pytest.raises(MCPError, match="not a Lighthouse region"):
            await client.read_resource("lighthouse://instances/mars-north-1/lhins-demo0001")
    record = (listed.structured_content or {})["InstanceSet"][0]
    assert view["InstanceId"] == "lhins-demo0001"
    assert view["InstanceState"] == record["InstanceState"]
    assert view["PublicAddresses"] == record["PublicAddresses"]
    assert view["Firewall"]["Rules"] and "FirewallVersion" in view["Firewall"]
    # it read through the sandbox like any tool call
    assert {"DescribeInstances", "DescribeFirewallRules"} <= {r.action for r in sb.requests}


async def test_live_instance_list_of_a_region(tmp_path: Path) -> None:
    sb = Sandbox()
    async with connect(tmp_path, sb) as client:
        listed = json.loads(
            only_text((await client.read_resource("lighthouse://instances/ap-guangzhou")).contents)
        )
        described = (await client.call_tool("DescribeInstances", {})).structured_content or {}
        empty = json.loads(
            only_text((await client.read_resource("lighthouse://instances/ap-beijing")).contents)
        )
    assert listed["TotalCount"] == described["TotalCount"] == len(listed["Instances"]) == 2
    assert {(r["InstanceId"], r["InstanceState"]) for r in listed["Instances"]} == {
        (r["InstanceId"], r["InstanceState"]) for r in described["InstanceSet"]
    }
    assert "Note" not in listed
    assert empty["Instances"] == [] and empty["Region"] == "ap-beijing"
