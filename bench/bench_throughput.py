"""Throughput of concurrent read calls through one LighthouseClient, without rate limits
and with Tencent's published per-action rates (client limiter on, sandbox enforcing).

Workers share one client and loop over a mix of read actions for a fixed time against
the in-process sandbox (httpx.ASGITransport: no network, so the figures are the
client's and the sandbox's CPU, not a wire). Printed beside each figure:
- unlimited: the baseline is a single worker (what concurrency adds);
- rate-limited: the baseline is the documented ceiling of the mix (the sum of the
  actions' per-second rates: the most the API accepts), and the refusals the sandbox
  answered (RequestLimitExceeded; the limiter should keep them at zero). A worker
  waiting for a slow action's slot is blocked, so the figure also shows how the mix's
  slow actions (DescribeBundles: 5/s) hold workers back.
Calls are counted inside the time window only (waiters at the end do not stretch it).

    uv run python bench/bench_throughput.py [--workers 32] [--seconds 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import anyio

from lighthouse_mcp import catalog
from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.client.errors import LighthouseError
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

MIX = [
    "DescribeInstances",
    "DescribeBundles",
    "DescribeBlueprints",
    "DescribeRegions",
    "DescribeZones",
    "DescribeSnapshots",
    "DescribeDisks",
    "DescribeKeyPairs",
]


async def run(workers: int, seconds: float, *, limited: bool) -> tuple[float, int, int]:
    """(calls per second, calls that failed, requests refused for their rate)."""
    sb = Sandbox(delay=0, enforce_rate_limits=limited)
    client = LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region="ap-guangzhou",
        endpoint="http://sandbox",
        transport=sb.transport(),
        rate_limits=limited,
    )
    done = failed = 0
    deadline = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal done, failed
        i = n
        while time.perf_counter() < deadline:
            try:
                await client.call(MIX[i % len(MIX)], {})
            except LighthouseError:
                failed += 1
            if time.perf_counter() <= deadline:  # calls still waiting at the end (for
                done += 1  # a slot) would stretch the run: count the window only
            i += 1

    async with anyio.create_task_group() as tg:
        for n in range(workers):
            tg.start_soon(worker, n)
    elapsed = seconds
    await client.aclose()
    refused = sum(1 for r in sb.requests if r.error_code == "RequestLimitExceeded")
    return done / elapsed, failed, refused


def ceiling(mix: Sequence[str]) -> float:
    """Calls/s the documented rates allow for the mix at most (sum of the rates)."""
    return float(sum(catalog.action(a)["rate_limit"] or 0 for a in mix))


async def main(workers: int, seconds: float) -> None:
    single, _, _ = await run(1, seconds, limited=False)
    free, free_failed, _ = await run(workers, seconds, limited=False)
    paced, paced_failed, refused = await run(workers, seconds, limited=True)
    cap = ceiling(MIX)
    print(f"concurrent reads through one client, {len(MIX)}-action mix, in-process sandbox")
    print(f"{'case':<44} {'calls/s':>9} {'baseline':>9} {'ratio':>7}  notes")
    print(
        f"{'unlimited, ' + str(workers) + ' workers':<44} {free:>9.0f} {single:>9.0f} "
        f"{free / single:>6.2f}x  baseline: 1 worker; failed {free_failed}"
    )
    print(
        f"{'published rate limits, ' + str(workers) + ' workers':<44} {paced:>9.1f} "
        f"{cap:>9.1f} {paced / cap:>6.2f}x  baseline: documented ceiling of the mix; "
        f"failed {paced_failed}, refused by the API {refused}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    anyio.run(main, args.workers, args.seconds)
