"""Snapshots: create from the system disk, roll back, rename, delete, denied actions."""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp.sandbox.families.quotas import QUOTA_TOTALS

from .conftest import UBUNTU, Compute

pytestmark = pytest.mark.anyio


async def _snapshot(api: Any, sid: str) -> dict[str, Any]:
    data = await api.ok("DescribeSnapshots", {"SnapshotIds": [sid]})
    assert data["TotalCount"] == 1
    found: dict[str, Any] = data["SnapshotSet"][0]
    return found


async def test_create_is_observable_and_busies_the_instance(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    answer = await api.ok("CreateInstanceSnapshot", {"InstanceId": iid, "SnapshotName": "before"})
    sid = answer["SnapshotId"]
    snap = await _snapshot(api, sid)
    disk = (await compute.instance(iid))["SystemDisk"]
    assert (
        snap["SnapshotState"],
        snap["Percent"],
        snap["LatestOperation"],
        snap["LatestOperationState"],
        snap["LatestOperationRequestId"],
    ) == ("CREATING", 0, "CreateInstanceSnapshot", "OPERATING", answer["RequestId"])
    assert (snap["DiskId"], snap["DiskSize"], snap["DiskUsage"]) == (
        disk["DiskId"],
        disk["DiskSize"],
        "SYSTEM_DISK",
    )
    assert (
        await api.error("StopInstances", {"InstanceIds": [iid]})
        == "OperationDenied.InstanceOperationInProgress"
    )
    denied = await api.ok("DescribeSnapshotsDeniedActions", {"SnapshotIds": [sid]})
    assert {d["Action"] for d in denied["SnapshotDeniedActionSet"][0]["DeniedActions"]} == {
        "ApplyInstanceSnapshot",
        "DeleteSnapshots",
    }
    assert (
        await api.error("DeleteSnapshots", {"SnapshotIds": [sid]})
        == "UnsupportedOperation.InvalidSnapshotState"
    )
    compute.settle()
    snap = await _snapshot(api, sid)
    assert (snap["SnapshotState"], snap["Percent"], snap["LatestOperationState"]) == (
        "NORMAL",
        100,
        "SUCCESS",
    )
    denied = await api.ok("DescribeSnapshotsDeniedActions", {"SnapshotIds": [sid]})
    assert denied["SnapshotDeniedActionSet"][0]["DeniedActions"] == []


async def test_rollback_restores_the_disk_contents(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    sid = (await api.ok("CreateInstanceSnapshot", {"InstanceId": iid}))["SnapshotId"]
    compute.settle()
    await api.ok("ResetInstance", {"InstanceId": iid, "BlueprintId": UBUNTU})
    compute.settle()
    assert (await compute.instance(iid))["Platform"] == "UBUNTU"
    await api.ok("ApplyInstanceSnapshot", {"InstanceId": iid, "SnapshotId": sid})
    snap = await _snapshot(api, sid)
    assert (snap["SnapshotState"], snap["LatestOperation"]) == (
        "ROLLBACKING",
        "RollbackInstanceSnapshot",
    )
    record = await compute.instance(iid)
    assert (record["InstanceState"], record["LatestOperation"]) == (
        "STOPPING",
        "ApplyInstanceSnapshot",
    )
    compute.settle()
    record = await compute.instance(iid)
    assert (record["InstanceState"], record["Platform"], record["LatestOperationState"]) == (
        "RUNNING",
        "CENTOS",
        "SUCCESS",
    )
    assert (await _snapshot(api, sid))["SnapshotState"] == "NORMAL"


async def test_rollback_refusals(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    other = await compute.create()
    sid = (await api.ok("CreateInstanceSnapshot", {"InstanceId": iid}))["SnapshotId"]
    compute.settle()
    theirs = (await api.ok("CreateInstanceSnapshot", {"InstanceId": other}))["SnapshotId"]
    assert (
        await api.error("ApplyInstanceSnapshot", {"InstanceId": other, "SnapshotId": theirs})
        == "OperationDenied.InstanceOperationInProgress"
    )
    compute.settle()
    assert (
        await api.error("ApplyInstanceSnapshot", {"InstanceId": other, "SnapshotId": sid})
        == "ResourceNotFound.SnapshotNotFound"
    )
    assert (
        await api.error(
            "ApplyInstanceSnapshot", {"InstanceId": iid, "SnapshotId": "lhsnap-zzzzzzzz"}
        )
        == "ResourceNotFound.SnapshotIdNotFound"
    )
    assert (
        await api.error("ApplyInstanceSnapshot", {"InstanceId": iid, "SnapshotId": "snap"})
        == "InvalidParameterValue.SnapshotIdMalformed"
    )
    await api.ok("ModifyInstancesBundle", {"InstanceIds": [iid], "BundleId": "bundle2022_gen_03"})
    compute.settle()
    assert (
        await api.error("ApplyInstanceSnapshot", {"InstanceId": iid, "SnapshotId": sid})
        == "InvalidParameterValue.DiskSizeNotMatch"
    )
    await api.ok("IsolateInstances", {"InstanceIds": [other]})
    compute.settle()
    assert (
        await api.error("ApplyInstanceSnapshot", {"InstanceId": other, "SnapshotId": theirs})
        == "UnsupportedOperation.InvalidInstanceState"
    )


async def test_create_refusals(compute: Compute, api: Any) -> None:
    storage = await compute.create(BundleId="bundle_sto_01")
    assert (
        await api.error("CreateInstanceSnapshot", {"InstanceId": storage})
        == "OperationDenied.OperationDeniedCreateSnapshotForStorageBundle"
    )
    iid = await compute.create()
    assert (
        await api.error("CreateInstanceSnapshot", {"InstanceId": iid, "SnapshotName": "n" * 61})
        == "InvalidParameterValue.SnapshotNameTooLong"
    )
    for _ in range(QUOTA_TOTALS["SNAPSHOT"]):
        await api.ok("CreateInstanceSnapshot", {"InstanceId": iid})
        compute.settle()
    assert (
        await api.error("CreateInstanceSnapshot", {"InstanceId": iid})
        == "LimitExceeded.SnapshotQuotaLimitExceeded"
    )


async def test_describe_modify_delete(compute: Compute, api: Any) -> None:
    a = await compute.create()
    b = await compute.create()
    sa = await api.ok("CreateInstanceSnapshot", {"InstanceId": a, "SnapshotName": "a1"})
    compute.settle()
    sb = await api.ok("CreateInstanceSnapshot", {"InstanceId": b, "SnapshotName": "b1"})
    compute.settle()
    by_instance = await api.ok(
        "DescribeSnapshots", {"Filters": [{"Name": "instance-id", "Values": [a]}]}
    )
    assert [s["SnapshotId"] for s in by_instance["SnapshotSet"]] == [sa["SnapshotId"]]
    by_name = await api.ok(
        "DescribeSnapshots", {"Filters": [{"Name": "snapshot-name", "Values": ["b1"]}]}
    )
    assert [s["SnapshotId"] for s in by_name["SnapshotSet"]] == [sb["SnapshotId"]]
    everything = await api.ok("DescribeSnapshots", {"Limit": 1})
    assert (everything["TotalCount"], everything["SnapshotSet"][0]["SnapshotId"]) == (
        2,
        sb["SnapshotId"],
    )  # newest first
    assert (
        await api.error(
            "DescribeSnapshots",
            {
                "SnapshotIds": [sa["SnapshotId"]],
                "Filters": [{"Name": "instance-id", "Values": [a]}],
            },
        )
        == "InvalidParameter.ParameterConflict"
    )
    await api.ok(
        "ModifySnapshotAttribute", {"SnapshotId": sa["SnapshotId"], "SnapshotName": "renamed"}
    )
    assert (await _snapshot(api, sa["SnapshotId"]))["SnapshotName"] == "renamed"
    assert (
        await api.error(
            "ModifySnapshotAttribute", {"SnapshotId": "lhsnap-zzzzzzzz", "SnapshotName": "x"}
        )
        == "ResourceNotFound.SnapshotIdNotFound"
    )
    await api.ok("DeleteSnapshots", {"SnapshotIds": [sa["SnapshotId"], sb["SnapshotId"]]})
    assert (await api.ok("DescribeSnapshots", {}))["TotalCount"] == 0
    assert (
        await api.error("DeleteSnapshots", {"SnapshotIds": [sa["SnapshotId"]]})
        == "ResourceNotFound.SnapshotIdNotFound"
    )


async def test_terminated_instance_takes_its_snapshots(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    await api.ok("CreateInstanceSnapshot", {"InstanceId": iid})
    compute.settle()
    await api.ok("IsolateInstances", {"InstanceIds": [iid]})
    compute.settle()
    await api.ok("TerminateInstances", {"InstanceIds": [iid]})
    assert (await api.ok("DescribeSnapshots", {}))["TotalCount"] == 0
