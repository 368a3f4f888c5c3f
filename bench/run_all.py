"""Run every benchmark and write bench/RESULTS.md: each script's table (figure, baseline
measured in the same run, ratio) under the machine it ran on.

    uv run python bench/run_all.py            # full runs (a few minutes)
    uv run python bench/run_all.py --quick    # tiny runs: checks the scripts still work
    uv run python bench/run_all.py --only bench_memory.py --output /tmp/R.md

Exits non-zero if any benchmark failed (its error is written into the report).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass(frozen=True)
class Bench:
    script: str
    title: str
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()


BENCHES = (
    Bench(
        "bench_tool_list_size.py",
        "Model-visible tool-list size, full and --compact (targets <= 200/tool; <= 1,500)",
        ("--compact",),
        ("--compact",),
    ),
    Bench(
        "bench_client.py",
        "Client per-call time vs a raw pre-signed httpx POST (target <= 1.2x)",
        (),
        ("--calls", "20", "--rounds", "1"),
    ),
    Bench(
        "bench_client_concurrency.py",
        "Client at 1/10/50-way concurrency vs the official "
        "SDK and raw httpx (targets >= 1.0x SDK async, >= 0.9x raw httpx)",
        (),
        ("--seconds", "0.1", "--rounds", "1", "--concurrency", "1,10"),
    ),
    Bench(
        "bench_stdio.py",
        "Server over stdio: tools/call vs a one-tool echo (target <= 1.5x), cold start vs "
        "one-tool (<= 1.0x) and Tencent's Node server, memory over 100,000 calls (flat)",
        ("--calls", "3000", "--runs", "15", "--memory-calls", "100000"),
        (
            "--calls",
            "20",
            "--runs",
            "1",
            "--no-node",
            "--memory-calls",
            "200",
            "--trace-calls",
            "0",
        ),
    ),
    Bench("bench_roundtrip.py", "MCP tool call vs a direct client call", (), ("--calls", "20")),
    Bench(
        "bench_throughput.py",
        "Concurrent reads through one client, without and with the published rate limits",
        (),
        ("--seconds", "0.3", "--workers", "4"),
    ),
    Bench("bench_memory.py", "Peak RSS of the server with all tools loaded", (), ("--calls", "2")),
    Bench("bench_validate.py", "Validation cost per call vs jsonschema", (), ("--number", "50")),
    Bench(
        "bench_answer_size.py",
        "Answer size: today's result text vs concise text and "
        "fields (targets >= 3x, >= 10x, >= 5x; a whole 2,000-instance list)",
        (),
        ("--instances", "300"),
    ),
    Bench(
        "bench_shared.py",
        "Shared-service mode: 1, 2, 4 replicas on one Redis vs one process; store operations",
        (),
        ("--sessions", "2", "--calls", "1", "--replicas", "1", "--ops", "20"),
    ),
)


def machine() -> list[str]:
    """CPU model, cores, RAM, Python, OS: what the figures depend on."""
    cpu = platform.processor() or "unknown"
    ram = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    if Path("/proc/meminfo").exists():
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return [
        f"- CPU: {cpu}",
        f"- cores: {os.cpu_count()}",
        f"- RAM: {ram}",
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        f"- OS: {platform.platform()}",
    ]


def run(bench: Bench, quick: bool) -> tuple[bool, str, float]:
    args = bench.quick if quick else bench.full
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / bench.script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    took = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        return False, f"FAILED (exit {proc.returncode}):\n{tail}", took
    return True, proc.stdout.rstrip(), took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="tiny runs (smoke test)")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--only", action="append", metavar="SCRIPT", help="run only this script (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="print the scripts run, and stop")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(b.script for b in BENCHES))
        return 0
    chosen = [b for b in BENCHES if not args.only or b.script in args.only]
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# Benchmark results",
        "",
        f"Written by `uv run python bench/run_all.py{' --quick' if args.quick else ''}` "
        f"on {stamp}. Every figure is printed beside a baseline measured in the same "
        "run, and their ratio.",
        "",
        "Machine:",
        "",
        *machine(),
        "",
    ]
    ok_all = True
    for bench in chosen:
        print(f"== {bench.script} ...", file=sys.stderr, flush=True)
        ok, output, took = run(bench, args.quick)
        ok_all &= ok
        command = " ".join(
            ["uv run python bench/" + bench.script, *(bench.quick if args.quick else bench.full)]
        )
        lines += [
            f"## {bench.title}",
            "",
            f"`{command}` ({took:.1f} s)",
            "",
            "```",
            output,
            "```",
            "",
        ]
    args.output.write_text("\n".join(lines))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
