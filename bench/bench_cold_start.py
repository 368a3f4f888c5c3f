"""Cold start: process spawn -> initialize -> first tools/list over stdio, our server
(--sandbox, every action a tool) against a one-tool MCPServer on the same SDK, same run.

Prints the median of N runs of each, interleaved so machine noise hits both alike,
and the ratio (target <= 1.15).
    uv run python bench/bench_cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import anyio
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

HERE = Path(__file__).resolve().parent
TARGET = 1.15


async def cold_start(args: list[str]) -> tuple[float, int]:
    params = StdioServerParameters(command=sys.executable, args=args)
    started = time.perf_counter()
    async with Client(params, mode="legacy") as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - started
    return elapsed, len(tools)


async def main(runs: int) -> None:
    ours_cmd = ["-m", "lighthouse_mcp.server", "--sandbox"]
    base_cmd = [str(HERE / "one_tool_server.py")]
    await cold_start(ours_cmd)  # warm the OS file cache and .pyc files for both
    await cold_start(base_cmd)
    ours, base = [], []
    n_ours = n_base = 0
    for _ in range(runs):
        t, n_ours = await cold_start(ours_cmd)
        ours.append(t)
        t, n_base = await cold_start(base_cmd)
        base.append(t)
    mo, mb = statistics.median(ours), statistics.median(base)
    print(f"cold start to first tools/list over stdio, median of {runs} runs")
    print(f"{'server':<34} {'tools':>5} {'median ms':>10} {'min ms':>8}")
    print(
        f"{'lighthouse-mcp --sandbox':<34} {n_ours:>5} {mo * 1000:>10.0f} {min(ours) * 1000:>8.0f}"
    )
    print(
        f"{'one-tool MCPServer (baseline)':<34} {n_base:>5} {mb * 1000:>10.0f} "
        f"{min(base) * 1000:>8.0f}"
    )
    ratio = mo / mb
    print(
        f"ratio of medians {ratio:.2f}x (target <= {TARGET}x): "
        f"{'OK' if ratio <= TARGET else 'OVER'}; ratio of minimums "
        f"{min(ours) / min(base):.2f}x (least disturbed by machine load)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    anyio.run(main, parser.parse_args().runs)
