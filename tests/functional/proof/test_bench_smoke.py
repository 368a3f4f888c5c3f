"""Every benchmark script still runs (tiny mode, through bench/run_all.py --quick) and
prints its table, so the benchmark command cannot rot between benchmark runs. The
figures themselves are not judged here: that is the benchmark command's job."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="bench_memory reads /proc")
def test_run_all_quick_runs_every_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_all.py"), "--quick", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = out.read_text()
    assert proc.returncode == 0, report[-3000:]
    scripts = sorted(p.name for p in (ROOT / "bench").glob("bench_*.py"))
    for script in scripts:  # a new bench script must be added to run_all too
        assert f"bench/{script}" in report, f"{script} is not run by bench/run_all.py"
    assert "- cores:" in report and "- Python:" in report
    sections = report.split("## ")[1:]
    assert len(sections) == len(scripts)
    for section in sections:
        assert "FAILED" not in section and re.search(r"\d\.\d+x|\d+ ", section), section
