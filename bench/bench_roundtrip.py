"""A tool call's round trip through MCP (official client, in-memory, both protocol eras)
against a direct LighthouseClient call to the same in-process sandbox, same run.

The difference is what the MCP layer costs per call: JSON-RPC framing, validation of
the arguments, the gate hook, result shaping and the client's output-schema check.
    uv run python bench/bench_roundtrip.py [--calls 300]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable

import anyio
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server, make_client
from lighthouse_mcp.server.config import Settings

ARGS = {"Limit": 20}
ACTION = "DescribeInstances"


async def timed(calls: int, fn: Callable[[], Awaitable[object]]) -> list[float]:
    for _ in range(10):  # warm caches (validators, schemas, connection pool)
        await fn()
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - started)
    return out


async def main(calls: int) -> None:
    settings = Settings(sandbox=True)
    sb = Sandbox(delay=0)
    direct_client = make_client(settings, sb)
    rows: list[tuple[str, list[float]]] = []

    async def direct() -> object:
        return await direct_client.call(ACTION, ARGS)

    rows.append(("direct LighthouseClient.call", await timed(calls, direct)))
    for mode in ("auto", "legacy"):
        server = build_server(settings, sandbox=sb)
        async with Client(server, mode=mode) as client:

            async def via_mcp(c: Client = client) -> object:
                result = await c.call_tool(ACTION, ARGS)
                assert not result.is_error
                return result

            label = "MCP call_tool, in-memory " + (
                "(2026 direct)" if mode == "auto" else "(JSON-RPC streams)"
            )
            rows.append((label, await timed(calls, via_mcp)))
        await server.aclose()
    await direct_client.aclose()

    base = statistics.median(rows[0][1])
    print(f"{ACTION} {ARGS} round trip against the in-process sandbox, {calls} calls each")
    print(f"{'path':<44} {'median ms':>9} {'p90 ms':>7} {'ratio':>6}")
    for label, samples in rows:
        med = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"{label:<44} {med * 1000:>9.2f} {p90 * 1000:>7.2f} {med / base:>5.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    anyio.run(main, parser.parse_args().calls)
