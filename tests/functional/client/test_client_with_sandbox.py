"""The client against the project's sandbox (which verifies signatures with the same
steps from its own side): signed calls pass, a wrong key is an AuthError, and a fault
injected into a read is retried while a write is not."""

from __future__ import annotations

import contextvars
import time
from typing import Any

import anyio
import pytest

from lighthouse_mcp.client import (
    AuthError,
    BadResponseError,
    Credentials,
    DryRunOperation,
    LighthouseClient,
    NetworkError,
    ServerError,
    ThrottledError,
)
from lighthouse_mcp.client.ratelimit import RateLimiter
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox


async def _no_sleep(_: float) -> None:
    return None


def _client(sb: Sandbox, key: str = DEFAULT_SECRET_KEY, **options: Any) -> LighthouseClient:
    options.setdefault("sleep", _no_sleep)
    return LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, key),
        endpoint="http://sandbox.invalid",
        transport=sb.transport(),
        region="ap-guangzhou",
        env={},
        **options,
    )


@pytest.mark.anyio
async def test_signed_calls_are_accepted_and_a_wrong_key_is_refused() -> None:
    sb = Sandbox()
    async with _client(sb) as client:
        result = await client.call("DescribeInstances", {"Limit": 5})
    assert result["RequestId"] and "InstanceSet" in result
    async with _client(sb, key="wrong-key") as client:
        with pytest.raises(AuthError) as info:
            await client.call("DescribeInstances", {})
    assert info.value.code.startswith("AuthFailure")
    assert [r.ok for r in sb.requests] == [True, False]


@pytest.mark.anyio
async def test_create_instances_carries_a_client_token_to_the_sandbox() -> None:
    sb = Sandbox()
    async with _client(sb) as client:
        with pytest.raises(DryRunOperation):  # the API's answer to a dry run that would pass
            await client.call(
                "CreateInstances",
                {
                    "BundleId": "bundle_gen_mc_med2_02",
                    "BlueprintId": "lhbp-5e8807lo",
                    "InstanceChargePrepaid": {"Period": 1},
                    "DryRun": True,
                },
            )
    (request,) = sb.requests
    assert request.params is not None and len(request.params["ClientToken"]) == 36


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("internal_error", ServerError),
        ("http_error", BadResponseError),
        ("drop", NetworkError),
        ("throttle", ThrottledError),
        ("malformed", BadResponseError),
    ],
)
async def test_faults_retry_reads_but_never_resend_writes(
    kind: str, error: type[Exception]
) -> None:
    sb = Sandbox()
    sb.faults.add(kind, "DescribeInstances", count=2)  # type: ignore[arg-type]
    sb.faults.add(kind, "StopInstances", count=1)  # type: ignore[arg-type]
    async with _client(sb) as client:
        assert "InstanceSet" in await client.call("DescribeInstances", {})
        stop = client.call("StopInstances", {"InstanceIds": ["lhins-00000000"]})
        with pytest.raises(error):  # RequestLimitExceeded included: a write is not re-sent
            await stop
    actions = [r.action for r in sb.requests]
    assert actions == ["DescribeInstances"] * 3 + ["StopInstances"]


_virtual_now: contextvars.ContextVar[float | None] = contextvars.ContextVar("vnow", default=None)


@pytest.mark.anyio
@pytest.mark.parametrize("limited", [True, False])
async def test_limiter_keeps_a_burst_under_the_sandbox_enforced_rate(limited: bool) -> None:
    """The sandbox enforces the documented rates; the client's limiter smooths a burst of
    3x the rate so none is refused. Virtual time: the fake sleep sets, for its task, the
    moment the request starts, and the sandbox's clock reads it (no wall time)."""
    base = float(int(time.time()))  # the sandbox also checks signature timestamps

    async def fake_sleep(seconds: float) -> None:
        _virtual_now.set((_virtual_now.get() or base) + seconds)

    def clock() -> float:
        return _virtual_now.get() or base

    sb = Sandbox(clock=clock, enforce_rate_limits=True)
    action = "DescribeBundles"
    rate = RateLimiter().rate(action)
    client = _client(
        sb,
        clock=clock,
        sleep=fake_sleep,
        rate_limits=limited,
        max_attempts=1,
        rate_limiter=RateLimiter(clock=lambda: base, sleep=fake_sleep),
    )
    refused: list[Exception] = []

    async def one() -> None:
        try:
            await client.call(action, {})
        except ThrottledError as exc:
            refused.append(exc)

    async with client, anyio.create_task_group() as tg:
        for _ in range(rate * 3):
            tg.start_soon(one)
    if limited:
        assert refused == [] and len(sb.requests) == rate * 3
    else:
        assert len(refused) == rate * 2  # without the limiter the sandbox refuses the surplus
