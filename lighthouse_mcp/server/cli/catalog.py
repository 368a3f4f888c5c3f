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

from lighthouse_mcp.catalog import Action, Catalog, Structure, load_catalog
from lighthouse_mcp.tools.docs import render_action, render_structure


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
