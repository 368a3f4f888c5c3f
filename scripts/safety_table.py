"""Print the README's safety-class table from the overlay, so the docs cannot drift from
what the gate enforces.

Default output: one row per class (gated by default or not, count, every action), plus
the secret-output flag and the ordinary writes that default argument rules can gate.
``--full``: one row per action with its reason. ``--check FILE``:
exit 1 unless FILE contains the current table (for CI over README.md).

    uv run python scripts/safety_table.py [--full] [--check README.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.risk import actions_with_rules, default_rules
from lighthouse_mcp.tools.safety import GATED_BY_DEFAULT, SAFETY_CLASSES

MEANING = {
    "read": "changes nothing",
    "write": "reversible change",
    "disruptive": "downtime, no data loss",
    "destructive": "data or access lost for good",
    "billing": "spends money",
}


def _gated(cls: str, action: str | None = None) -> str:
    if cls in GATED_BY_DEFAULT:
        return "yes"
    return "when its arguments are risky" if action in actions_with_rules(default_rules()) else "no"


def summary_table() -> str:
    """Classes with their actions; the secret-output flag as a last row."""
    overlay = catalog.load_overlay()["actions"]
    names = sorted(catalog.action_names())
    lines = ["| Class | Meaning | Gated by default | Actions |", "|---|---|---|---|"]
    for cls in SAFETY_CLASSES:
        members = [n for n in names if overlay[n]["safety"] == cls]
        lines.append(
            f"| `{cls}` | {MEANING[cls]} | {_gated(cls)} | {len(members)}: "
            + ", ".join(members)
            + " |"
        )
    secret = [n for n in names if overlay[n].get("secret_output")]
    lines.append(
        "| flag `secret_output` | returns a credential | key to a file; URL read "
        "gated (unless `--return-secrets`) | " + ", ".join(secret) + " |"
    )
    by_rules = sorted(a for a in actions_with_rules(default_rules()) if not _is_gated(a))
    lines.append(
        "| rules over arguments (`tools/risk_rules.json`) | risky arguments of an ordinary "
        "write | asks when a rule matches | " + ", ".join(by_rules) + " |"
    )
    return "\n".join(lines)


def _is_gated(action: str) -> bool:
    return catalog.safety_class(action) in GATED_BY_DEFAULT


def full_table() -> str:
    """One row per action: class, whether gated by default, and the overlay's reason."""
    overlay = catalog.load_overlay()["actions"]
    lines = ["| Action | Class | Gated by default | Why |", "|---|---|---|---|"]
    for name in sorted(catalog.action_names()):
        entry = overlay[name]
        flag = " (secret output)" if entry.get("secret_output") else ""
        reason = entry["reason"].replace("|", "\\|")
        lines.append(
            f"| {name} | `{entry['safety']}`{flag} | {_gated(entry['safety'], name)} | {reason} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="one row per action with reasons")
    parser.add_argument(
        "--check", type=Path, metavar="FILE", help="exit 1 unless FILE contains the current table"
    )
    args = parser.parse_args(argv)
    table = full_table() if args.full else summary_table()
    if args.check is not None:
        if table not in args.check.read_text(encoding="utf-8"):
            print(
                f"{args.check}: the safety table is out of date; regenerate it with "
                f"scripts/safety_table.py{' --full' if args.full else ''}",
                file=sys.stderr,
            )
            return 1
        return 0
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
