"""Every answer has the documented shape, at every depth.

Each action runs with its documented example input after a small scenario that creates
one resource of each kind (disk, key pair, snapshot, blueprint, firewall template, disk
backup, container, CCN attachment); the example's resource ids are replaced by ids of
the account's own resources of the same prefix, and the preconditions an example needs
(a stopped instance, an attached disk, ...) are made first (``example_setup.PREPARE``), so
every action must succeed: none is skipped. The answer is walked against the catalog:
each field must be a documented output or structure member, of the documented type
(null allowed), and every documented member of a structure must be present.
"""
from __future__ import annotations

import re
from typing import Any

import anyio
import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.tools import catalog
from lighthouse_mcp.tools.catalog import Param

from .conftest import Api, Clock, example_input
from .example_setup import PREPARE, prepare

pytestmark = pytest.mark.anyio

_SCALARS: dict[str, tuple[type, ...]] = {
    "Integer": (int,),
    "Float": (int, float),
    "Double": (int, float),
    "Boolean": (bool,),
}


def shape_problems(value: Any, p: Param, path: str) -> list[str]:
    """Where ``value`` departs from the documented parameter ``p``."""
    if value is None:
        return []
    if p["array"]:
        if not isinstance(value, list):
            return [f"{path}: expected an array of {p['type']}, got {type(value).__name__}"]
        return [problem for i, item in enumerate(value)
                for problem in _one(item, p, f"{path}.{i}")]
    return _one(value, p, path)


def _one(value: Any, p: Param, path: str) -> list[str]:
    kind = p["type"]
    if value is None:
        return []
    if kind in catalog.SCALAR_TYPES:
        allowed = _SCALARS.get(kind, (str,))
        if isinstance(value, bool) and bool not in allowed:
            return [f"{path}: expected {kind}, got a boolean"]
        if isinstance(value, allowed):
            return []
        return [f"{path}: expected {kind}, got {value!r:.40}"]
    if not isinstance(value, dict):
        return [f"{path}: expected a {kind} object, got {type(value).__name__}"]
    try:
        members = {m["name"]: m for m in catalog.structure(kind)["members"]}
    except KeyError:
        return []
    problems = [f"{path}.{k}: not a member of {kind}" for k in value if k not in members]
    problems += [f"{path}: {kind} lacks {name}" for name in members if name not in value]
    for name, member in members.items():
        if name in value:
            problems += shape_problems(value[name], member, f"{path}.{name}")
    return problems


_ID = re.compile(r"\b((?:lh[a-z]*|ccn)-)[a-z0-9]{8}\b|\b[0-9a-f]{64}\b")  # + container ids
SCENARIO = ("CreateDisks", "CreateKeyPair", "CreateInstanceSnapshot", "CreateBlueprint",
            "CreateFirewallTemplate", "CreateDiskBackup", "RunDockerContainers", "AttachCcn")


def own_ids(api: Api) -> dict[str, list[str]]:
    """prefix -> ids of the account's resources, its own first, public blueprints last."""
    own: dict[str, list[str]] = {}
    public: dict[str, list[str]] = {}
    world = api.sandbox.backend.world(DEFAULT_SECRET_ID)
    for state in world.regions.values():
        for table in state.tables.values():
            for rid, record in table.items():
                match = _ID.fullmatch(rid)
                if match:
                    bucket = public if record.get("_public") else own
                    bucket.setdefault(match.group(1) or "container", []).append(rid)
    return {k: own.get(k, []) + public.get(k, []) for k in {*own, *public}}


def with_own_ids(value: Any, ids: dict[str, list[str]]) -> Any:
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


DOCKER_INSTANCE = {"BundleId": "bundle2022_gen_02", "BlueprintId": "lhbp-dk24ce01",
                   "InstanceChargePrepaid": {"Period": 1}, "InstanceName": "docker-host"}


def ids_for(api: Api, action: str) -> dict[str, list[str]]:
    """Own ids, with the Docker host first for Docker actions (they need its blueprint)."""
    ids = own_ids(api)
    if "Docker" in action:
        instances = api.sandbox.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table(
            "instances")
        ids["lhins-"].sort(key=lambda i: instances[i]["BlueprintId"] != "lhbp-dk24ce01")
    return ids


async def _scenario(api: Api) -> None:
    await api.ok("CreateInstances", DOCKER_INSTANCE)
    api.clock.advance(60)
    for action in SCENARIO:
        params = with_own_ids(example_input(action), ids_for(api, action))
        if "Zone" in params:
            params["Zone"] = "ap-guangzhou-3"
        await api.call(action, params)
        api.clock.advance(60)
        await api.ok("DescribeRegions", region=None)  # let transitions complete


@pytest.fixture(scope="module")
def scenario_state() -> dict[str, Any]:
    """The state after the scenario, built once (key generation is slow) and reloaded."""

    async def build() -> dict[str, Any]:
        clock = Clock()
        api = Api(Sandbox(clock=clock, delay=5.0), clock)
        await _scenario(api)
        await api.http.aclose()
        return api.sandbox.backend.to_json()

    return anyio.run(build)


@pytest.mark.parametrize("name", catalog.action_names())
async def test_answer_has_the_documented_shape(api: Api, name: str,
                                              scenario_state: dict[str, Any]) -> None:
    api.sandbox.backend.load_json(scenario_state)
    params = await prepare(api, name, with_own_ids(example_input(name), ids_for(api, name)))
    data = await api.call(name, params, region="ap-guangzhou")
    assert "Error" not in data, (f"{data['Error']['Code']}: {data['Error']['Message']} "
                                 f"(add the preparation it needs to example_setup.PREPARE)")
    outputs = {p["name"]: p for p in catalog.action(name)["outputs"]}
    problems = [f"{k}: not a documented output" for k in data if k not in outputs]
    for key, p in outputs.items():
        if key not in data:
            problems.append(f"{key}: documented output missing")
        else:
            problems += shape_problems(data[key], p, key)
    assert not problems, "\n".join(problems)


def test_preparations_name_real_actions() -> None:
    assert set(PREPARE) <= set(catalog.action_names())
