"""Every benchmark script still runs (tiny mode, through bench/run_all.py --quick) and
prints its table, so the benchmark command cannot rot between benchmark runs.

The figures and targets are not judged here: a benchmark prints its target and whether
this run met it, and on a shared, loaded machine a timed assertion would fail for reasons
that have nothing to do with the code (rule: benchmarks, not timed tests). One test per
script, so a slow machine delays one script, not the whole set past a single timeout.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RUN_ALL = ROOT / "bench" / "run_all.py"
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("bench_*.py"))


def test_run_all_runs_every_benchmark_script() -> None:
    listed = subprocess.run(
        [sys.executable, str(RUN_ALL), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(listed) == SCRIPTS  # a new bench script must be added to run_all too


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="memory benches read /proc")
@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_and_prints_its_table(script: str, tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(RUN_ALL), "--quick", "--only", script, "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = out.read_text()
    assert proc.returncode == 0, report[-3000:]
    assert "- cores:" in report and "- Python:" in report
    sections = report.split("## ")[1:]
    assert len(sections) == 1 and f"bench/{script}" in sections[0]
    (section,) = sections
    assert "FAILED" not in section, section
    # a table: at least one row with a figure and its baseline or ratio beside it
    assert re.search(r"\d\.\d+\s.*\d\.\d+", section), section
