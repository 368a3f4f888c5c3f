"""sandbox/COVERAGE.md is generated; it must match the registry and the catalog."""

from __future__ import annotations

from pathlib import Path

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox.coverage import kind_of, render

COVERAGE_MD = Path(__file__).resolve().parents[3] / "lighthouse_mcp" / "sandbox" / "COVERAGE.md"


def test_coverage_file_is_up_to_date() -> None:
    assert COVERAGE_MD.read_text(encoding="utf-8") == render(), (
        "sandbox/COVERAGE.md is stale: run `uv run python scripts/sandbox_coverage.py`"
    )


def test_every_action_is_listed_once_with_a_kind() -> None:
    text = render()
    for name in catalog.action_names():
        assert text.count(f"| {name} |") == 1, name
    assert kind_of("DescribeRegions") == "seed"
    assert kind_of("InquirePriceRenewInstances") == "stateful"
