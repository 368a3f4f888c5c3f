"""The parameter checks hold for every action of the catalog, not just hand-made ones.

For each action a minimal valid body is built from the catalog (required parameters with
values that satisfy their type, enum, range, length and id format); it must pass, and
each single mutation of it must fail with the matching code: an unknown name →
UnknownParameter, a required name removed → MissingParameter*, a value of the wrong JSON
type → InvalidParameter*.
"""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Param
from lighthouse_mcp.sandbox.engine.errors import SandboxError
from lighthouse_mcp.sandbox.protocol.checks import ID_PREFIXES, check_body


def sample(p: Param, depth: int = 0) -> Any:
    one = _scalar_or_struct(p, depth)
    return [one] if p["array"] else one


def _scalar_or_struct(p: Param, depth: int) -> Any:
    kind = p["type"]
    if p.get("enum"):
        return p["enum"][0]
    if kind == "Integer":
        return int(p.get("minimum", 1))
    if kind in ("Float", "Double"):
        return float(p.get("minimum", 1))
    if kind == "Boolean":
        return False
    if kind in catalog.SCALAR_TYPES:
        name = p["name"][:-1] if p["array"] and p["name"].endswith("s") else p["name"]
        prefix = ID_PREFIXES.get(name)
        return f"{prefix}-abcd1234" if prefix else "x"
    struct = catalog.structure(kind)
    body = {m["name"]: sample(m, depth + 1) for m in struct["members"] if m.get("required")}
    for rule in struct.get("constraints", []):
        if rule["kind"] == "one_of_required" and not any(n in body for n in rule["params"]):
            member = next(m for m in struct["members"] if m["name"] == rule["params"][-1])
            body[member["name"]] = sample(member, depth + 1)
    return body


def minimal(name: str) -> dict[str, Any]:
    entry = catalog.action(name)
    body = {p["name"]: sample(p) for p in entry["inputs"] if p.get("required")}
    for rule in entry["constraints"]:
        if rule["kind"] == "one_of_required" and not any(n in body for n in rule["params"]):
            param = next(p for p in entry["inputs"] if p["name"] == rule["params"][0])
            body[param["name"]] = sample(param)
    return body


def code_of(name: str, body: dict[str, Any]) -> str | None:
    try:
        check_body(catalog.action(name), body)
    except SandboxError as exc:
        return exc.code
    return None


ACTIONS = catalog.action_names()


@pytest.mark.parametrize("name", ACTIONS)
def test_minimal_body_passes_and_mutations_fail(name: str) -> None:
    body = minimal(name)
    assert code_of(name, body) is None, body
    assert code_of(name, {**body, "ZzNotAParameter": 1}) == "UnknownParameter"
    entry = catalog.action(name)
    for p in entry["inputs"]:
        if p.get("required"):
            without = {k: v for k, v in body.items() if k != p["name"]}
            assert (code_of(name, without) or "").startswith("MissingParameter"), p["name"]
        wrong = {"Integer": "1", "Boolean": "true", "Float": "1.5"}.get(p["type"], 1)
        if p["array"]:
            wrong = "not-an-array"
        elif p["type"] not in catalog.SCALAR_TYPES:
            wrong = "not-an-object"
        code = code_of(name, {**body, p["name"]: wrong}) or ""
        assert code.startswith("InvalidParameter"), (p["name"], code)
