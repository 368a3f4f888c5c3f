"""The README's counts are the catalog's: a spec update that adds actions, parameters or
regions fails here until the README says so (its safety table has its own check)."""

from __future__ import annotations

import re
from pathlib import Path

from lighthouse_mcp import catalog
from tests.support.spec import spec_action_names

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def _numbers(pattern: str) -> list[int]:
    found = [int(n) for n in re.findall(pattern, README)]
    assert found, f"the README no longer says {pattern!r}"
    return found


def test_action_counts() -> None:
    actions = len(spec_action_names())
    for pattern in (
        r"Every one of the \*\*(\d+)\s+actions\*\*",
        r"instead of (\d+) tools",
        r"\((\d+) tools \+ `wait_for`\)",
        r"outside the (\d+)\)",
        r"All (\d+) actions answer",
        r"all (\d+) tools called through MCP",
        r"It holds the (\d+) actions",
    ):
        assert _numbers(pattern) == [actions], pattern


def test_catalog_section_counts() -> None:
    data = catalog.load_catalog()
    inputs = sum(len(a["inputs"]) for a in data["actions"].values())
    outputs = sum(len(a["outputs"]) for a in data["actions"].values())
    held = re.search(
        r"\((\d+) input and (\d+) output parameters.*?\), (\d+) structures, "
        r"(\d+)\s+groups, (\d+) regions",
        README,
        re.S,
    )
    assert held is not None
    assert [int(n) for n in held.groups()] == [
        inputs,
        outputs,
        len(data["structures"]),
        len(data["groups"]),
        len(data["regions"]),
    ]
    assert _numbers(r"list the (\d+) documented regions") == [len(data["regions"])]
    account_wide = [
        n for n in catalog.action_names() if catalog.action(n).get("region_required") is False
    ]
    assert _numbers(r"absent on the (\d+) account-wide actions") == [len(account_wide)]
    gated = [
        n for n in catalog.action_names() if catalog.safety_class(n) in ("destructive", "billing")
    ]
    assert _numbers(r"the (\d+) gated ones") == [len(gated)]
