"""Every answer has the documented shape, at every depth.

Each action runs with its documented example input after a small scenario that creates
one resource of each kind (disk, key pair, snapshot, blueprint, firewall template, disk
backup, container, CCN attachment); the example's resource ids are replaced by ids of
the account's own resources of the same prefix, and the preconditions an example needs
(a stopped instance, an attached disk, ...) are made first (``example_setup.PREPARE`` in
tests/support, shared with the end-to-end every-tool test), so every action must
succeed: none is skipped. The answer is walked against the catalog:
each field must be a documented output or structure member, of the documented type
(null allowed), and every documented member of a structure must be present.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Param
from tests.support.example_setup import PREPARE, prepare
from tests.support.examples import example_with_own_ids, scenario_state

from .conftest import Api

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
        return [problem for i, item in enumerate(value) for problem in _one(item, p, f"{path}.{i}")]
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


@pytest.fixture(scope="module")
def scenario() -> dict[str, Any]:
    """The state after the shared scenario, built once (key generation is slow)."""
    return anyio.run(scenario_state)


@pytest.mark.parametrize("name", catalog.action_names())
async def test_answer_has_the_documented_shape(
    api: Api, name: str, scenario: dict[str, Any]
) -> None:
    api.sandbox.backend.load_json(scenario)
    params = await prepare(api, name, example_with_own_ids(api.sandbox, name))
    data = await api.call(name, params, region="ap-guangzhou")
    assert "Error" not in data, (
        f"{data['Error']['Code']}: {data['Error']['Message']} "
        f"(add the preparation it needs to example_setup.PREPARE)"
    )
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
