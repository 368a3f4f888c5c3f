"""The client against an endpoint that verifies signatures independently: in-process
(httpx.ASGITransport) and over real loopback TCP (uvicorn), incl. 1,000 concurrent calls
on one pool, and the rate limiter observed from the server side with a fake clock."""

from __future__ import annotations

import contextvars
import json
from typing import Any

import anyio
import httpx
import pytest

from lighthouse_mcp.catalog import action as catalog_action
from lighthouse_mcp.client import AuthError, Credentials, LighthouseClient
from lighthouse_mcp.client.ratelimit import RateLimiter
from lighthouse_mcp.client.signing import TC3Auth

from .conftest import SECRET_ID, SECRET_KEY, VerifyingAPI, independent_signature


def in_process(api: VerifyingAPI, creds: Credentials, **kwargs: Any) -> LighthouseClient:
    return LighthouseClient(
        credentials=creds,
        endpoint="http://lighthouse.test",
        transport=httpx.ASGITransport(app=api),
        env={},
        **kwargs,
    )


@pytest.mark.anyio
async def test_signed_calls_verify_including_non_ascii(api: VerifyingAPI) -> None:
    params = {"InstanceName": "未命名 ✓", "Filters": [{"Name": "instance-name", "Values": ["é"]}]}
    async with in_process(api, Credentials(SECRET_ID, SECRET_KEY), region="ap-guangzhou") as c:
        result = await c.call("DescribeInstances", params)
    assert result["Echo"] == params and result["Action"] == "DescribeInstances"
    assert [s.ok for s in api.seen] == [True]
    assert api.seen[0].region == "ap-guangzhou"


@pytest.mark.anyio
async def test_temporary_credentials_send_their_token(api: VerifyingAPI) -> None:
    good = Credentials("AKIDtemp0000000000000", "temp-key", "temp-token")
    bad = Credentials("AKIDtemp0000000000000", "temp-key", "other-token")
    async with in_process(api, good) as c:
        await c.call("DescribeRegions", {})
    async with in_process(api, bad) as c:
        with pytest.raises(AuthError, match=r"AuthFailure\.TokenFailure"):
            await c.call("DescribeRegions", {})


@pytest.mark.anyio
async def test_wrong_key_is_an_auth_error_not_retried(api: VerifyingAPI) -> None:
    async with in_process(api, Credentials(SECRET_ID, "not-the-key")) as c:
        with pytest.raises(AuthError) as info:
            await c.call("DescribeInstances", {})
    assert info.value.code == "AuthFailure.SignatureFailure"
    assert info.value.request_id and len(api.seen) == 1
    assert "not-the-key" not in str(info.value)


def test_the_verifier_rejects_a_tampered_body(api: VerifyingAPI) -> None:
    """The independent verifier can fail: sign one body, send another."""
    request = httpx.Request(
        "POST",
        "http://h/",
        content=b'{"Limit":1}',
        headers={"Content-Type": "application/json", "X-TC-Action": "DescribeInstances"},
    )
    signed = next(TC3Auth(Credentials(SECRET_ID, SECRET_KEY)).auth_flow(request))
    headers = {k.lower(): v for k, v in signed.headers.items()}
    assert api.verify(headers, b'{"Limit":1}') is None
    assert api.verify(headers, b'{"Limit":2}') == (
        "AuthFailure.SignatureFailure",
        "signature mismatch",
    )
    wrong_action = {**headers, "x-tc-action": "TerminateInstances"}
    assert api.verify(wrong_action, b'{"Limit":1}') is not None
    parts = headers["authorization"]
    sig = parts.rsplit("=", 1)[1]
    assert sig == independent_signature(
        SECRET_KEY,
        parts.split("/")[1],
        "lighthouse",
        headers["x-tc-timestamp"],
        ["content-type", "host", "x-tc-action"],
        headers,
        b'{"Limit":1}',
    )


@pytest.mark.anyio
async def test_over_loopback_tcp_with_port_in_host(api: VerifyingAPI, live_server: str) -> None:
    async with LighthouseClient(
        credentials=Credentials(SECRET_ID, SECRET_KEY), endpoint=live_server, env={}
    ) as c:
        result = await c.call("DescribeBundles", {"Limit": 3})
    assert result["Echo"] == {"Limit": 3}
    assert api.seen[0].headers["host"] == live_server.removeprefix("http://")


@pytest.mark.anyio
@pytest.mark.slow
async def test_a_thousand_concurrent_calls_share_one_pool(
    api: VerifyingAPI, live_server: str
) -> None:
    # keep-alive expiry well above the test's length: a connection idle for the default
    # 5 s on a loaded machine would be closed and replaced, which is correct but not
    # what this test counts
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=10, keepalive_expiry=60)
    results: list[dict[str, Any]] = []
    retries: list[float] = []

    async def counting_sleep(seconds: float) -> None:
        retries.append(seconds)
        await anyio.sleep(seconds)

    async with LighthouseClient(
        credentials=Credentials(SECRET_ID, SECRET_KEY),
        endpoint=live_server,
        env={},
        limits=limits,
        rate_limits=False,
        sleep=counting_sleep,
    ) as c:

        async def one(i: int) -> None:
            results.append(await c.call("DescribeInstances", {"Offset": i}))

        async with anyio.create_task_group() as tg:
            for i in range(1000):
                tg.start_soon(one, i)
    assert len(results) == 1000
    assert sorted(r["Echo"]["Offset"] for r in results) == list(range(1000))
    assert len({r["RequestId"] for r in results}) == 1000
    assert all(s.ok for s in api.seen) and len(api.seen) == 1000
    ports = {s.client for s in api.seen}
    assert retries == []  # no call needed a retry: no error was hidden
    assert 1 <= len(ports) <= 10  # connections reused from one bounded pool


_virtual_start: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "vstart", default=None
)


@pytest.mark.anyio
@pytest.mark.parametrize("action", ["StopInstances", "DescribeInstances", "CreateFirewallRules"])
async def test_limiter_never_exceeds_the_documented_rate_seen_by_the_server(
    api: VerifyingAPI, action: str
) -> None:
    """Virtual time: the fake sleep records when the request would start; the server
    reads that start time, so the rate is measured where it matters, without wall time."""
    now = [1000.0]

    async def fake_sleep(seconds: float) -> None:
        _virtual_start.set(now[0] + seconds)

    starts: list[float] = []

    def record(_: Any) -> None:
        start = _virtual_start.get()
        starts.append(now[0] if start is None else start)

    api.on_request = record
    rate = catalog_action(action)["rate_limit"]
    assert rate
    limiter = RateLimiter(clock=lambda: now[0], sleep=fake_sleep)
    async with in_process(
        api, Credentials(SECRET_ID, SECRET_KEY), rate_limiter=limiter, region="ap-guangzhou"
    ) as c:
        for burst in range(3):  # three bursts of 2.5x the rate, 0.4 s apart
            now[0] = 1000.0 + 0.4 * burst
            async with anyio.create_task_group() as tg:
                for _ in range(int(rate * 2.5)):
                    tg.start_soon(c.call, action, {})
    assert len(starts) == 3 * int(rate * 2.5)
    starts.sort()
    worst = max(sum(1 for s in starts if t <= s < t + 1.0 - 1e-9) for t in starts)
    assert worst == rate  # full use of the rate, never more
    assert starts[-1] - starts[0] >= (len(starts) / rate) - 1 - 1e-9  # spread, not dropped


def test_body_is_compact_json(api: VerifyingAPI) -> None:
    body = json.dumps({"a": 1}, separators=(",", ":"))
    assert body == '{"a":1}'
