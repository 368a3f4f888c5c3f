"""`lighthouse-mcp catalog [NAME] [--json]`: what the generated API catalog contains.

Without NAME it prints the counts (a quick check that the installed package carries the
whole API); with an action or structure name it prints that entry in full, as readable
text or, with ``--json``, exactly as the catalog stores it (for scripts and bug reports).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable, Mapping

from lighthouse_mcp.catalog import (
    Action,
    Catalog,
    Constraint,
    Param,
    Structure,
    load_catalog,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name", nargs="?", help="an action (TerminateInstances) or a structure (Instance)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    if args.name is None:
        counts = catalog_counts(catalog)
        if args.json:
            print(json.dumps(counts, indent=1))
        else:
            width = max(len(k) for k in counts)
            for key, value in counts.items():
                print(f"{key.replace('_', ' '):<{width}}  {value}")
        return 0
    entry: Action | Structure | None = catalog["actions"].get(args.name)
    if entry is None:
        entry = catalog["structures"].get(args.name)
    if entry is None:
        known = [*catalog["actions"], *catalog["structures"]]
        close = difflib.get_close_matches(args.name, known, n=3, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        print(
            f"lighthouse-mcp catalog: no action or structure named {args.name!r}.{hint}",
            file=sys.stderr,
        )
        return 2
    if args.json:
        print(json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True))
    elif args.name in catalog["actions"]:
        print(render_action(catalog["actions"][args.name], catalog))
    else:
        print(render_structure(catalog["structures"][args.name]))
    return 0


def catalog_counts(catalog: Catalog) -> dict[str, int]:
    actions = catalog["actions"].values()
    action_errors = {e["code"] for a in actions for e in a["errors"]}
    return {
        "actions": len(catalog["actions"]),
        "input_parameters": sum(len(a["inputs"]) for a in actions),
        "output_parameters": sum(len(a["outputs"]) for a in actions),
        "structures": len(catalog["structures"]),
        "error_codes": len(
            action_errors
            | {e["code"] for e in catalog["common_errors"]}
            | {e["code"] for e in catalog["business_errors"]}
        ),
        "regions": len(catalog["regions"]),
    }


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
