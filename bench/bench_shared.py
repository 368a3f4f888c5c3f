"""Shared-service mode: 1, 2 and 4 replicas sharing one Redis store, against one process
with the in-memory store, from the same run.

Each replica is a server process over streamable HTTP on loopback; the sandbox runs in
its own process (not enforcing rates: the client limiters, shared through the store or
not, are what pace). ``--sessions`` concurrent MCP sessions, spread over the replicas,
each call ``--calls`` reads of a mix of two 100/s actions (so the account's documented
ceiling is 200 calls/s whatever the number of replicas: the shared limiter keeps them
to it together). Printed: calls/s and p50/p99 call latency beside the one-process
figure; then the store's own operations, p50/p99 for Redis beside memory://.

    uv run --extra test python bench/bench_shared.py [--sessions 200] [--calls 5]

Needs ``redis-server`` on PATH (Debian: apt-get install redis-server).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import anyio
import httpx2
import mcp_types as types
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lighthouse_mcp.store import MemoryStore, Store, open_store
from tests.e2e.proof.processes import (
    MCP_TOKEN,
    http_server_process,
    sandbox_process,
)
from tests.support.redis_server import redis_server

MIX = ["DescribeInstances", "DescribeKeyPairs"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _session(url: str, n: int, calls: int, latencies: list[float], errors: list[str]) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {MCP_TOKEN}"}, timeout=120)
    info = types.Implementation(name=f"bench-{n}", version="1")
    async with Client(streamable_http_client(url, http_client=http), client_info=info) as c:
        for i in range(calls):
            started = time.perf_counter()
            result = await c.call_tool(MIX[(n + i) % len(MIX)], {})
            latencies.append(time.perf_counter() - started)
            if result.is_error:
                errors.append(str(result.content[0])[:200])


async def _load(urls: list[str], sessions: int, calls: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for n in range(sessions):
            tg.start_soon(_session, urls[n % len(urls)], n, calls, latencies, errors)
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, len(errors)


def run_replicas(api: str, replicas: int, store: str | None, sessions: int, calls: int) -> str:
    extra = ["--store", store] if store else []
    managers = [http_server_process(api, *extra) for _ in range(replicas)]
    with ExitStack() as stack, ThreadPoolExecutor(replicas) as pool:
        entered = list(pool.map(lambda m: m.__enter__(), managers))
        for manager in managers:
            stack.push(manager.__exit__)
        urls = [url for url, _pid in entered]
        anyio.run(_load, urls, min(8, sessions), 1)  # warm-up: imports, first connections
        rate, latencies, errors = anyio.run(_load, urls, sessions, calls)
    return _row(rate, latencies, errors)


def _row(rate: float, latencies: list[float], errors: int) -> str:
    return f"{rate:.1f}|{pct(latencies, 0.5) * 1000:.0f}|{pct(latencies, 0.99) * 1000:.0f}|{errors}"


async def _store_ops(store: Store, ops: int, concurrency: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    stamp = time.monotonic_ns()
    cases: dict[str, Callable[[int], Awaitable[object]]] = {
        "reserve_slot": lambda i: store.reserve_slot(f"bench:{stamp}:rate:{i % 50}", 10**6, 1.0),
        "claim_once": lambda i: store.claim_once(f"bench:{stamp}:nonce:{i}", 60),
        "put+get": lambda i: _put_get(store, f"bench:{stamp}:kv:{i}"),
        "push+pop_wait": lambda i: _push_pop(store, f"bench:{stamp}:q:{i}"),
        "append (audit)": lambda i: store.append(f"bench:{stamp}:audit", {"n": str(i)}, 10_000),
    }
    for name, op in cases.items():
        samples: list[float] = []

        async def worker(
            start: int,
            op: Callable[[int], Awaitable[object]] = op,
            samples: list[float] = samples,
        ) -> None:
            for i in range(start, ops, concurrency):
                began = time.perf_counter()
                await op(i)
                samples.append(time.perf_counter() - began)

        async with anyio.create_task_group() as tg:
            for w in range(concurrency):
                tg.start_soon(worker, w)
        timings[name] = samples
    return timings


async def _put_get(store: Store, key: str) -> None:
    await store.put(key, "v", 60)
    await store.get(key)


async def _push_pop(store: Store, key: str) -> None:
    await store.push(key, "v", 60)
    await store.pop_wait(key, 1)


async def store_table(url: str, ops: int, concurrency: int) -> list[str]:
    memory = await _store_ops(MemoryStore(), ops, concurrency)
    redis = await open_store(url)
    try:
        shared = await _store_ops(redis, ops, concurrency)
    finally:
        await redis.aclose()
    lines = [
        f"store operation ({ops} ops, {concurrency} concurrent)       "
        "redis p50/p99 ms   memory p50/p99 ms   p50 ratio"
    ]
    for name, samples in shared.items():
        base = memory[name]
        ratio = statistics.median(samples) / max(statistics.median(base), 1e-9)
        lines.append(
            f"{name:<44} {pct(samples, 0.5) * 1000:>7.2f}/{pct(samples, 0.99) * 1000:<8.2f}"
            f" {pct(base, 0.5) * 1000:>7.3f}/{pct(base, 0.99) * 1000:<8.3f} {ratio:>9.0f}x"
        )
    return lines


def main(sessions: int, calls: int, replicas: list[int], ops: int) -> None:
    print(f"{sessions} concurrent MCP sessions x {calls} reads ({'/'.join(MIX)}, 100/s each)")
    header = f"{'case':<34} {'calls/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
    print(header + "   vs one process (calls/s ratio)")
    with redis_server() as redis, sandbox_process(enforce_rate_limits=False) as (api, _req):
        base = run_replicas(api, 1, None, sessions, calls)
        b_rate = float(base.split("|")[0])
        cases = [("1 process, memory:// (baseline)", base)]
        for k in replicas:
            cases.append(
                (f"{k} replica(s), redis store", run_replicas(api, k, redis.url, sessions, calls))
            )
        for name, row in cases:
            rate, p50, p99, errors = row.split("|")
            print(
                f"{name:<34} {float(rate):>8.1f} {p50:>7} {p99:>7} {errors:>6}"
                f"   {float(rate) / b_rate:.2f}x"
            )
        print()
        for line in anyio.run(store_table, redis.url, ops, 20):
            print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--replicas", default="1,2,4")
    parser.add_argument("--ops", type=int, default=2000)
    ns = parser.parse_args()
    main(ns.sessions, ns.calls, [int(x) for x in ns.replicas.split(",")], ns.ops)
