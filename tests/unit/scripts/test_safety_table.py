"""The README's safety table comes from the overlay: every action once, in the class the
gate uses, and --check notices a stale copy."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))

from safety_table import full_table, main, summary_table

from lighthouse_mcp import catalog
from lighthouse_mcp.server.gate import GatePolicy


def test_summary_lists_every_action_once_under_its_class() -> None:
    rows = summary_table().splitlines()[2:7]
    seen: list[str] = []
    policy = GatePolicy()
    for row in rows:
        found = re.search(r"`(\w+)`", row)
        assert found is not None, row
        cls = found.group(1)
        count, members = row.split(" | ")[3].split(": ", 1)
        names = members.rstrip(" |").split(", ")
        assert int(count) == len(names)
        assert all(catalog.safety_class(n) == cls for n in names)
        gated = row.split(" | ")[2] == "yes"
        assert all(
            policy.needs_confirmation(n) is gated for n in names if n != "DescribeInstanceVncUrl"
        )
        seen += names
    assert sorted(seen) == sorted(catalog.action_names())


def test_full_table_has_a_row_per_action() -> None:
    rows = full_table().splitlines()[2:]
    assert [r.split(" | ")[0].lstrip("| ") for r in rows] == sorted(catalog.action_names())


def test_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n" + summary_table() + "\n")
    assert main(["--check", str(readme)]) == 0
    readme.write_text(summary_table().replace("yes", "no"))
    assert main(["--check", str(readme)]) == 1
    assert "out of date" in capsys.readouterr().err


def test_the_repository_readme_carries_the_current_table() -> None:
    """The README's copy of the safety table is regenerated, not hand-edited."""
    readme = Path(__file__).resolve().parents[3] / "README.md"
    assert summary_table() in readme.read_text(encoding="utf-8")
