"""Actions and structures of one service, read from its api.json and examples.json.

Everything the spec states is taken from it: names, titles, descriptions, parameter
types, required flags, examples, nullability. Facts the spec states only in prose
(enums, bounds, defaults, filter names, cross-parameter rules) are read from its
descriptions with the extractors written for the docs (``catalog_parse.facts``).
"""

from __future__ import annotations

from typing import Any

from catalog_parse import facts
from catalog_parse.assemble import coercer, param_dict
from catalog_parse.examples import loads_lenient, query_to_body
from catalog_parse.tables import RawParam

from .text import clean, lines

#: Spec scalar types (``member`` of a scalar) -> the catalog's type names.
SCALAR_NAMES = {
    "string": "String",
    "int64": "Integer",
    "uint64": "Integer",
    "int": "Integer",
    "bool": "Boolean",
    "float": "Float",
    "double": "Float",
    "datetime_iso": "Timestamp ISO8601",
    "datetime": "Timestamp",
    "date": "Date",
    "binary": "Binary",
}
#: A column so wide that no line counts as wrapped: spec lines are whole paragraphs.
PARAGRAPHS = 10**9
_COMMON_INPUTS = ("Action", "Version", "Region")
_NO_EXAMPLE = ("", "无", "None", "null")


class SpecFormatError(ValueError):
    """The spec has a shape this generator does not read; fail instead of guessing."""


def _type(member: dict[str, Any], structures: frozenset[str]) -> str:
    name: str = member["member"]
    if name in SCALAR_NAMES:
        return SCALAR_NAMES[name]
    if name in structures:
        return name
    raise SpecFormatError(f"{member['name']}: unknown type {name!r}")


def _raw(member: dict[str, Any], structures: frozenset[str], role: str) -> RawParam:
    """A spec member as a table row; ``role`` is input, output (no required flag)."""
    required: bool | None = None
    if role == "input":
        required = bool(member.get("required", False))
    return RawParam(
        name=member["name"],
        type=_type(member, structures),
        array=member["type"] == "list",
        required=required,
        description_lines=lines(member["document"]),
        example=None
        if str(member.get("example", "")).strip() in _NO_EXAMPLE
        else str(member["example"]),
        column_width=PARAGRAPHS,
    )


def _param(raw: RawParam, member: dict[str, Any]) -> dict[str, Any]:
    param = param_dict(raw)
    if member.get("value_allowed_null"):
        param["nullable"] = True
    return param


def structure_names(api: dict[str, Any]) -> frozenset[str]:
    io = {a["input"] for a in api["actions"].values()} | {
        a["output"] for a in api["actions"].values()
    }
    return frozenset(n for n in api["objects"] if n not in io)


def structures(api: dict[str, Any]) -> dict[str, dict[str, Any]]:
    names = structure_names(api)
    referenced: dict[str, set[str]] = {n: set() for n in names}
    for action_name, act in api["actions"].items():
        for root in (act["input"], act["output"]):
            for name in _reachable(api, root, names):
                referenced[name].add(action_name)
    # Members of structures that reach an action's input have a required flag; the rest
    # (output-only structures) have none, as in the docs' tables.
    inputs: set[str] = set()
    for act in api["actions"].values():
        inputs |= _reachable(api, act["input"], names)
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(names):
        obj = api["objects"][name]
        role = "input" if name in inputs else "output"
        members = [_param(_raw(m, names, role), m) for m in obj["members"] if not m.get("disabled")]
        struct: dict[str, Any] = {
            "name": name,
            "description": clean(obj.get("document", "")),
            "referenced_by": sorted(referenced[name]),
            "members": members,
        }
        rules = facts.constraints(members)
        if rules:
            struct["constraints"] = rules
        out[name] = struct
    return out


def _reachable(api: dict[str, Any], root: str, names: frozenset[str]) -> set[str]:
    seen: set[str] = set()
    stack = [root]
    while stack:
        for member in api["objects"][stack.pop()]["members"]:
            child = member["member"]
            if child in names and child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def action(
    api: dict[str, Any],
    name: str,
    examples: list[dict[str, Any]],
    structs: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """One action's spec facts: the keys of ``Action`` that the spec can answer."""
    spec = api["actions"][name]
    names = frozenset(structs)
    in_members = [m for m in api["objects"][spec["input"]]["members"] if not m.get("disabled")]
    raw_inputs = [_raw(m, names, "input") for m in in_members]
    pairs = [
        (r, m) for r, m in zip(raw_inputs, in_members, strict=True) if r.name not in _COMMON_INPUTS
    ]
    inputs = [_param(r, m) for r, m in pairs]
    out_members = [m for m in api["objects"][spec["output"]]["members"] if not m.get("disabled")]
    outputs = [_param(_raw(m, names, "output"), m) for m in out_members]
    if not any(p["name"] == "RequestId" for p in outputs):
        outputs.append(_request_id())
    description = clean(spec["document"])
    act: dict[str, Any] = {
        "name": name,
        "title_zh": spec["name"],
        "description": description,
        "asynchronous": False,
        "inputs": inputs,
        "outputs": outputs,
    }
    note = facts.async_note(description)
    if note is not None:
        act["asynchronous"] = True
        act["async_note"] = note
    facts.apply_batch_limits(description, inputs)
    filter_spec = facts.filter_spec(inputs, [r for r, _ in pairs])
    if filter_spec is not None:
        act["filters"] = filter_spec
    act["constraints"] = facts.constraints(inputs)
    act["examples"] = [_example(x, inputs, structs) for x in examples]
    return act


def _request_id() -> dict[str, Any]:
    return {
        "name": "RequestId",
        "type": "String",
        "array": False,
        "required": None,
        "description": "唯一请求 ID，由服务端生成，每次请求都会返回。"
        "定位问题时需要提供该次请求的 RequestId。",
    }


def _example(
    example: dict[str, Any], inputs: list[dict[str, Any]], structs: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    text: str = example.get("input", "")
    placeholder = "<公共请求参数>"
    body: dict[str, Any] | None
    if text.startswith("POST") and placeholder in text:
        body = loads_lenient(text.split(placeholder, 1)[1])
        if body is None and not text.split(placeholder, 1)[1].strip():
            body = {}
    elif "?" in text:
        query = text.split("?", 1)[1].replace("\n", "")
        body = query_to_body(query, coercer(inputs, structs))
    else:
        body = None
    return {
        "title": example.get("title") or example.get("document", ""),
        "input": body,
        "output": loads_lenient(example.get("output", "")),
    }


def region_free(api: dict[str, Any], name: str) -> bool:
    """True when the spec says the action takes no Region (its Region member says so)."""
    members = api["objects"][api["actions"][name]["input"]]["members"]
    return any(m["name"] == "Region" and "不需要传递" in m["document"] for m in members)
