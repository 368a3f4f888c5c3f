"""The docs' example requests made runnable against a sandbox: the account's own ids in
place of the docs' placeholders, and a scenario world where each example has something
to act on.

The functional output-shape test sends these examples straight to the sandbox; the
end-to-end tests send them through the MCP server as tool calls (``tool_arguments``).
Both start from the same scenario and the same preparations
(tests/support/example_setup.py), so "every documented example succeeds" means the
same thing in both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.tools.schema import input_schema
from tests.support.sandbox_api import Api, Clock

REGION = "ap-guangzhou"


def example_input(name: str) -> dict[str, Any]:
    """The action's first documented example request body ({} if it has none)."""
    for example in catalog.action(name)["examples"]:
        if isinstance(example.get("input"), dict):
            return dict(example["input"] or {})
    return {}


def conform(value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` with scalars coerced to the JSON Schema's type, recursively: the docs'
    examples are hand-written ("1" for an Integer Period), a tool's schema is exact."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties", {})
        return {k: conform(v, props.get(k, {})) for k, v in value.items()}
    if kind == "array":
        items = value if isinstance(value, list) else [value]
        return [conform(v, schema.get("items", {})) for v in items]
    if kind == "integer" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "number" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


_ID = re.compile(r"\b((?:lh[a-z]*|ccn)-)[a-z0-9]{8}\b|\b[0-9a-f]{64}\b")  # + container ids


def own_ids(sandbox: Sandbox) -> dict[str, list[str]]:
    """prefix -> ids of the account's resources, its own first, public blueprints last."""
    own: dict[str, list[str]] = {}
    public: dict[str, list[str]] = {}
    world = sandbox.backend.world(DEFAULT_SECRET_ID)
    for state in world.regions.values():
        for table in state.tables.values():
            for rid, record in table.items():
                match = _ID.fullmatch(rid)
                if match:
                    bucket = public if record.get("_public") else own
                    bucket.setdefault(match.group(1) or "container", []).append(rid)
    return {k: own.get(k, []) + public.get(k, []) for k in {*own, *public}}


def with_own_ids(value: Any, ids: Mapping[str, list[str]]) -> Any:
    """``value`` with each distinct resource id swapped for a distinct own id, same prefix."""
    mapping: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        original, prefix = match.group(0), match.group(1) or "container"
        if original not in mapping:
            choices = ids.get(prefix) or [original]
            used = sum(1 for k in mapping if k.startswith(prefix))
            mapping[original] = choices[used % len(choices)]
        return mapping[original]

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return _ID.sub(swap, item)
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value)


DOCKER_BLUEPRINT = "lhbp-dk24ce01"
DOCKER_INSTANCE = {
    "BundleId": "bundle2022_gen_02",
    "BlueprintId": DOCKER_BLUEPRINT,
    "InstanceChargePrepaid": {"Period": 1},
    "InstanceName": "docker-host",
}


def ids_for(sandbox: Sandbox, action: str) -> dict[str, list[str]]:
    """Own ids, with the Docker host first for Docker actions (they need its blueprint)."""
    ids = own_ids(sandbox)
    if "Docker" in action:
        instances = sandbox.backend.world(DEFAULT_SECRET_ID).region(REGION).table("instances")
        ids["lhins-"].sort(key=lambda i: instances[i]["BlueprintId"] != DOCKER_BLUEPRINT)
    return ids


def example_with_own_ids(sandbox: Sandbox, action: str) -> dict[str, Any]:
    """The action's example request, acting on the account's own resources."""
    params: dict[str, Any] = with_own_ids(example_input(action), ids_for(sandbox, action))
    return params


def tool_arguments(sandbox: Sandbox, action: str) -> dict[str, Any]:
    """The example as a tool call's arguments: on the account's own resources, typed as
    the tool's input schema says."""
    arguments: dict[str, Any] = conform(example_with_own_ids(sandbox, action), input_schema(action))
    return arguments


#: One resource of each kind, made by the docs' own examples, so every later example has
#: a disk, key pair, snapshot, blueprint, template, backup, container, CCN and MCP server
#: to act on.
SCENARIO = (
    "CreateDisks",
    "CreateKeyPair",
    "CreateInstanceSnapshot",
    "CreateBlueprint",
    "CreateFirewallTemplate",
    "CreateDiskBackup",
    "RunDockerContainers",
    "AttachCcn",
    "CreateMcpServer",
)


async def run_scenario(api: Api) -> None:
    """A Docker host, then each SCENARIO example, every transition completed."""
    await api.ok("CreateInstances", DOCKER_INSTANCE)
    api.clock.advance(60)
    for action in SCENARIO:
        params = example_with_own_ids(api.sandbox, action)
        if "Zone" in params:
            params["Zone"] = f"{REGION}-3"  # the examples' zones are in other regions
        await api.call(action, params)
        api.clock.advance(60)
        await api.ok("DescribeRegions", region=None)  # let transitions complete


async def scenario_state() -> dict[str, Any]:
    """The sandbox state after the scenario (as ``Backend.to_json``): built once per
    test module, since key generation is slow, and loaded before each example."""
    clock = Clock()
    api = Api(Sandbox(clock=clock, delay=5.0), clock)
    try:
        await run_scenario(api)
    finally:
        await api.http.aclose()
    state: dict[str, Any] = api.sandbox.backend.to_json()
    return state
