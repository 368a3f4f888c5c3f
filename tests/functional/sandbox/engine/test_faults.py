"""Injected faults and rate-limit enforcement, as a client sees them."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.sandbox.engine.faults import Fault

from ..conftest import Api, Clock

pytestmark = pytest.mark.anyio


async def test_throttle_burst_then_ok(api: Api) -> None:
    api.sandbox.faults.add("throttle", "DescribeZones", count=2)
    assert await api.error("DescribeZones") == "RequestLimitExceeded"
    assert await api.error("DescribeZones") == "RequestLimitExceeded"
    await api.ok("DescribeZones")
    assert api.sandbox.faults.rules == []  # used up
    assert [r.fault for r in api.sandbox.requests] == ["throttle", "throttle", None]


async def test_fault_for_one_action_leaves_others_alone(api: Api) -> None:
    api.sandbox.faults.add("internal_error", "DescribeZones")
    await api.ok("DescribeRegions", region=None)
    assert await api.error("DescribeZones") == "InternalError"
    assert await api.error("DescribeZones") == "InternalError"  # no count: until cleared
    api.sandbox.faults.clear()
    await api.ok("DescribeZones")


async def test_http_5xx(api: Api) -> None:
    api.sandbox.faults.add("http_error", status=502, count=1)
    resp = await api.raw("DescribeZones")
    assert resp.status_code == 502 and "Response" not in resp.text
    await api.ok("DescribeZones")


async def test_malformed_body(api: Api) -> None:
    api.sandbox.faults.add("malformed", count=1)
    resp = await api.raw("DescribeZones")
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.text)


async def test_dropped_connection_is_a_transport_error(api: Api) -> None:
    api.sandbox.faults.add("drop", "DescribeZones", count=1)
    with pytest.raises(httpx.TransportError):
        await api.raw("DescribeZones")
    await api.ok("DescribeZones")
    assert api.sandbox.requests[0].fault == "drop"  # it reached the sandbox


async def test_latency_delays_the_answer(api: Api) -> None:
    api.sandbox.faults.add("latency", seconds=0.2, count=1)
    start = time.monotonic()
    await api.ok("DescribeZones")
    assert time.monotonic() - start >= 0.19


def test_fault_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="kind"):
        Fault.from_json({"kind": "explode"})
    with pytest.raises(ValueError, match="status"):
        Fault.from_json({"kind": "http_error", "status": 404})
    with pytest.raises(ValueError, match="unknown"):
        Fault.from_json({"kind": "drop", "when": "always"})


async def test_documented_rate_limit_enforced_per_second(clock: Clock) -> None:
    sb = Sandbox(clock=clock, enforce_rate_limits=True)
    api = Api(sb, clock)
    for _ in range(10):  # DescribeRegions: 10 次/秒
        await api.ok("DescribeRegions", region=None)
    assert await api.error("DescribeRegions", region=None) == "RequestLimitExceeded"
    await api.ok("DescribeZones")  # another action has its own window
    clock.advance(1.0)
    await api.ok("DescribeRegions", region=None)
    await api.http.aclose()


async def test_rate_limits_off_by_default(api: Api) -> None:
    for _ in range(15):
        await api.ok("DescribeRegions", region=None)


async def test_drop_after_processing_keeps_the_change(api: Api) -> None:
    params = {
        "BundleId": "bundle2022_gen_02",
        "BlueprintId": "lhbp-5e8807lo",
        "InstanceChargePrepaid": {"Period": 1},
        "InstanceName": "lost-answer",
    }
    api.sandbox.faults.add("drop", "CreateInstances", count=1, after=True)
    with pytest.raises(httpx.TransportError):
        await api.raw("CreateInstances", params)
    record = api.sandbox.requests[-1]
    assert record.ok and record.fault == "drop"  # it ran; only the answer was lost
    data = await api.ok(
        "DescribeInstances", {"Filters": [{"Name": "instance-name", "Values": ["lost-answer"]}]}
    )
    assert data["TotalCount"] == 1


def test_after_is_only_for_answer_faults() -> None:
    with pytest.raises(ValueError, match="after"):
        Fault.from_json({"kind": "throttle", "after": True})
