"""Catalog entries as readable text: one action or structure in full, as the docs say it.

Shared by `lighthouse-mcp catalog NAME` and the ``lighthouse://actions/{Action}``
resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from lighthouse_mcp.catalog import Action, Catalog, Constraint, Param, Structure


def _type(param: Param) -> str:
    return f"Array of {param['type']}" if param["array"] else param["type"]


_FACTS = ("enum", "minimum", "maximum", "max_length", "min_items", "max_items", "default")


def _param_lines(params: Iterable[Param], indent: str = "  ") -> list[str]:
    lines: list[str] = []
    for p in params:
        flags = {True: "required", False: "optional", None: ""}[p["required"]]
        if p.get("nullable"):
            flags = "nullable"
        lines.append(f"{indent}{p['name']}  {_type(p)}  {flags}".rstrip())
        lines += [f"{indent}    {text}" for text in p["description"].split("\n")]
        stated: Mapping[str, object] = p
        facts = [f"{k}={json.dumps(stated[k], ensure_ascii=False)}" for k in _FACTS if k in stated]
        if facts:
            lines.append(f"{indent}    [{', '.join(facts)}]")
        if "example" in p:
            lines.append(f"{indent}    示例值: {p['example']}")
    return lines


def _structures_used(action: Action, catalog: Catalog) -> list[str]:
    """Every structure an action's parameters reach, depth first, each once."""
    seen: list[str] = []
    pending = [p["type"] for p in [*action["inputs"], *action["outputs"]]]
    while pending:
        name = pending.pop(0)
        if name in catalog["structures"] and name not in seen:
            seen.append(name)
            pending += [m["type"] for m in catalog["structures"][name]["members"]]
    return seen


def render_structure(struct: Structure) -> str:
    lines = [f"{struct['name']}  {struct['description']}".rstrip()]
    if struct["referenced_by"]:
        lines.append(f"  used by: {', '.join(struct['referenced_by'])}")
    lines += _param_lines(struct["members"], "  ")
    lines += _constraint_lines(struct.get("constraints", []))
    return "\n".join(lines)


def _constraint_lines(constraints: list[Constraint]) -> list[str]:
    if not constraints:
        return []
    return ["  Constraints:"] + [
        f"    {c['kind']}: {', '.join(c['params'])} — {c['text']}" for c in constraints
    ]


def render_action(action: Action, catalog: Catalog) -> str:
    lines = [
        f"{action['name']} — {action['title_zh']}",
        f"group: {action['group']} ({action['group_id']})   rate limit: "
        f"{action['rate_limit']}/s   asynchronous: {'yes' if action['asynchronous'] else 'no'}",
        "",
        action["description"],
        "",
        "Inputs:" if action["inputs"] else "Inputs: none",
        *_param_lines(action["inputs"]),
        "Outputs:",
        *_param_lines(action["outputs"]),
    ]
    if "filters" in action:
        spec = action["filters"]
        limits: Mapping[str, object] = spec
        bounds = [
            f"at most {limits[key]} {what}"
            for key, what in (("max_filters", "filters"), ("max_values", "values per filter"))
            if key in limits
        ]
        suffix = f" ({', '.join(bounds)})" if bounds else ""
        lines.append(f"Filters of {spec['param']}{suffix}:")
        for f in spec["filters"]:
            enum = f"  one of {', '.join(f['enum'])}" if "enum" in f else ""
            lines.append(f"  {f['name']}  {f['type']}  {f['description']}{enum}".rstrip())
    lines += [line.removeprefix("  ") for line in _constraint_lines(action["constraints"])]
    structures = _structures_used(action, catalog)
    if structures:
        lines.append("Structures:")
        lines += [
            "  " + text
            for name in structures
            for text in render_structure(catalog["structures"][name]).split("\n")
        ]
    lines.append("Errors:")
    lines += [f"  {e['code']}  {e['description']}" for e in action["errors"]]
    titles = "; ".join(ex["title"] for ex in action["examples"])
    lines.append(f"Examples: {len(action['examples'])} ({titles}) — see --json")
    return "\n".join(lines)
