"""Random sequences of disk actions keep the disk invariants and agree with denied actions.

For every step, DescribeDisksDeniedActions is asked first: an action it denies must fail
with exactly the code it announced, and leave every disk as it was (batches are
all-or-nothing); an action it allows must not fail on a disk-state rule. After every
step the states stay coherent (Attached, InstanceId, the five-disk limit).
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lighthouse_mcp.sandbox import Sandbox

from ..conftest import HOST, Clock, tc3_headers
from .conftest import RUNNING_ID, ZONE

DELAY = 5.0
ON_INSTANCE = {"ATTACHING", "ATTACHED", "DETACHING"}
#: action -> extra parameters; every one takes DiskIds.
ACTIONS: dict[str, dict[str, Any]] = {
    "AttachDisks": {"InstanceId": RUNNING_ID},
    "DetachDisks": {},
    "ResizeDisks": {"DiskSize": 990},
    "RenewDisks": {"RenewDiskChargePrepaid": {"Period": 1}},
    "IsolateDisks": {},
    "TerminateDisks": {},
    "ModifyDisksAttribute": {"DiskName": "renamed"},
    "ModifyDisksRenewFlag": {"RenewFlag": "NOTIFY_AND_AUTO_RENEW"},
    "ModifyDisksBackupQuota": {"DiskBackupQuota": 7},
}
#: Codes that come from a disk's own state (the rules the denied-action list reports).
STATE_CODES = {
    "UnsupportedOperation.InvalidDiskState",
    "OperationDenied.DiskCreating",
    "OperationDenied.DiskOperationInProgress",
    "UnsupportedOperation.DiskLatestOperationUnfinished",
    "OperationDenied.DiskUsageNotSupportOperation",
}

steps = st.lists(
    st.tuples(st.sampled_from(sorted(ACTIONS)), st.integers(0, 6), st.booleans()),
    min_size=1,
    max_size=25,
)


class Driver:
    def __init__(self) -> None:
        self.clock = Clock()
        self.sandbox = Sandbox(clock=self.clock, delay=DELAY)
        self.http = httpx.AsyncClient(transport=self.sandbox.transport(), base_url=f"http://{HOST}")

    async def call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(params).encode()
        headers = tc3_headers(action, body, timestamp=int(self.clock()))
        response = await self.http.post("/", content=body, headers=headers)
        data: dict[str, Any] = response.json()["Response"]
        return data

    async def disks(self) -> dict[str, dict[str, Any]]:
        data = await self.call(
            "DescribeDisks",
            {"Limit": 100, "Filters": [{"Name": "disk-usage", "Values": ["DATA_DISK"]}]},
        )
        return {d["DiskId"]: d for d in data["DiskSet"]}


def check_invariants(disks: dict[str, dict[str, Any]]) -> None:
    for d in disks.values():
        # attached from the end of AttachDisks to the end of DetachDisks
        assert d["Attached"] == (d["DiskState"] in {"ATTACHED", "DETACHING"}), d
        assert bool(d["InstanceId"]) == (d["DiskState"] in ON_INSTANCE), d
        assert d["LatestOperationState"] in {"OPERATING", "SUCCESS"}, d
    on_host = [d for d in disks.values() if d["InstanceId"] == RUNNING_ID]
    assert len(on_host) <= 5


async def scenario(plan: list[tuple[str, int, bool]]) -> None:
    drive = Driver()
    try:
        created = await drive.call(
            "CreateDisks",
            {
                "Zone": ZONE,
                "DiskSize": 20,
                "DiskType": "CLOUD_SSD",
                "DiskChargePrepaid": {"Period": 1},
                "DiskCount": 7,
            },
        )
        ids: list[str] = created["DiskIdSet"]
        drive.clock.advance(DELAY)
        for action, index, settle in plan:
            disk_id = ids[index]
            before = await drive.disks()
            if disk_id not in before:
                continue  # terminated earlier in this plan
            denied = await drive.call("DescribeDisksDeniedActions", {"DiskIds": [disk_id]})
            announced = {
                d["Action"]: d["Code"] for d in denied["DiskDeniedActionSet"][0]["DeniedActions"]
            }
            answer = await drive.call(action, {"DiskIds": [disk_id], **ACTIONS[action]})
            error = answer.get("Error")
            if action in announced:
                assert error is not None and error["Code"] == announced[action], (action, answer)
            elif error is not None:
                assert error["Code"] not in STATE_CODES, (action, announced, error)
            if error is not None:
                assert await drive.disks() == before  # nothing changed
            elif action != "ModifyDisksRenewFlag":
                after = (await drive.disks())[disk_id]
                assert after["LatestOperationRequestId"] == answer["RequestId"]
                assert after["LatestOperation"] == action
            if settle:
                drive.clock.advance(DELAY)
            check_invariants(await drive.disks())
    finally:
        await drive.http.aclose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps)
def test_random_disk_actions_keep_the_rules(plan: list[tuple[str, int, bool]]) -> None:
    anyio.run(scenario, plan)
