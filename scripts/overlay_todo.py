"""List what the hand-kept overlay lacks, or names in excess, against the generated catalog.

The overlay (lighthouse_mcp/catalog/overlay.json) carries the English texts and safety
classes the docs do not; the catalog (lighthouse_mcp/catalog/lighthouse-2020-03-24.json)
is regenerated from
the docs. When the docs gain a parameter or the parser renames one, this script says
exactly which overlay entries to write or drop, so the two never drift silently. The
unit test tests/unit/tools/test_overlay.py runs the same ``overlay_gaps`` function.

Usage: python scripts/overlay_todo.py [--catalog PATH] [--overlay PATH] [--budget]
Exit status: 0 when nothing is missing or extra, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "lighthouse_mcp" / "catalog"
DEFAULT_CATALOG = DATA_DIR / "lighthouse-2020-03-24.json"
DEFAULT_OVERLAY = DATA_DIR / "overlay.json"


def input_structures(catalog: Mapping[str, Any]) -> set[str]:
    """Names of the structures reachable from any action's inputs.

    Only these need English member texts: output structures are shown to the model as
    data, not as schema it has to fill in.
    """
    structures: Mapping[str, Any] = catalog["structures"]
    todo = [p["type"] for a in catalog["actions"].values() for p in a["inputs"]]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in structures:
            continue
        seen.add(name)
        todo.extend(m["type"] for m in structures[name]["members"])
    return seen


def _diff(where: str, expected: Iterable[str], present: Iterable[str]) -> list[str]:
    want, have = set(expected), set(present)
    return [f"missing {where}{n}" for n in sorted(want - have)] + [
        f"extra {where}{n}" for n in sorted(have - want)
    ]


def overlay_gaps(catalog: Mapping[str, Any], overlay: Mapping[str, Any]) -> list[str]:
    """Every overlay entry the catalog needs but the overlay lacks, and every one in excess.

    Each line reads like ``missing action X``, ``extra param X.P`` or ``missing member S.M``,
    so the list is directly a to-do list.
    """
    gaps: list[str] = []
    actions: Mapping[str, Any] = catalog["actions"]
    o_actions: Mapping[str, Any] = overlay.get("actions", {})
    gaps += _diff("action ", actions, o_actions)
    for name in sorted(set(actions) & set(o_actions)):
        params = [p["name"] for p in actions[name]["inputs"]]
        gaps += _diff(f"param {name}.", params, o_actions[name].get("params", {}))
    wanted = input_structures(catalog)
    o_structs: Mapping[str, Any] = overlay.get("structures", {})
    gaps += _diff("structure ", wanted, o_structs)
    for name in sorted(wanted & set(o_structs)):
        members = [m["name"] for m in catalog["structures"][name]["members"]]
        gaps += _diff(f"member {name}.", members, o_structs[name])
    gaps += _diff("group ", [g["id"] for g in catalog["groups"]], overlay.get("groups", {}))
    return gaps


def estimate_tokens(text: str) -> int:
    """DESIGN.md's estimate: a quarter token per ASCII character, one per other character."""
    ascii_chars = sum(1 for c in text if c.isascii())
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def overlay_text_tokens(overlay: Mapping[str, Any]) -> dict[str, int]:
    """Estimated tokens of the model-visible overlay texts per action (title, description, params).

    Structure member texts are shared by several tools; they are spread over the actions
    evenly, which is how they weigh on the per-tool average.
    """
    actions: Mapping[str, Any] = overlay["actions"]
    shared = sum(
        estimate_tokens(t) for members in overlay["structures"].values() for t in members.values()
    )
    share = shared / max(len(actions), 1)
    return {
        name: estimate_tokens(a["title"] + a["description"] + "".join(a["params"].values()))
        + round(share)
        for name, a in actions.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY)
    parser.add_argument("--budget", action="store_true", help="also print estimated text tokens")
    args = parser.parse_args(argv)
    overlay = json.loads(args.overlay.read_text(encoding="utf-8"))
    if not args.catalog.exists():
        print(f"catalog not found: {args.catalog}", file=sys.stderr)
        return 2
    catalog = json.loads(args.catalog.read_text(encoding="utf-8"))
    gaps = overlay_gaps(catalog, overlay)
    for line in gaps:
        print(line)
    if args.budget:
        per_action = overlay_text_tokens(overlay)
        mean = sum(per_action.values()) / max(len(per_action), 1)
        heaviest = sorted(per_action.items(), key=lambda kv: -kv[1])[:5]
        print(f"overlay text: {mean:.1f} estimated tokens per action on average; heaviest:")
        for name, tokens in heaviest:
            print(f"  {name}: {tokens}")
    print(f"{len(gaps)} gap(s)", file=sys.stderr)
    return 1 if gaps else 0


if __name__ == "__main__":
    raise SystemExit(main())
