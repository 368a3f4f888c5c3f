"""Fault rules and the rate limiter, without HTTP."""

from __future__ import annotations

import pytest

from lighthouse_mcp.sandbox.engine.faults import Fault, Faults, RateLimiter


def test_latency_adds_up_and_first_terminal_rule_wins() -> None:
    faults = Faults()
    faults.add("latency", seconds=0.5)
    faults.add("latency", "A", seconds=0.25, count=1)
    faults.add("throttle", "A", count=1)
    faults.add("internal_error")
    first = faults.decide("A")
    assert first.delay == 0.75 and first.fault is not None and first.fault.kind == "throttle"
    second = faults.decide("A")
    assert second.delay == 0.5 and second.fault is not None
    assert second.fault.kind == "internal_error"
    assert [r.kind for r in faults.rules] == ["latency", "internal_error"]  # used-up removed
    other = faults.decide("B")
    assert other.fault is not None and other.fault.kind == "internal_error"


def test_count_zero_never_fires_and_clear_empties() -> None:
    faults = Faults()
    faults.add("drop", count=0)
    assert faults.decide("A").fault is None
    faults.add("drop")
    faults.clear()
    assert faults.decide("A").fault is None and faults.to_json() == []


def test_rate_limiter_window_is_per_account_region_action() -> None:
    now = [100.0]
    limiter = RateLimiter(lambda action: {"A": 2}.get(action), lambda: now[0])
    assert limiter.allow("k", "r", "A")  # disabled: always allowed
    limiter.enabled = True
    limiter.reset()
    assert limiter.allow("k", "r", "A") and limiter.allow("k", "r", "A")
    assert not limiter.allow("k", "r", "A")
    assert limiter.allow("k", "other-region", "A") and limiter.allow("k2", "r", "A")
    assert limiter.allow("k", "r", "B")  # no documented limit
    now[0] += 0.999
    assert not limiter.allow("k", "r", "A")
    now[0] += 0.002
    assert limiter.allow("k", "r", "A")


def test_command_line_fault_specs() -> None:
    fault = Fault.parse("throttle,action=DescribeInstances,count=3")
    assert (fault.kind, fault.action, fault.count) == ("throttle", "DescribeInstances", 3)
    assert Fault.parse("drop,after").after is True
    assert Fault.parse("latency,seconds=0.5").seconds == 0.5
    assert Fault.parse("http_error,status=502").status == 502
    for bad in ("explode", "drop,count=x", "drop,colour=red", "throttle,after"):
        with pytest.raises(ValueError):
            Fault.parse(bad)
