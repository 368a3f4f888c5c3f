"""The wait loop: reaches targets, reports failures with reasons, times out, reports progress."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from lighthouse_mcp.tools.waits import WaitError, wait_for

pytestmark = pytest.mark.anyio


class FakeWorld:
    """Instances whose state advances one step per Describe call; a fake clock."""

    def __init__(self, timeline: dict[str, list[dict[str, Any]]]) -> None:
        self.timeline = timeline
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((action, dict(params)))
        out = []
        for rid in params["InstanceIds"]:
            steps = self.timeline.get(rid)
            if steps:
                out.append({"InstanceId": rid, **(steps.pop(0) if len(steps) > 1 else steps[0])})
        return {"InstanceSet": out, "TotalCount": len(out)}


async def test_reaches_target_state_with_progress() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "STARTING"}, {"InstanceState": "STARTING"},
                                   {"InstanceState": "RUNNING"}]})
    progress: list[tuple[float, float, str]] = []

    async def on_progress(done: float, total: float, message: str) -> None:
        progress.append((done, total, message))

    result = await wait_for(world.call, "instance", ["lhins-1"], target_state="RUNNING",
                            progress=on_progress, clock=world.clock, sleep=world.sleep)
    assert result["Done"] is True
    assert result["Resources"] == [{"Id": "lhins-1", "State": "RUNNING", "Status": "reached"}]
    assert [p[0] for p in progress] == [0.0, 0.0, 1.0]
    assert world.calls[0] == ("DescribeInstances", {"InstanceIds": ["lhins-1"], "Limit": 1})


async def test_operation_failed_is_reported_with_reason() -> None:
    op = {"LatestOperation": "StopInstances", "LatestOperationRequestId": "req-1"}
    world = FakeWorld({"lhins-1": [
        {"InstanceState": "RUNNING", "LatestOperationState": "SUCCESS",
         "LatestOperation": "StartInstances", "LatestOperationRequestId": "req-0"},
        {"InstanceState": "STOPPING", "LatestOperationState": "OPERATING", **op},
        {"InstanceState": "RUNNING", "LatestOperationState": "FAILED", **op},
    ]})
    result = await wait_for(world.call, "instance", ["lhins-1"], operation_request_id="req-1",
                            clock=world.clock, sleep=world.sleep)
    (only,) = result["Resources"]
    assert result["Done"] is False and only["Status"] == "failed"
    assert "StopInstances FAILED" in only["Reason"]


async def test_timeout_names_what_did_not_make_it() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "RUNNING"}],
                       "lhins-2": [{"InstanceState": "STOPPING"}]})
    result = await wait_for(world.call, "instance", ["lhins-1", "lhins-2"],
                            target_state="RUNNING", timeout=5, clock=world.clock,
                            sleep=world.sleep)
    statuses = {r["Id"]: r["Status"] for r in result["Resources"]}
    assert statuses == {"lhins-1": "reached", "lhins-2": "timeout"}
    assert world.now <= 5.0 + 1e-9
    # settled resources are not polled again
    assert all(params["InstanceIds"] == ["lhins-2"] for _, params in world.calls[1:])


async def test_gone_target_and_not_found_errors() -> None:
    class NotFound(Exception):
        code = "ResourceNotFound.InstanceIdNotFound"

    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        raise NotFound()

    result = await wait_for(call, "instance", ["lhins-1"], target_state="GONE",
                            clock=lambda: 0.0)
    assert result["Resources"][0]["Status"] == "reached"


async def test_failure_state_stops_waiting() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "LAUNCH_FAILED"}]})
    result = await wait_for(world.call, "instance", ["lhins-1"], target_state="RUNNING",
                            clock=world.clock, sleep=world.sleep)
    assert result["Resources"][0]["Status"] == "failed"
    assert len(world.calls) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "volcano", "ids": ["x"], "target_state": "RUNNING"}, "resource"),
        ({"kind": "instance", "ids": [], "target_state": "RUNNING"}, "ids"),
        ({"kind": "instance", "ids": ["x"]}, "target_state"),
        ({"kind": "instance", "ids": ["x"], "target_state": "BLUE"}, "target_state"),
        ({"kind": "docker_activity", "ids": ["lhda-1"], "target_state": "SUCCESS"}, "InstanceId"),
        ({"kind": "blueprint", "ids": ["lhbp-1"], "operation_request_id": "r"},
         "operation_request_id"),
    ],
)
async def test_bad_requests_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        raise AssertionError("nothing may be sent for a bad wait request")

    kind = kwargs.pop("kind")
    ids = kwargs.pop("ids")
    with pytest.raises(WaitError, match=field):
        await wait_for(call, kind, ids, **kwargs)
