"""Outputs describe, never forbid: values and members the catalog does not know reach the
model through the official MCP client, which validates structuredContent against each
tool's outputSchema (issue 13: DescribeBlueprints after CreateBlueprint failed with
"'CREATING' is not one of ['NORMAL', …]", DescribeInstances during ResetInstance with
RESETTING)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp.client import Client

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import Feature, build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.tools import schema
from tests.e2e.server.test_workflows import record
from tests.e2e.server.tool_results import data

pytestmark = pytest.mark.anyio

REGION = "ap-guangzhou"
#: No confirmation gate: CreateBlueprint and ResetInstance run without a round trip.
FEATURES = (Feature.PAGING, Feature.WAITS)
#: A state and a member no catalog lists: what Tencent may add tomorrow.
NEW_STATE = "QUANTUM_ENTANGLED"
NEW_MEMBER = "FutureField"


@asynccontextmanager
async def connect(sb: Sandbox) -> AsyncIterator[Client]:
    server = build_server(Settings(sandbox=True, region=REGION), sandbox=sb, features=FEATURES)
    async with Client(server) as client:
        yield client
    await server.aclose()


def _enums(node: Any) -> list[str]:
    """Paths of enum/const keywords anywhere in a schema."""
    found: list[str] = []
    if isinstance(node, dict):
        found += [k for k in ("enum", "const") if k in node]
        for value in node.values():
            found += _enums(value)
    elif isinstance(node, list):
        for value in node:
            found += _enums(value)
    return found


def _closed(node: Any) -> bool:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            return True
        return any(_closed(v) for v in node.values())
    return isinstance(node, list) and any(_closed(v) for v in node)


def test_no_output_schema_forbids_a_value_or_member() -> None:
    for name in catalog.action_names():
        out = schema.output_schema(name)
        assert _enums(out) == [] and not _closed(out), name
    state = (
        schema.output_schema("DescribeInstances")["$defs"]["Instance"]["properties"][
            "InstanceState"
        ]
        if "$defs" in schema.output_schema("DescribeInstances")
        else (
            schema.output_schema("DescribeInstances")["properties"]["InstanceSet"]["items"][
                "properties"
            ]["InstanceState"]
        )
    )
    assert "RUNNING" in state["description"], "documented values stay, as a description"


async def test_blueprint_being_created_and_unknown_state_and_member() -> None:
    # delay=0: the image is made before the next request (BlueprintState documents no
    # creating state, so a blueprint being made is not listed).
    sb = Sandbox(delay=0)
    async with connect(sb) as client:
        instances = data(await client.call_tool("DescribeInstances", {}))["InstanceSet"]
        source = next(i["InstanceId"] for i in instances if i["InstanceState"] == "RUNNING")
        created = data(
            await client.call_tool(
                "CreateBlueprint", {"InstanceId": source, "BlueprintName": "open-outputs"}
            )
        )
        blueprint_id = created["BlueprintId"]
        # Once made, then in a state and with a member that no catalog knows.
        listed = data(
            await client.call_tool("DescribeBlueprints", {"BlueprintIds": [blueprint_id]})
        )
        assert listed["BlueprintSet"][0]["BlueprintId"] == blueprint_id
        stored = record(sb, "blueprints", blueprint_id)
        stored["BlueprintState"] = NEW_STATE
        stored[NEW_MEMBER] = {"Nested": [1, 2]}
        listed = data(
            await client.call_tool("DescribeBlueprints", {"BlueprintIds": [blueprint_id]})
        )
    found = listed["BlueprintSet"][0]
    assert found["BlueprintState"] == NEW_STATE
    assert found[NEW_MEMBER] == {"Nested": [1, 2]}


async def test_instance_being_reset_and_unknown_state_and_member() -> None:
    sb = Sandbox()
    async with connect(sb) as client:
        instances = data(await client.call_tool("DescribeInstances", {}))["InstanceSet"]
        target = next(i["InstanceId"] for i in instances if i["InstanceState"] == "RUNNING")
        data(await client.call_tool("ResetInstance", {"InstanceId": target}))
        during = data(await client.call_tool("DescribeInstances", {"InstanceIds": [target]}))
        assert during["InstanceSet"][0]["InstanceId"] == target
        stored = record(sb, "instances", target)
        stored["InstanceState"] = NEW_STATE
        stored[NEW_MEMBER] = "kept"
        listed = data(await client.call_tool("DescribeInstances", {"InstanceIds": [target]}))
    found = listed["InstanceSet"][0]
    assert (found["InstanceState"], found[NEW_MEMBER]) == (NEW_STATE, "kept")
