"""The server over stdio, beside baselines from the same run: tools/call round trip,
cold start to the first tools/list, and memory over many calls.

Every server is driven with raw JSON-RPC lines over its pipes (the thinnest possible
client, so what is measured is the server): initialize, notifications/initialized,
then the measured requests.

- round trip: ``DescribeInstances {"Limit": 20}`` on ``lighthouse-mcp --sandbox``
  (sandbox in process) against ``echo`` on the one-tool MCPServer (bench/one_tool_server.py),
  calls interleaved one by one. Target <= 1.5x.
- cold start: spawn -> initialize -> first tools/list, against the one-tool server
  (target <= 1.0x) and Tencent's Node server (npm ``lighthouse-mcp-server``; installed
  with npm into a temporary directory, skipped where npm is missing or
  ``--no-node`` is given).
- memory: VmRSS of our server over ``--memory-calls`` tool calls (default 100,000) at
  1%, 10%, 50% and 100%, and the peak (VmHWM); Linux only (/proc). Then tracemalloc over
  ``--trace-calls`` calls in process, with the sandbox's request log unbounded (as it
  was) and at its default bound, to show where growth comes from.

    uv run python bench/bench_stdio.py [--calls 3000] [--runs 11] [--memory-calls 100000]
        [--trace-calls 5000] [--no-node]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OURS = [sys.executable, "-m", "lighthouse_mcp.server", "--sandbox"]
BASE = [sys.executable, str(HERE / "one_tool_server.py")]
NODE_PACKAGE = "lighthouse-mcp-server"
ROUND_TRIP_TARGET = 1.5
COLD_TARGET = 1.0
#: "Flat": RSS growth after the first 1% of the calls, per call. A request log keeping
#: every call grew ~600 bytes/call; allocator noise over 100,000 calls is far below 50.
MEMORY_FLAT_BYTES_PER_CALL = 50
OUR_CALL = ("DescribeInstances", {"Limit": 20})
BASE_CALL = ("echo", {"text": "hello"})


#: Children may write and read bytecode (in a private cache): with PYTHONDONTWRITEBYTECODE
#: set, as in some sandboxes and containers, every start would compile every module
#: again (about 1.5 s of a 2 s start here), and the figure would measure the compiler.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
#: The cache outlives the run (next to other temporary files, outside the tree), so
#: only the first run ever pays for compiling.
CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "lighthouse-mcp-bench-pycache")


class Server:
    """A stdio MCP server process spoken to in JSON lines."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**CHILD_ENV, **(env or {})},
        )
        self._id = 0

    def ask(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._id += 1
        message = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}}
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{method}: the server closed its output")
            answer: dict[str, Any] = json.loads(line)
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer

    def notify(self, method: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": method}).encode() + b"\n")
        self.proc.stdin.flush()

    def initialize(self) -> None:
        self.ask(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "bench-stdio", "version": "1"},
            },
        )
        self.notify("notifications/initialized")

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = self.ask("tools/call", {"name": name, "arguments": arguments})["result"]
        if result.get("isError"):
            raise RuntimeError(f"{name} failed: {result}")
        return result  # type: ignore[no-any-return]

    def status(self, field: str) -> float:
        """A /proc status figure (VmRSS, VmHWM) in MiB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no {field} in /proc status")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def round_trip(calls: int) -> tuple[float, float, int]:
    """Median seconds per tools/call of ours and the baseline, interleaved; result bytes."""
    ours, base = Server(OURS), Server(BASE)
    try:
        ours.initialize()
        base.initialize()
        size = len(json.dumps(ours.call(*OUR_CALL)))
        for _ in range(50):  # warm-up
            ours.call(*OUR_CALL)
            base.call(*BASE_CALL)
        t_ours: list[float] = []
        t_base: list[float] = []
        for i in range(calls):
            pair = ((ours, OUR_CALL, t_ours), (base, BASE_CALL, t_base))
            for server, (name, arguments), into in pair if i % 2 else pair[::-1]:
                started = time.perf_counter()
                server.call(name, arguments)
                into.append(time.perf_counter() - started)
    finally:
        ours.close()
        base.close()
    return statistics.median(t_ours), statistics.median(t_base), size


def node_server() -> list[str] | None:
    """The command of Tencent's Node server, installed with npm into a temporary
    directory (kept for the process's lifetime), or None without npm."""
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        return None
    where = Path(tempfile.mkdtemp(prefix="bench-node-"))
    print(f"(installing npm {NODE_PACKAGE} into {where})", file=sys.stderr, flush=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", NODE_PACKAGE],
        cwd=where,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=600,
    )
    package = json.loads((where / "node_modules" / NODE_PACKAGE / "package.json").read_text())
    bin_field = package.get("bin")
    entry = next(iter(bin_field.values())) if isinstance(bin_field, dict) else bin_field
    entry = entry or package.get("main", "index.js")
    return [node, str(where / "node_modules" / NODE_PACKAGE / entry)]


def cold_start(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    server = Server(command, env)
    try:
        server.initialize()
        tools = server.ask("tools/list")["result"]["tools"]
        elapsed = time.perf_counter() - started
    finally:
        server.close()
    return elapsed, len(tools)


def cold_starts(runs: int, node: list[str] | None) -> dict[str, tuple[list[float], int]]:
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "lighthouse-mcp --sandbox": (OURS, None),
        "one-tool MCPServer": (BASE, None),
    }
    if node is not None:
        # placeholders: the Node server reads them at start and lists tools without a call
        keys = {"TENCENTCLOUD_SECRET_ID": "AKIDbench", "TENCENTCLOUD_SECRET_KEY": "bench"}
        commands["Tencent Node server (npm)"] = (node, keys)
    for command, env in commands.values():  # warm the file cache and .pyc files
        cold_start(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    counts: dict[str, int] = {}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            elapsed, counts[name] = cold_start(command, env)
            times[name].append(elapsed)
    return {name: (times[name], counts[name]) for name in commands}


def memory(calls: int) -> tuple[list[tuple[int, float]], float, float]:
    """VmRSS after 1%, 10%, 50% and all of the calls; VmHWM at the end; calls/s."""
    server = Server(OURS)
    checkpoints = sorted({max(1, calls // 100), max(1, calls // 10), max(1, calls // 2), calls})
    rss: list[tuple[int, float]] = []
    try:
        server.initialize()
        server.ask("tools/list")
        done = 0
        started = time.perf_counter()
        for point in checkpoints:
            while done < point:
                server.call(*OUR_CALL)
                done += 1
            rss.append((done, server.status("VmRSS")))
        rate = calls / (time.perf_counter() - started)
        return rss, server.status("VmHWM"), rate
    finally:
        server.close()


def traced_growth(calls: int, log_size: int | None) -> list[tuple[str, float]]:
    """Where memory grows over ``calls`` tool calls in process (tracemalloc, by line):
    the server with its in-process sandbox, through the official in-memory MCP client.
    ``log_size`` None keeps every sandbox request (the request log before it was
    bounded); otherwise the sandbox's default."""
    import tracemalloc

    import anyio
    from mcp.client import Client

    from lighthouse_mcp.sandbox import Sandbox
    from lighthouse_mcp.server.app import build_server
    from lighthouse_mcp.server.config import Settings

    sandbox = Sandbox(delay=0) if log_size is not None else Sandbox(delay=0, request_log_size=10**9)
    server = build_server(Settings(sandbox=True), sandbox=sandbox)

    async def run() -> list[tuple[str, float]]:
        async with Client(server, mode="legacy") as client:
            for _ in range(1500):  # warm: caches, validators, a full request log (1,000)
                await client.call_tool(*OUR_CALL)
            tracemalloc.start()
            before = tracemalloc.take_snapshot()
            for _ in range(calls):
                await client.call_tool(*OUR_CALL)
            after = tracemalloc.take_snapshot()
            tracemalloc.stop()
        stats = after.compare_to(before, "lineno")
        return [
            (str(s.traceback[0]).replace(str(HERE.parent) + "/", ""), s.size_diff / 1024)
            for s in stats[:4]
        ]

    return anyio.run(run)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=3000, help="round-trip calls")
    parser.add_argument(
        "--memory-calls", type=int, default=100_000, help="calls through one server for memory"
    )
    parser.add_argument(
        "--trace-calls", type=int, default=5000, help="in-process calls traced (0: skip)"
    )
    parser.add_argument("--runs", type=int, default=11, help="cold starts of each server")
    parser.add_argument("--no-node", action="store_true", help="skip Tencent's Node server")
    args = parser.parse_args()

    ours, base, size = round_trip(args.calls)
    ratio = ours / base
    print(f"tools/call over stdio, median of {args.calls} interleaved calls")
    print(f"{'server':<40} {'median ms':>9} {'ratio':>6}")
    print(f"{'lighthouse-mcp --sandbox DescribeInstances':<40} {ours * 1e3:>9.2f} {ratio:>5.2f}x")
    print(f"{'one-tool MCPServer echo (baseline)':<40} {base * 1e3:>9.2f} {1:>5.2f}x")
    print(
        f"result {size:,} bytes of JSON-RPC; target <= {ROUND_TRIP_TARGET}x: "
        f"{'OK' if ratio <= ROUND_TRIP_TARGET else 'OVER'}"
    )

    node = None
    if args.no_node:
        print("\n(Tencent's Node server skipped: --no-node)")
    else:
        node = node_server()
        if node is None:
            print("\n(Tencent's Node server skipped: npm or node is not installed)")
    starts = cold_starts(args.runs, node)
    base_median = statistics.median(starts["one-tool MCPServer"][0])
    print(f"\ncold start to the first tools/list over stdio, median of {args.runs} runs")
    print(f"{'server':<28} {'tools':>5} {'median ms':>9} {'min ms':>7} {'ours ÷ it':>9}")
    ours_median = statistics.median(starts["lighthouse-mcp --sandbox"][0])
    for name, (times, count) in starts.items():
        median = statistics.median(times)
        print(
            f"{name:<28} {count:>5} {median * 1e3:>9.0f} {min(times) * 1e3:>7.0f} "
            f"{ours_median / median:>8.2f}x"
        )
    cold = ours_median / base_median
    print(
        f"vs the one-tool server {cold:.2f}x (target <= {COLD_TARGET}x): "
        f"{'OK' if cold <= COLD_TARGET else 'OVER'}"
    )

    rss, peak, rate = memory(args.memory_calls)
    print(
        f"\nmemory of lighthouse-mcp --sandbox over {args.memory_calls:,} DescribeInstances calls"
    )
    print(f"{'after calls':>11} {'VmRSS MiB':>10} {'vs first':>9}")
    for done, value in rss:
        print(f"{done:>11,} {value:>10.1f} {value - rss[0][1]:>+9.1f}")
    growth = rss[-1][1] - rss[0][1]
    per_call = growth * 1024 * 1024 / max(1, rss[-1][0] - rss[0][0])
    print(
        f"peak (VmHWM) {peak:.1f} MiB; {rate:.0f} calls/s; growth after the first 1% "
        f"{growth:+.1f} MiB ({per_call:.1f} bytes/call); target flat: "
        f"{'OK' if per_call < MEMORY_FLAT_BYTES_PER_CALL else 'OVER'} "
        f"(under {MEMORY_FLAT_BYTES_PER_CALL} bytes/call)"
    )
    if args.trace_calls:
        print(f"\ntracemalloc, {args.trace_calls:,} calls in process: largest growth by line")
        cases: list[tuple[str, int | None]] = [("request log unbounded", None), ("default", 1000)]
        for label, log_size in cases:
            print(f"-- sandbox {label}")
            for where, kib in traced_growth(args.trace_calls, log_size):
                print(f"{kib:>+10.1f} KiB  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
