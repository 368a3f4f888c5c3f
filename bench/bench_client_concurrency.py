"""LighthouseClient at 1, 10 and 50-way concurrency beside Tencent's official SDK and raw httpx.

One ``lighthouse-mcp sandbox`` process on loopback HTTP answers everything. In this
process, for each concurrency level, every engine runs the same DescribeInstances call
from N workers for a fixed time; the engines take turns within each round (the order
rotating), so machine drift hits them alike. Figures are the median over the rounds of
calls/s, and the client-side CPU per call (process time of this process / calls; the
sandbox runs in its own process).

Engines:
- ``LighthouseClient``: this project's client, rate limits off (they would cap the
  figure at the documented 20/s), everything else as shipped.
- ``SDK async``: tencentcloud-sdk-python-lighthouse's asyncio client (httpx underneath),
  with keep-alive on (``HttpProfile(keepAlive=True)``); ``SDK async, default profile``
  opens a connection per call, as the SDK does unless told otherwise.
- ``SDK sync, N threads``: the SDK's requests-based client, one per thread (info).
- ``raw httpx``: one httpx.AsyncClient posting bytes signed once up front (no signing,
  no JSON encoding, only ``response.json()``), in two pool configurations: httpx's
  defaults, and ``max_connections`` = the concurrency. The better of the two is the
  floor the client is held to.

Targets: the client at >= 1.0x the best SDK async figure and >= 0.9x the best raw httpx.

    uv run python bench/bench_client_concurrency.py [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import (
    ClientProfile,
)
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.lighthouse.v20200324 import models
from tencentcloud.lighthouse.v20200324.lighthouse_client import (
    LighthouseClient as SyncSDKClient,
)
from tencentcloud.lighthouse.v20200324.lighthouse_client_async import (
    LighthouseClient as AsyncSDKClient,
)

from lighthouse_mcp.client import Credentials, LighthouseClient
from lighthouse_mcp.client.signing import TC3Auth

REGION = "ap-guangzhou"
ACTION = "DescribeInstances"
PARAMS: dict[str, Any] = {"Limit": 20, "Offset": 0}
SDK_TARGET = 1.0
RAW_TARGET = 0.9


@dataclass
class Sandbox:
    proc: subprocess.Popen[str]
    host: str
    port: int
    secret_id: str
    secret_key: str

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def start_sandbox() -> Sandbox:
    """``lighthouse-mcp sandbox --port 0``; its banner names the port and the key pair."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    found: dict[str, str] = {}
    for line in proc.stdout:
        if line.startswith("Lighthouse sandbox listening on "):
            found["url"] = line.split(" on ", 1)[1].strip().rstrip("/")
        elif line.strip().startswith("SecretId:"):
            found["id"] = line.split(":", 1)[1].strip()
        elif line.strip().startswith("SecretKey:"):
            found["key"] = line.split(":", 1)[1].split()[0]
        if len(found) == 3:
            break
    else:
        proc.kill()
        raise SystemExit("the sandbox did not start")
    host, port = found["url"].removeprefix("http://").rsplit(":", 1)
    return Sandbox(proc, host, int(port), found["id"], found["key"])


@dataclass
class Result:
    rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # seconds of CPU per call

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def cpu_us(self) -> float:
        return statistics.median(self.cpu) * 1e6


Call = Callable[[], Awaitable[Any]]


async def drive(call: Call, workers: int, seconds: float) -> tuple[int, float, float]:
    """Run ``call`` from ``workers`` tasks for ``seconds``: (calls, wall s, CPU s)."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call()
            done += 1

    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(workers):
            tg.start_soon(worker)
    return done, time.perf_counter() - wall0, time.process_time() - cpu0


def drive_threads(sbx: Sandbox, workers: int, seconds: float) -> tuple[int, float, float]:
    """The SDK's sync client, one per thread (requests sessions are not shared)."""
    counts = [0] * workers
    deadline = time.perf_counter() + seconds
    profile = ClientProfile(
        httpProfile=HttpProfile(protocol="http", endpoint=f"{sbx.host}:{sbx.port}", keepAlive=True)
    )
    request = models.DescribeInstancesRequest()
    request.from_json_string(json.dumps(PARAMS))
    clients = [
        SyncSDKClient(Credential(sbx.secret_id, sbx.secret_key), REGION, profile)
        for _ in range(workers)
    ]
    start = threading.Barrier(workers + 1)

    def worker(i: int) -> None:
        start.wait()
        while time.perf_counter() < deadline:
            clients[i].DescribeInstances(request)
            counts[i] += 1

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(worker, i) for i in range(workers)]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        deadline = wall0 + seconds
        start.wait()
        for f in futures:
            f.result()
    return sum(counts), time.perf_counter() - wall0, time.process_time() - cpu0


def presigned(sbx: Sandbox) -> tuple[bytes, dict[str, str]]:
    """Body and headers for the raw POST, signed once per run (the floor)."""
    body = json.dumps(PARAMS, separators=(",", ":")).encode()
    request = httpx.Request(
        "POST",
        sbx.base + "/",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-TC-Action": ACTION,
            "X-TC-Version": "2020-03-24",
            "X-TC-Region": REGION,
        },
    )
    signed = next(TC3Auth(Credentials(sbx.secret_id, sbx.secret_key)).auth_flow(request))
    return body, {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}


async def run_level(sbx: Sandbox, workers: int, seconds: float, rounds: int) -> dict[str, Result]:
    body, headers = presigned(sbx)
    url = sbx.base + "/"
    sdk_request = models.DescribeInstancesRequest()
    sdk_request.from_json_string(json.dumps(PARAMS))

    def sdk_profile(keep_alive: bool) -> ClientProfile:
        http = HttpProfile(protocol="http", endpoint=f"{sbx.host}:{sbx.port}", keepAlive=keep_alive)
        return ClientProfile(httpProfile=http)

    ours = LighthouseClient(
        credentials=Credentials(sbx.secret_id, sbx.secret_key),
        region=REGION,
        endpoint=sbx.base,
        rate_limits=False,
        env={},
    )
    sdk_keep = AsyncSDKClient(Credential(sbx.secret_id, sbx.secret_key), REGION, sdk_profile(True))
    sdk_default = AsyncSDKClient(
        Credential(sbx.secret_id, sbx.secret_key), REGION, sdk_profile(False)
    )
    raw_default = httpx.AsyncClient()
    raw_sized = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    )

    def raw(http: httpx.AsyncClient) -> Call:
        async def call() -> None:
            response = await http.post(url, content=body, headers=headers)
            response.json()["Response"]

        return call

    async def call_ours() -> None:
        await ours.call(ACTION, PARAMS)

    engines: dict[str, Call | None] = {
        "LighthouseClient": call_ours,
        "SDK async, keep-alive": lambda: sdk_keep.DescribeInstances(sdk_request),
        "SDK async, default profile": lambda: sdk_default.DescribeInstances(sdk_request),
        f"SDK sync, {workers} threads": None,
        "raw httpx, default pool": raw(raw_default),
        f"raw httpx, pool = {workers}": raw(raw_sized),
    }
    results = {name: Result() for name in engines}
    names = list(engines)
    try:
        for fn in engines.values():  # warm-up: connections, caches, imports
            if fn is not None:
                await drive(fn, workers, min(0.2, seconds))
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                fn = engines[name]
                if fn is None:
                    calls, wall, cpu = await anyio.to_thread.run_sync(
                        drive_threads, sbx, workers, seconds
                    )
                else:
                    calls, wall, cpu = await drive(fn, workers, seconds)
                results[name].rates.append(calls / wall)
                results[name].cpu.append(cpu / max(calls, 1))
    finally:
        await ours.aclose()
        await sdk_keep.close()
        await sdk_default.close()
        await raw_default.aclose()
        await raw_sized.aclose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=2.0, help="per engine per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="1,10,50", help="comma-separated levels")
    args = parser.parse_args()
    levels = [int(x) for x in args.concurrency.split(",")]
    sbx = start_sandbox()
    try:
        by_level = {n: anyio.run(run_level, sbx, n, args.seconds, args.rounds) for n in levels}
    finally:
        sbx.proc.terminate()
        sbx.proc.wait(timeout=10)
    print(
        f"{ACTION} against one `lighthouse-mcp sandbox` process over loopback HTTP; "
        f"median of {args.rounds} rounds x {args.seconds:g} s per engine"
    )
    print(f"{'workers':>7}  {'engine':<28} {'calls/s':>8} {'CPU µs/call':>11} {'ours ÷ it':>9}")
    failed = []
    for n, results in by_level.items():
        ours = results["LighthouseClient"]
        for name, res in results.items():
            ratio = "" if res is ours else f"{ours.rate / res.rate:.2f}x"
            print(f"{n:>7}  {name:<28} {res.rate:>8.0f} {res.cpu_us:>11.0f} {ratio:>9}")
        sdk = max(results["SDK async, keep-alive"].rate, results["SDK async, default profile"].rate)
        raw = max(r.rate for name, r in results.items() if name.startswith("raw httpx"))
        vs_sdk, vs_raw = ours.rate / sdk, ours.rate / raw
        ok = vs_sdk >= SDK_TARGET and vs_raw >= RAW_TARGET
        if not ok:
            failed.append(n)
        print(
            f"{n:>7}  -> vs best SDK async {vs_sdk:.2f}x (target >= {SDK_TARGET}x), "
            f"vs best raw httpx {vs_raw:.2f}x (target >= {RAW_TARGET}x): "
            f"{'OK' if ok else 'MISSED'}"
        )
    if failed:
        print(f"missed at {', '.join(map(str, failed))} workers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
