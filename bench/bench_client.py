"""Per-call cost of LighthouseClient.call beside a raw, pre-signed httpx POST.

Both talk to the same local server in the same run, one call at a time, interleaved
call by call (so drift and warm-up hit both alike); the figure is the median over the
rounds of the mean per-call time in a round. The raw baseline is the floor: one
httpx.AsyncClient posting bytes whose headers (Authorization included) were computed
once, and no parsing beyond ``response.json()``. The client does everything a real
call does: rate-limit slot (at an effectively unlimited rate, so it never waits but its
bookkeeping counts), credential lookup, JSON encoding, TC3 signing per request,
error/Response parsing.

Servers:
- ``loopback``: uvicorn on 127.0.0.1 in a child process (real TCP, keep-alive) — the
  target case: the client must be within 1.2x of raw.
- ``in-process``: the same ASGI app through httpx.ASGITransport — no network, so the
  client's own overhead shows at its largest (informational).

    uv run python bench/bench_client.py [--calls 300] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import anyio
import httpx
from starlette.types import Receive, Scope, Send

from lighthouse_mcp.client import Credentials, LighthouseClient
from lighthouse_mcp.client.ratelimit import RateLimiter
from lighthouse_mcp.client.signing import TC3Auth

TARGET = 1.2
ACTION = "DescribeInstances"
PARAMS = {"Limit": 20, "Offset": 0, "Filters": [{"Name": "instance-name", "Values": ["未命名"]}]}
CREDS = Credentials("AKIDbench000000000000000000000000", "bench-secret-key-000000000000")
ANSWER = json.dumps(
    {"Response": {"TotalCount": 0, "InstanceSet": [], "RequestId": "bench-request-id"}}
).encode()

SERVER = r"""
import socket, sys, uvicorn
ANSWER = sys.argv[1].encode()
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": ANSWER})
sock = socket.socket()
# accepted sockets inherit TCP_NODELAY from the listener; without it Nagle + delayed ACK
# add ~40 ms to responses and the benchmark would measure TCP timers, not the client
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off")).run(sockets=[sock])
"""


async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The same app as SERVER, for the in-process case."""
    while (await receive()).get("more_body"):
        pass
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": ANSWER})


class Figures(NamedTuple):
    """Seconds per call: median of the round means, and the best (least disturbed) round."""

    client: float
    raw: float
    client_best: float
    raw_best: float


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, ANSWER.decode()], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):  # wait until it accepts connections
        try:
            httpx.post(base + "/", content=b"{}")
            return proc, base
        except httpx.TransportError:
            time.sleep(0.02)
    proc.kill()
    raise SystemExit("the benchmark server did not start")


def presigned(base: str) -> tuple[bytes, dict[str, str]]:
    """Body and headers for the raw POST, signed once up front (the baseline's floor)."""
    body = json.dumps(PARAMS, ensure_ascii=False, separators=(",", ":")).encode()
    request = httpx.Request(
        "POST",
        base + "/",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-TC-Action": ACTION,
            "X-TC-Version": "2020-03-24",
            "X-TC-Region": "ap-guangzhou",
        },
    )
    signed = next(TC3Auth(CREDS).auth_flow(request))
    return body, {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}


async def paired(
    first: Callable[[], Awaitable[Any]], second: Callable[[], Awaitable[Any]], calls: int
) -> tuple[float, float]:
    """Mean per-call time of each, calls interleaved one by one, the order alternating,
    so noise from the machine (a busy neighbour, frequency changes) hits both alike."""
    totals = [0.0, 0.0]
    fns = (first, second)
    for i in range(calls):
        for k in (0, 1) if i % 2 == 0 else (1, 0):
            start = time.perf_counter()
            await fns[k]()
            totals[k] += time.perf_counter() - start
    return totals[0] / calls, totals[1] / calls


async def measure(
    base: str, transport: httpx.AsyncBaseTransport | None, calls: int, rounds: int
) -> Figures:
    body, headers = presigned(base)
    raw_http = httpx.AsyncClient(transport=transport)
    client = LighthouseClient(
        credentials=CREDS,
        endpoint=base,
        region="ap-guangzhou",
        transport=transport,
        env={},
        rate_limiter=RateLimiter(lambda _: 1e9),
    )

    async def raw() -> None:
        response = await raw_http.post(base + "/", content=body, headers=headers)
        response.json()["Response"]

    async def ours() -> None:
        await client.call(ACTION, PARAMS)

    async with raw_http, client:
        await paired(ours, raw, 50)  # warm both pools and caches
        client_times, raw_times = [], []
        for _ in range(rounds):
            ours_t, raw_t = await paired(ours, raw, calls)
            client_times.append(ours_t)
            raw_times.append(raw_t)
    return Figures(
        statistics.median(client_times),
        statistics.median(raw_times),
        min(client_times),
        min(raw_times),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    proc, base = start_server()
    try:
        loopback = anyio.run(measure, base, None, args.calls, args.rounds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    asgi = httpx.ASGITransport(app=asgi_app)
    in_process = anyio.run(measure, "http://bench.local", asgi, args.calls, args.rounds)
    print(
        f"LighthouseClient.call vs raw pre-signed httpx POST ({ACTION}, "
        f"{args.rounds} rounds x {args.calls} interleaved calls)"
    )
    print(
        f"{'server':<26} {'client µs':>10} {'raw µs':>9} {'ratio':>6}   "
        f"{'best client':>11} {'best raw':>9} {'ratio':>6}  target"
    )
    rows = [
        ("loopback uvicorn (target)", loopback, f"<= {TARGET}x"),
        ("in-process ASGI (info)", in_process, "-"),
    ]
    for label, f, target in rows:
        print(
            f"{label:<26} {f.client * 1e6:>10.1f} {f.raw * 1e6:>9.1f} {f.client / f.raw:>5.2f}x"
            f"   {f.client_best * 1e6:>11.1f} {f.raw_best * 1e6:>9.1f} "
            f"{f.client_best / f.raw_best:>5.2f}x  {target}"
        )
    print("(median of round means; 'best' = the least disturbed round)")
    print(
        f"client overhead per call (best rounds): "
        f"{(in_process.client_best - in_process.raw_best) * 1e6:.1f} µs in process"
    )
    return 0 if loopback.client / loopback.raw <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
