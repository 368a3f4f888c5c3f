"""The in-process way into the sandbox (``Sandbox.exchange`` behind
``LighthouseClient(direct=...)``, what ``--sandbox`` servers use) answers exactly as the
signed HTTP way does: same Response, same errors, same faults, same request log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lighthouse_mcp.client import (
    APIError,
    AuthError,
    BadResponseError,
    Credentials,
    LighthouseClient,
    LighthouseError,
    NetworkError,
)
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.sandbox.engine.faults import FaultKind
from lighthouse_mcp.server.api_client import sandbox_client

pytestmark = pytest.mark.anyio


async def _no_sleep(seconds: float) -> None:
    return None


def _client(
    sb: Sandbox, *, direct: bool, credentials: Credentials | None = None
) -> LighthouseClient:
    how: dict[str, Any] = {"direct": sb.exchange()} if direct else {"transport": sb.transport()}
    return LighthouseClient(
        credentials=credentials or Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY),
        region="ap-guangzhou",
        endpoint="http://sandbox.invalid",
        rate_limits=False,
        sleep=_no_sleep,
        env={},
        **how,
    )


@pytest.fixture
async def both() -> AsyncIterator[tuple[Sandbox, LighthouseClient, LighthouseClient]]:
    sb = Sandbox(delay=0)
    async with _client(sb, direct=True) as direct, _client(sb, direct=False) as http:
        yield sb, direct, http


def _without_ids(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "RequestId"}


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("DescribeInstances", {"Limit": 20}),
        ("DescribeBundles", {}),
        ("DescribeFirewallRules", None),  # filled in from the first instance
        ("DescribeRegions", {}),
    ],
)
async def test_direct_answers_like_http(
    both: tuple[Sandbox, LighthouseClient, LighthouseClient],
    action: str,
    params: dict[str, Any] | None,
) -> None:
    sb, direct, http = both
    if params is None:
        first = (await http.call("DescribeInstances", {"Limit": 1}))["InstanceSet"][0]
        params = {"InstanceId": first["InstanceId"]}
    via_direct = await direct.call(action, params)
    via_http = await http.call(action, params)
    assert via_direct["RequestId"] and via_direct["RequestId"] != via_http["RequestId"]
    assert _without_ids(via_direct) == _without_ids(via_http)
    assert sb.requests[-2].action == action and sb.requests[-2].secret_id == DEFAULT_SECRET_ID
    assert sb.requests[-2].ok


async def test_direct_answer_is_a_copy(
    both: tuple[Sandbox, LighthouseClient, LighthouseClient],
) -> None:
    _, direct, _ = both
    first = await direct.call("DescribeInstances", {"Limit": 20})
    first["InstanceSet"][0]["InstanceName"] = "changed by the caller"
    first["InstanceSet"].clear()
    again = await direct.call("DescribeInstances", {"Limit": 20})
    assert again["InstanceSet"] and again["InstanceSet"][0]["InstanceName"] != (
        "changed by the caller"
    )


async def test_direct_errors_match_http(
    both: tuple[Sandbox, LighthouseClient, LighthouseClient],
) -> None:
    _, direct, http = both
    failures: list[tuple[str, str]] = []
    for client in (direct, http):
        with pytest.raises(APIError) as caught:
            await client.call("DescribeInstances", {"Limit": 1000})
        failures.append((type(caught.value).__name__, caught.value.code))
    assert failures[0] == failures[1] and failures[0][1].startswith("InvalidParameter")


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        (Credentials("AKIDunknown000000000000000000000000", "x"), "AuthFailure.SecretIdNotFound"),
        (Credentials(DEFAULT_SECRET_ID, "not-the-key"), "AuthFailure.SignatureFailure"),
        (Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, "tok"), "AuthFailure.TokenFailure"),
    ],
)
async def test_direct_checks_the_key(credentials: Credentials, code: str) -> None:
    sb = Sandbox(delay=0)
    async with _client(sb, direct=True, credentials=credentials) as client:
        with pytest.raises(AuthError) as caught:
            await client.call("DescribeInstances", {})
    assert caught.value.code == code
    assert DEFAULT_SECRET_KEY not in str(caught.value) and "not-the-key" not in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("http_error", 502, BadResponseError),
        ("malformed", 503, BadResponseError),
        ("drop", 503, NetworkError),
        ("throttle", 503, LighthouseError),
        ("internal_error", 503, LighthouseError),
    ],
)
async def test_direct_faults_match_http(
    kind: FaultKind, status: int, error: type[Exception]
) -> None:
    outcomes: list[tuple[str, object, int]] = []
    for direct in (True, False):
        sb = Sandbox(delay=0)
        sb.faults.add(kind, "StartInstances", count=1, status=status)
        async with _client(sb, direct=direct) as client:
            with pytest.raises(error) as caught:
                # a write without an idempotency token: what is not repeatable is not
                # retried, so the fault is what the caller sees
                await client.call("StartInstances", {"InstanceIds": ["lhins-00000000"]})
        assert isinstance(caught.value, LighthouseError)
        outcomes.append(
            (type(caught.value).__name__, getattr(caught.value, "code", ""), len(sb.requests))
        )
        assert sb.requests[0].fault == kind
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("enforce", [False, True])
async def test_sandbox_client_paces_only_when_the_sandbox_enforces_rates(enforce: bool) -> None:
    now = [1_700_000_000.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    sb = Sandbox(delay=0, enforce_rate_limits=enforce, clock=lambda: now[0])
    async with sandbox_client(sb, sleep=sleep, monotonic=lambda: now[0]) as client:
        for _ in range(25):  # DescribeZones: 20 a second documented
            await client.call("DescribeZones", {})
    assert bool(slept) is enforce
    assert all(r.ok for r in sb.requests)


def test_request_log_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="request_log_size"):
        Sandbox(request_log_size=0)


async def test_request_log_is_bounded() -> None:
    sb = Sandbox(delay=0, request_log_size=3)
    async with _client(sb, direct=True) as client:
        for _ in range(5):
            await client.call("DescribeZones", {})
        ids = [await client.call("DescribeRegions", {}) for _ in range(2)]
    assert len(sb.requests) == 3
    assert [r.action for r in sb.requests] == [
        "DescribeZones",
        "DescribeRegions",
        "DescribeRegions",
    ]
    assert [r.request_id for r in sb.requests[1:]] == [i["RequestId"] for i in ids]
