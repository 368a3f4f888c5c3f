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
- memory: VmRSS of our server before and after ``--calls`` tool calls, and the peak
  (VmHWM). Linux only (/proc).

    uv run python bench/bench_stdio.py [--calls 3000] [--runs 11] [--no-node]
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


def memory(calls: int) -> tuple[float, float, float, float]:
    """VmRSS after 1% of the calls, VmRSS at the end, VmHWM at the end, calls/s."""
    server = Server(OURS)
    try:
        server.initialize()
        server.ask("tools/list")
        warm = max(1, calls // 100)
        for _ in range(warm):
            server.call(*OUR_CALL)
        early = server.status("VmRSS")
        started = time.perf_counter()
        for _ in range(calls - warm):
            server.call(*OUR_CALL)
        rate = (calls - warm) / (time.perf_counter() - started)
        return early, server.status("VmRSS"), server.status("VmHWM"), rate
    finally:
        server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=3000, help="round-trip and memory calls")
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

    early, late, peak, rate = memory(args.calls)
    print(f"\nmemory of lighthouse-mcp --sandbox over {args.calls:,} DescribeInstances calls")
    print(
        f"VmRSS after {max(1, args.calls // 100)} calls {early:.1f} MiB, after all "
        f"{late:.1f} MiB ({late - early:+.1f}), peak {peak:.1f} MiB; {rate:.0f} calls/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
