"""The answer of an action that has no stateful handler: its documented output shape.

So that every action answers even without a handler, the sandbox replies with the
action's documented example output (the docs show one for each action), with the example's
resource ids replaced by the ids the request named (``lhins-…`` in, ``lhins-…`` out), so a
caller following ids sees its own. When an action documents no example the answer is built
from its output parameters (empty lists, zeros, empty strings). Family modules replace
this with real behaviour; ``sandbox/COVERAGE.md`` lists which actions still rely on it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Param

from .context import Ctx

_ID = re.compile(r"\b((?:lh[a-z]*|ccn)-)[a-z0-9]{8}\b")
_MAX_DEPTH = 4


def documented_answer(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """The documented example's ``Response`` (ids echoed from ``params``), minus RequestId."""
    entry = catalog.action(ctx.action)
    service = catalog.split_name(ctx.action)[0]
    for example in entry["examples"]:
        output = example.get("output") or {}
        response = output.get("Response")
        if isinstance(response, dict) and "Error" not in response:
            body = {k: copy.deepcopy(v) for k, v in response.items() if k != "RequestId"}
            return _echo_ids(body, params)
    return {p["name"]: _empty(p, 0, service) for p in entry["outputs"] if p["name"] != "RequestId"}


def _ids_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from (m.group(0) for m in _ID.finditer(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids_in(item)


def _echo_ids(body: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Replace example ids by the request's ids of the same prefix, in order of appearance."""
    wanted: dict[str, list[str]] = {}
    for rid in dict.fromkeys(_ids_in(params)):
        wanted.setdefault(rid.split("-", 1)[0] + "-", []).append(rid)
    if not wanted:
        return body
    mapping: dict[str, str] = {}
    used: dict[str, int] = {}
    for rid in dict.fromkeys(_ids_in(body)):
        prefix = rid.split("-", 1)[0] + "-"
        choices = wanted.get(prefix)
        if choices:
            mapping[rid] = choices[used.get(prefix, 0) % len(choices)]
            used[prefix] = used.get(prefix, 0) + 1
    result: dict[str, Any] = _replace(body, mapping)
    return result


def _replace(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _ID.sub(lambda m: mapping.get(m.group(0), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _replace(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, mapping) for v in value]
    return value


def _empty(p: Param, depth: int, service: str = catalog.SERVICE) -> Any:
    if p["array"]:
        return []
    kind = p["type"]
    if kind == "Integer":
        return 0
    if kind in ("Float", "Double"):
        return 0.0
    if kind == "Boolean":
        return False
    if kind in catalog.SCALAR_TYPES:
        return ""
    if depth >= _MAX_DEPTH or p.get("nullable"):
        return None
    try:
        members = catalog.structure(kind, service)["members"]
    except KeyError:
        return None
    return {m["name"]: _empty(m, depth + 1, service) for m in members}
