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
    world = FakeWorld(
        {
            "lhins-1": [
                {"InstanceState": "STARTING"},
                {"InstanceState": "STARTING"},
                {"InstanceState": "RUNNING"},
            ]
        }
    )
    progress: list[tuple[float, float, str]] = []

    async def on_progress(done: float, total: float, message: str) -> None:
        progress.append((done, total, message))

    result = await wait_for(
        world.call,
        "instance",
        ["lhins-1"],
        target_state="RUNNING",
        progress=on_progress,
        clock=world.clock,
        sleep=world.sleep,
    )
    assert result["Done"] is True
    assert result["Resources"] == [{"Id": "lhins-1", "State": "RUNNING", "Status": "reached"}]
    assert [p[0] for p in progress] == [0.0, 0.0, 1.0]
    assert world.calls[0] == ("DescribeInstances", {"InstanceIds": ["lhins-1"], "Limit": 1})


async def test_operation_failed_is_reported_with_reason() -> None:
    op = {"LatestOperation": "StopInstances", "LatestOperationRequestId": "req-1"}
    world = FakeWorld(
        {
            "lhins-1": [
                {
                    "InstanceState": "RUNNING",
                    "LatestOperationState": "SUCCESS",
                    "LatestOperation": "StartInstances",
                    "LatestOperationRequestId": "req-0",
                },
                {"InstanceState": "STOPPING", "LatestOperationState": "OPERATING", **op},
                {"InstanceState": "RUNNING", "LatestOperationState": "FAILED", **op},
            ]
        }
    )
    result = await wait_for(
        world.call,
        "instance",
        ["lhins-1"],
        operation_request_id="req-1",
        clock=world.clock,
        sleep=world.sleep,
    )
    (only,) = result["Resources"]
    assert result["Done"] is False and only["Status"] == "failed"
    assert "StopInstances FAILED" in only["Reason"]


async def test_timeout_names_what_did_not_make_it() -> None:
    world = FakeWorld(
        {"lhins-1": [{"InstanceState": "RUNNING"}], "lhins-2": [{"InstanceState": "STOPPING"}]}
    )
    result = await wait_for(
        world.call,
        "instance",
        ["lhins-1", "lhins-2"],
        target_state="RUNNING",
        timeout=5,
        clock=world.clock,
        sleep=world.sleep,
    )
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

    result = await wait_for(call, "instance", ["lhins-1"], target_state="GONE", clock=lambda: 0.0)
    assert result["Resources"][0]["Status"] == "reached"


async def test_failure_state_stops_waiting() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "LAUNCH_FAILED"}]})
    result = await wait_for(
        world.call,
        "instance",
        ["lhins-1"],
        target_state="RUNNING",
        clock=world.clock,
        sleep=world.sleep,
    )
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
        (
            {"kind": "blueprint", "ids": ["lhbp-1"], "operation_request_id": "r"},
            "operation_request_id",
        ),
    ],
)
async def test_bad_requests_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        raise AssertionError("nothing may be sent for a bad wait request")

    kind = kwargs.pop("kind")
    ids = kwargs.pop("ids")
    with pytest.raises(WaitError, match=field):
        await wait_for(call, kind, ids, **kwargs)


def test_states_come_from_the_documented_enums() -> None:
    from lighthouse_mcp.tools.resource_kinds import GONE
    from lighthouse_mcp.tools.waits import KINDS

    assert "RESCUE_MODE" in KINDS["instance"].states  # documented, easy to forget by hand
    assert KINDS["instance"].states[-1] == GONE
    assert KINDS["snapshot"].states == ("NORMAL", "CREATING", "ROLLBACKING", GONE)
    assert KINDS["disk"].has_latest_operation and not KINDS["blueprint"].has_latest_operation
    assert KINDS["instance"].max_ids == 100


async def test_a_new_resource_not_listed_yet_is_waited_for_then_reported() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "PENDING"}]})
    world.timeline["lhins-1"] = []  # not listed at all
    result = await wait_for(
        world.call,
        "instance",
        ["lhins-1"],
        target_state="RUNNING",
        timeout=60,
        clock=world.clock,
        sleep=world.sleep,
    )
    (only,) = result["Resources"]
    assert only["Status"] == "failed" and "no instance with this ID" in only["Reason"]
    assert 15 <= world.now < 60  # the grace period, not the whole timeout


async def test_a_resource_that_vanishes_is_failed_unless_gone_was_the_target() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "STOPPING"}]})

    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        response = await world.call(action, params)
        world.timeline["lhins-1"] = []  # listed once, then gone
        return response

    result = await wait_for(
        call, "instance", ["lhins-1"], target_state="STOPPED", clock=world.clock, sleep=world.sleep
    )
    assert result["Resources"][0]["Reason"] == "the instance no longer exists"


async def test_failed_docker_activity_quotes_its_output() -> None:
    import base64

    output = base64.b64encode(b"Error: port 80 is already allocated").decode()

    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        assert action == "DescribeDockerActivities" and params["InstanceId"] == "lhins-1"
        return {
            "DockerActivitySet": [
                {"ActivityId": "lhda-1", "ActivityState": "FAILED", "ActivityCommandOutput": output}
            ]
        }

    result = await wait_for(
        call,
        "docker_activity",
        ["lhda-1"],
        target_state="SUCCESS",
        context={"InstanceId": "lhins-1"},
        clock=lambda: 0.0,
    )
    reason = result["Resources"][0]["Reason"]
    assert "FAILED" in reason and "port 80 is already allocated" in reason


async def test_poll_interval_backs_off_to_the_ceiling() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "STOPPING"}]})
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await world.sleep(seconds)

    await wait_for(
        world.call,
        "instance",
        ["lhins-1"],
        target_state="STOPPED",
        timeout=60,
        clock=world.clock,
        sleep=sleep,
    )
    assert sleeps[:3] == [1.0, 1.5, 2.25] and max(sleeps) == 10.0
    assert sum(sleeps) == pytest.approx(60.0)


class Flaky(Exception):
    code = "InternalError"


async def test_transient_poll_errors_are_skipped_then_reported() -> None:
    world = FakeWorld({"lhins-1": [{"InstanceState": "STOPPING"}, {"InstanceState": "STOPPED"}]})
    failures = iter([True, True, False])
    messages: list[str] = []

    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if next(failures, False):
            raise Flaky()
        return await world.call(action, params)

    async def on_progress(done: float, total: float, message: str) -> None:
        messages.append(message)

    result = await wait_for(
        call,
        "instance",
        ["lhins-1"],
        target_state="STOPPED",
        transient=lambda e: isinstance(e, Flaky),
        progress=on_progress,
        clock=world.clock,
        sleep=world.sleep,
    )
    assert result["Done"] is True and result["Polls"] == 4
    assert "poll failed: InternalError; retrying" in messages[0]

    async def always(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        raise Flaky()

    with pytest.raises(Flaky):  # past MAX_TRANSIENT_FAILURES in a row, the error is real
        await wait_for(
            always,
            "instance",
            ["lhins-1"],
            target_state="STOPPED",
            transient=lambda e: isinstance(e, Flaky),
            clock=world.clock,
            sleep=world.sleep,
        )
    with pytest.raises(Flaky):  # not transient: at once
        await wait_for(
            always,
            "instance",
            ["lhins-1"],
            target_state="STOPPED",
            clock=world.clock,
            sleep=world.sleep,
        )


def test_states_the_catalog_keeps_no_enum_for_are_in_the_docs_text() -> None:
    from lighthouse_mcp import catalog
    from lighthouse_mcp.tools.resource_kinds import record_members
    from lighthouse_mcp.tools.waits import KINDS

    for kind, spec in KINDS.items():
        assert spec.wait is not None
        member = record_members(spec.describe, spec.set_field)[spec.wait.state_field]
        if spec.wait.documented_states:
            assert "enum" not in member, f"{kind}: use the catalog's enum instead"
            for state in spec.wait.documented_states:
                assert state in member["description"], (kind, state)
        assert set(spec.wait.failed_states) <= set(spec.states), kind
        assert spec.describe in catalog.action_names()


async def test_template_apply_reports_the_instances_it_failed_on() -> None:
    record = {
        "TaskId": "lgtk-1",
        "ApplyState": "SUCCESS",
        "ApplyDetailSet": [
            {"Instance": {"InstanceId": "lhins-1"}, "ApplyState": "SUCCESS", "ErrorMessage": ""},
            {
                "Instance": {"InstanceId": "lhins-2"},
                "ApplyState": "FAILED",
                "ErrorMessage": "instance lhins-2 does not exist",
            },
        ],
    }
    calls: list[Mapping[str, Any]] = []

    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        calls.append(params)
        return {"ApplyRecordSet": [record]}

    result = await wait_for(
        call,
        "firewall_template_apply",
        ["lgtk-1"],
        target_state="SUCCESS",
        context={"TemplateId": "lhft-1"},
        clock=lambda: 0.0,
    )
    (only,) = result["Resources"]
    assert only["Status"] == "reached"  # the task succeeded, and the note says where not
    assert only["Reason"] == "1 of 2 instances FAILED: lhins-2: instance lhins-2 does not exist"
    assert calls == [{"TemplateId": "lhft-1", "TaskIds": ["lgtk-1"]}]  # no Limit: none taken
    record["ApplyState"] = "FAILED"
    failed = await wait_for(
        call,
        "firewall_template_apply",
        ["lgtk-1"],
        target_state="SUCCESS",
        context={"TemplateId": "lhft-1"},
        clock=lambda: 0.0,
    )
    assert failed["Resources"][0]["Reason"].startswith("reached the failure state FAILED; 1 of 2")
