"""Minimal reproduction for the MCP SDK: its stdio server costs three thread hand-offs
per request/response pair, and one of them is avoidable.

``mcp.server.stdio.stdio_server`` wraps stdin/stdout with ``anyio.wrap_file``; every
``readline``, every ``write`` and every ``flush`` is an ``anyio.to_thread.run_sync``
round trip (a worker-thread hand-off and a wake-up of the event loop). The writer does
``await stdout.write(json + "\\n")`` then ``await stdout.flush()``: two hops where one
would do. This script runs the SDK's one-tool server (bench/one_tool_server.py) either
as shipped or with the proposed writer (write and flush in one hop) and times
tools/call round trips with both in the same run, interleaved.

Proposed upstream change (mcp/server/stdio.py, ``stdout_writer``)::

    def _emit(text: str) -> None:      # runs in the worker thread
        stdout_raw.write(text)
        stdout_raw.flush()
    ...
    await anyio.to_thread.run_sync(_emit, json + "\\n")

(the same holds for the client's stdio transport, which writes to the server's stdin).

    uv run python bench/sdk_stdio_repro.py [--calls 2000]
    uv run python bench/sdk_stdio_repro.py --serve {stock,one-hop}   # the server side
"""

from __future__ import annotations

import argparse
import runpy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from mcp.server.stdio import stdio_server

HERE = Path(__file__).resolve().parent
# siblings, not a package: loaded by path (the JSON-RPC pipe driver and the one-tool server)
STDIO: dict[str, Any] = runpy.run_path(str(HERE / "bench_stdio.py"))


class OneHopFile(anyio.AsyncFile[str]):
    """An ``AsyncFile`` whose ``write`` also flushes, in the same worker-thread hop."""

    async def write(self, b: str) -> int:
        def emit() -> int:
            written = self.wrapped.write(b)
            self.wrapped.flush()
            return written

        return await anyio.to_thread.run_sync(emit)

    async def flush(self) -> None:
        return None


async def serve(kind: str) -> None:
    server = runpy.run_path(str(HERE / "one_tool_server.py"))["server"]
    lowlevel: Any = server._lowlevel_server
    with open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False) as raw:
        stdout = OneHopFile(raw) if kind == "one-hop" else None
        async with stdio_server(stdout=stdout) as (read_stream, write_stream):
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--serve", choices=("stock", "one-hop"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        anyio.run(serve, args.serve)
        return 0
    me = [sys.executable, str(Path(__file__).resolve()), "--serve"]
    server_class, call = STDIO["Server"], STDIO["BASE_CALL"]
    servers = {"stock": server_class([*me, "stock"]), "one-hop": server_class([*me, "one-hop"])}
    times: dict[str, list[float]] = {name: [] for name in servers}
    try:
        for s in servers.values():
            s.initialize()
            for _ in range(50):
                s.call(*call)
        for i in range(args.calls):
            for name in list(servers) if i % 2 else list(servers)[::-1]:
                started = time.perf_counter()
                servers[name].call(*call)
                times[name].append(time.perf_counter() - started)
    finally:
        for s in servers.values():
            s.close()
    stock = statistics.median(times["stock"])
    one_hop = statistics.median(times["one-hop"])
    print(f"one-tool MCPServer echo over stdio, median of {args.calls} interleaved calls")
    print(f"{'stdout writer':<34} {'median ms':>9} {'ratio':>6}")
    print(f"{'SDK as shipped (write, flush)':<34} {stock * 1e3:>9.3f} {1:>5.2f}x")
    print(f"{'proposed (write+flush, one hop)':<34} {one_hop * 1e3:>9.3f} {one_hop / stock:>5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
