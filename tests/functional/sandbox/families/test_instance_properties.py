"""Property: DescribeInstancesDeniedActions predicts exactly what each action then does.

Random walks of lifecycle actions (and waits) over one instance: before every step the
denied-action list is read, then the action is called. A denied action must fail with the
listed code; any other must succeed. The instance must stay in documented states.
"""

from __future__ import annotations

from typing import Any

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import Sandbox
from tests.functional.sandbox.conftest import Api, Clock

from .conftest import CENTOS, DELAY, SMALL, UBUNTU

_MEMBERS = {m["name"]: m for m in catalog.structure("Instance")["members"]}
#: The documented values only (a reinstall shows STOPPING then STARTING).
STATES = set(_MEMBERS["InstanceState"].get("enum", []))
OPERATION_STATES = set(_MEMBERS["LatestOperationState"].get("enum", []))

STEPS = (
    "wait",
    "StartInstances",
    "StopInstances",
    "RebootInstances",
    "ResetInstance",
    "ResetInstancesPassword",
    "IsolateInstances",
    "RenewInstances",
    "TerminateInstances",
    "CreateInstanceSnapshot",
    "DescribeInstanceVncUrl",
    "ModifyInstancesAttribute",
)


def _params(action: str, iid: str) -> dict[str, Any]:
    if action in ("ResetInstance", "CreateInstanceSnapshot", "DescribeInstanceVncUrl"):
        extra = {"BlueprintId": UBUNTU} if action == "ResetInstance" else {}
        return {"InstanceId": iid, **extra}
    per_action: dict[str, dict[str, Any]] = {
        "ResetInstancesPassword": {"Password": "Str0ng!Passw0rd"},
        "RenewInstances": {"InstanceChargePrepaid": {"Period": 1}},
        "ModifyInstancesAttribute": {"InstanceName": "walked"},
    }
    return {"InstanceIds": [iid], **per_action.get(action, {})}


async def _walk(steps: list[str]) -> None:
    clock = Clock()
    api = Api(Sandbox(clock=clock, delay=DELAY), clock)
    try:
        created = await api.ok(
            "CreateInstances",
            {"BundleId": SMALL, "BlueprintId": CENTOS, "InstanceChargePrepaid": {"Period": 1}},
        )
        [iid] = created["InstanceIdSet"]
        for step in steps:
            if step == "wait":
                clock.advance(DELAY + 0.1)
                continue
            listed = await api.ok("DescribeInstancesDeniedActions", {"InstanceIds": [iid]})
            denied = {
                d["Action"]: d["Code"]
                for d in listed["InstanceDeniedActionSet"][0]["DeniedActions"]
            }
            answer = await api.call(step, _params(step, iid))
            if step in denied:
                assert answer.get("Error", {}).get("Code") == denied[step], (step, answer)
            else:
                assert "Error" not in answer, (step, denied, answer)
            shown = await api.ok("DescribeInstances", {"InstanceIds": [iid]})
            if step == "TerminateInstances" and "Error" not in answer:
                return
            record = shown["InstanceSet"][0]
            assert record["InstanceState"] in STATES, record["InstanceState"]
            assert record["LatestOperationState"] in OPERATION_STATES
    finally:
        await api.http.aclose()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(STEPS), min_size=1, max_size=14))
def test_denied_actions_predict_every_outcome(steps: list[str]) -> None:
    anyio.run(_walk, steps)
