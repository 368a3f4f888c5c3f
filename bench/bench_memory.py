"""Peak memory (RSS high-water mark, VmHWM) of the server with all tools loaded, beside a
one-tool MCPServer on the same SDK, same run.

Each server is started over stdio, initialised, asked for tools/list and, for ours, made
to run a few tool calls against its in-process sandbox (so the API client, signing and
the sandbox are loaded too); the peak RSS is then read from /proc/<pid>/status. Compact
mode (3 tools) is shown as well. Linux only (/proc).

    uv run python bench/bench_memory.py [--calls 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "bench-memory", "version": "1"},
    },
}


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def measure(args: list[str], calls: list[tuple[str, dict[str, Any]]]) -> tuple[float, int]:
    """(peak RSS in MiB, tools listed) of a stdio server after list + calls."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None

    def ask(message: dict[str, Any]) -> dict[str, Any]:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(message).encode() + b"\n")
        proc.stdin.flush()
        while True:
            answer: dict[str, Any] = json.loads(proc.stdout.readline())
            if answer.get("id") == message["id"]:
                return answer

    try:
        ask(INIT)
        proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        tools = ask({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})["result"]["tools"]
        for n, (name, arguments) in enumerate(calls, start=2):
            ask(
                {
                    "jsonrpc": "2.0",
                    "id": n,
                    "method": "tools/call",
                    "params": {"name": name, "arguments": arguments},
                }
            )
        return _peak_mb(proc.pid), len(tools)
    finally:
        proc.stdin.close()
        proc.wait(30)


def main(calls: int) -> None:
    reads: list[tuple[str, dict[str, Any]]] = [
        ("DescribeInstances", {}),
        ("DescribeBundles", {}),
        ("DescribeBlueprints", {}),
    ]
    work = [reads[i % len(reads)] for i in range(calls)]
    compact_work = [("call_action", {"action": name, "arguments": args}) for name, args in work]
    base, base_tools = measure([str(HERE / "one_tool_server.py")], [("echo", {"text": "x"})])
    full, full_tools = measure(["-m", "lighthouse_mcp.server", "--sandbox"], work)
    compact, compact_tools = measure(
        ["-m", "lighthouse_mcp.server", "--sandbox", "--compact"], compact_work
    )
    print(f"peak RSS (VmHWM) after initialize, tools/list and {calls} tool calls")
    print(f"{'server':<36} {'tools':>5} {'peak MiB':>9} {'ratio':>7}")
    print(f"{'one-tool MCPServer (baseline)':<36} {base_tools:>5} {base:>9.1f} {1:>6.2f}x")
    print(f"{'lighthouse-mcp --sandbox':<36} {full_tools:>5} {full:>9.1f} {full / base:>6.2f}x")
    print(
        f"{'lighthouse-mcp --sandbox --compact':<36} {compact_tools:>5} {compact:>9.1f} "
        f"{compact / base:>6.2f}x"
    )
    print(
        f"all tools cost {full - base:.1f} MiB over the SDK's own floor "
        "(catalog, schemas, validators, API client, in-process sandbox)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=20)
    main(parser.parse_args().calls)
