"""Several server processes (replicas) over streamable HTTP on loopback, against one
rate-enforcing sandbox process, with and without one real redis-server as their store.

Checked: K replicas sharing the store keep the account's documented rate together (the
sandbox refuses none, or at most the rare jitter the one-process load test allows),
where the same replicas each on its own store are refused; a replica refuses to start
when the store does not answer; Redis stopped mid-run leaves reads working (a local
limiter and a warning) and nothing is sent twice.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import httpx2
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from lighthouse_mcp.client.catalog_facts import rate_limit
from tests.e2e.proof.processes import MCP_TOKEN, http_server_process, sandbox_process
from tests.e2e.proof.test_load import worst_window
from tests.e2e.server.test_http_transports import ACCEPT, INIT
from tests.support.redis_server import RedisServer, redis_server

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

REPLICAS = 2
SESSIONS_PER_REPLICA = 2
CALLS = 10
#: Documented at 10 a second: 40 calls take about 3 s when the replicas share the rate.
ACTION = "DescribeBlueprints"


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


async def _session(url: str, n: int, failures: list[str], calls: int = CALLS) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {MCP_TOKEN}"}, timeout=60)
    info = types.Implementation(name=f"replica-load-{n}", version="1")
    async with Client(streamable_http_client(url, http_client=http), client_info=info) as c:
        for _ in range(calls):
            result = await c.call_tool(ACTION, {})
            if result.is_error:
                failures.append(str(result.content[0]))


async def _load(
    urls: list[str], sessions: int = SESSIONS_PER_REPLICA, calls: int = CALLS
) -> list[str]:
    failures: list[str] = []
    with anyio.fail_after(120):
        async with anyio.create_task_group() as tg:
            for i, url in enumerate(urls):
                for s in range(sessions):
                    tg.start_soon(_session, url, i * 10 + s, failures, calls)
    return failures


@dataclass
class Deployment:
    redis: RedisServer
    requests: Callable[[], list[dict[str, Any]]]
    alone: list[str]  # replica URLs, each with its own memory:// store
    shared: list[str]  # replica URLs sharing the redis store


@pytest.fixture(scope="module")
def deployment(redis: RedisServer) -> Iterator[Deployment]:
    """One sandbox, and 2 x REPLICAS server processes started at once (on two cores,
    one at a time would take 6 s each)."""
    with sandbox_process() as (api, requests), ExitStack() as stack:
        managers = [http_server_process(api) for _ in range(REPLICAS)]
        managers += [http_server_process(api, "--store", redis.url) for _ in range(REPLICAS)]
        with ThreadPoolExecutor(len(managers)) as pool:
            entered = list(pool.map(lambda m: m.__enter__(), managers))
        for manager in managers:
            stack.push(manager.__exit__)
        urls = [url for url, _pid in entered]
        yield Deployment(redis, requests, urls[:REPLICAS], urls[REPLICAS:])


def _run(deployment: Deployment, urls: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    before = len(deployment.requests())
    failures = anyio.run(_load, urls)
    time.sleep(1.1)  # the next run starts with an empty rate window
    return failures, [r for r in deployment.requests()[before:] if r["action"] == ACTION]


def _refused(requests: list[dict[str, Any]]) -> int:
    return sum(r["error_code"] == "RequestLimitExceeded" for r in requests)


def test_replicas_sharing_the_store_keep_the_rate_together(deployment: Deployment) -> None:
    alone_failures, alone = _run(deployment, deployment.alone)
    shared_failures, shared = _run(deployment, deployment.shared)
    calls = REPLICAS * SESSIONS_PER_REPLICA * CALLS
    # Each replica alone keeps the rate, so together they send twice as much: refused.
    assert _refused(alone) >= 5, _refused(alone)
    # Sharing the store: the same load, the documented rate in every one-second window.
    assert _refused(shared) <= max(1, calls // 50), _refused(shared)
    assert shared_failures == [], shared_failures
    documented = int(rate_limit(ACTION) or 0)
    assert worst_window([r for r in shared if not r["error_code"]])[ACTION] <= documented
    del alone_failures  # retries may or may not absorb the refusals; what counts is above


def test_a_replica_refuses_to_start_when_the_store_does_not_answer() -> None:
    with redis_server() as server:
        url = server.url
    serve = ["--transport", "streamable-http", "--auth-token", MCP_TOKEN, "--port", "0"]
    done = subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", *serve, "--store", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "error: the store redis://127.0.0.1:" in done.stderr
    assert "does not answer" in done.stderr


def test_a_session_belongs_to_the_replica_that_created_it(deployment: Deployment) -> None:
    """The stated routing rule (README, Shared-service mode): sessions are sticky by
    Mcp-Session-Id. Another replica does not know the session (404), so a client sent
    elsewhere re-initializes; resuming with Last-Event-ID works only where it began."""
    auth = ACCEPT | {"Authorization": f"Bearer {MCP_TOKEN}"}
    first, other = deployment.shared[0], deployment.shared[1]
    session = httpx.post(first, json=INIT, headers=auth, timeout=30).headers["mcp-session-id"]
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    headers = auth | {"mcp-session-id": session, "mcp-protocol-version": "2025-06-18"}
    assert httpx.post(first, json=ping, headers=headers, timeout=30).status_code == 200
    assert httpx.post(other, json=ping, headers=headers, timeout=30).status_code == 404


def test_redis_lost_mid_run_reads_keep_working_nothing_sent_twice(deployment: Deployment) -> None:
    """Last in this module: it stops the shared Redis. Each replica falls back to its own
    limiter (a warning in its log), so reads still succeed; every call was answered once.
    The load is what each replica's own window carries without the other's share (one
    session of 4 calls each): past it, replicas without their shared window together
    exceed the rate, as the README says, and reads are refused after their retries."""
    deployment.redis.stop()
    before = len(deployment.requests())
    failures = anyio.run(_load, deployment.shared, 1, 4)
    assert failures == [], failures
    sent = [r for r in deployment.requests()[before:] if r["action"] == ACTION]
    answered = [r for r in sent if not r["error_code"]]
    assert len(answered) == REPLICAS * 4
