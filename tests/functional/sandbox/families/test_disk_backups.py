"""Disk backup points through the sandbox's HTTP path: create, roll back, delete, query."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import RUNNING_ID, ZONE

pytestmark = pytest.mark.anyio

DELAY = 5.0


async def new_disk(api: Any, clock: Any, quota: int = 2, *, attach_to: str | None = None) -> str:
    (disk_id,) = (
        await api.ok(
            "CreateDisks",
            {
                "Zone": ZONE,
                "DiskSize": 20,
                "DiskType": "CLOUD_SSD",
                "DiskChargePrepaid": {"Period": 1},
                "DiskBackupQuota": quota,
            },
        )
    )["DiskIdSet"]
    clock.advance(DELAY)
    if attach_to:
        await api.ok("AttachDisks", {"DiskIds": [disk_id], "InstanceId": attach_to})
        clock.advance(DELAY)
    assert isinstance(disk_id, str)
    return disk_id


async def backup(api: Any, backup_id: str) -> dict[str, Any]:
    data = await api.ok("DescribeDiskBackups", {"DiskBackupIds": [backup_id]})
    assert data["TotalCount"] == 1, data
    found: dict[str, Any] = data["DiskBackupSet"][0]
    return found


async def new_backup(api: Any, clock: Any, disk_id: str, **extra: Any) -> str:
    backup_id: str = (await api.ok("CreateDiskBackup", {"DiskId": disk_id, **extra}))[
        "DiskBackupId"
    ]
    clock.advance(DELAY)
    return backup_id


async def test_create_reports_progress_then_normal(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock)
    data = await api.ok("CreateDiskBackup", {"DiskId": disk_id, "DiskBackupName": "before-upgrade"})
    backup_id = data["DiskBackupId"]
    assert backup_id.startswith("lhbak-")
    found = await backup(api, backup_id)
    assert (found["DiskBackupState"], found["Percent"], found["LatestOperationState"]) == (
        "CREATING",
        0,
        "OPERATING",
    )
    assert found["LatestOperationRequestId"] == data["RequestId"]
    assert (found["DiskId"], found["DiskSize"], found["DiskUsage"]) == (disk_id, 20, "DATA_DISK")
    clock.advance(DELAY / 2)
    assert (await backup(api, backup_id))["Percent"] == 50
    clock.advance(DELAY / 2)
    found = await backup(api, backup_id)
    assert (found["DiskBackupState"], found["Percent"], found["LatestOperationState"]) == (
        "NORMAL",
        100,
        "SUCCESS",
    )
    assert found["DiskBackupName"] == "before-upgrade"
    disks = await api.ok("DescribeDisks", {"DiskIds": [disk_id]})
    assert disks["DiskSet"][0]["DiskBackupCount"] == 1


async def test_default_name_and_quota(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock, quota=1)
    backup_id = await new_backup(api, clock, disk_id)
    assert (await backup(api, backup_id))["DiskBackupName"].startswith(f"{disk_id}-data-disk-")
    assert await api.error("CreateDiskBackup", {"DiskId": disk_id}) == (
        "LimitExceeded.DiskBackupQuotaLimitExceeded"
    )


async def test_one_backup_operation_at_a_time(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock)
    await api.ok("CreateDiskBackup", {"DiskId": disk_id})
    assert await api.error("CreateDiskBackup", {"DiskId": disk_id}) == (
        "OperationDenied.DiskBusyForBackupOperation"
    )


@pytest.mark.parametrize(
    ("disk_id", "code"),
    [
        ("lhdisk-demo0001", "OperationDenied.DiskUsageNotSupportOperation"),
        ("lhdisk-nothere1", "ResourceNotFound.DiskNotExists"),
        ("lhdisk-BAD", "InvalidParameterValue.InvalidDiskIdMalformed"),
    ],
)
async def test_create_needs_a_data_disk(api: Any, disk_id: str, code: str) -> None:
    assert await api.error("CreateDiskBackup", {"DiskId": disk_id}) == code


async def test_create_needs_a_ready_disk_and_host(api: Any, clock: Any, instances: Any) -> None:
    (pending,) = (
        await api.ok(
            "CreateDisks",
            {
                "Zone": ZONE,
                "DiskSize": 20,
                "DiskType": "CLOUD_SSD",
                "DiskChargePrepaid": {"Period": 1},
                "DiskBackupQuota": 1,
            },
        )
    )["DiskIdSet"]
    assert await api.error("CreateDiskBackup", {"DiskId": pending}) in (
        "OperationDenied.DiskOperationInProgress",
        "UnsupportedOperation.InvalidDiskState",
    )
    clock.advance(DELAY)
    await api.ok("AttachDisks", {"DiskIds": [pending], "InstanceId": RUNNING_ID})
    clock.advance(DELAY)
    instances[RUNNING_ID].update(
        LatestOperation="RebootInstances", LatestOperationState="OPERATING"
    )
    assert await api.error("CreateDiskBackup", {"DiskId": pending}) == (
        "UnsupportedOperation.LatestOperationUnfinished"
    )
    # the catalog's length check answers first; the documented specific code is preferred
    assert await api.error("CreateDiskBackup", {"DiskId": pending, "DiskBackupName": "n" * 91}) in (
        "InvalidParameterValue.DiskBackupNameTooLong",
        "InvalidParameterValue",
    )


async def test_apply_rolls_back_and_stops_a_running_host(
    api: Any, clock: Any, instances: Any
) -> None:
    disk_id = await new_disk(api, clock, attach_to=RUNNING_ID)
    backup_id = await new_backup(api, clock, disk_id)
    data = await api.ok("ApplyDiskBackup", {"DiskId": disk_id, "DiskBackupId": backup_id})
    found = await backup(api, backup_id)
    assert (found["DiskBackupState"], found["LatestOperation"], found["LatestOperationState"]) == (
        "ROLLBACKING",
        "ApplyDiskBackup",
        "OPERATING",
    )
    host = instances[RUNNING_ID]
    assert (host["InstanceState"], host["LatestOperationRequestId"]) == (
        "STOPPING",
        data["RequestId"],
    )
    disk = (await api.ok("DescribeDisks", {"DiskIds": [disk_id]}))["DiskSet"][0]
    assert (disk["LatestOperation"], disk["LatestOperationState"]) == (
        "ApplyDiskBackup",
        "OPERATING",
    )
    assert await api.error("DeleteDiskBackups", {"DiskBackupIds": [backup_id]}) in (
        "OperationDenied.DiskBackupOperationInProgress",
        "UnsupportedOperation.DiskBackupLatestOperationUnfinished",
    )
    clock.advance(DELAY)
    found = await backup(api, backup_id)
    assert (found["DiskBackupState"], found["LatestOperationState"]) == ("NORMAL", "SUCCESS")
    assert instances[RUNNING_ID]["InstanceState"] == "STOPPED"


async def test_apply_rules(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock)
    other = await new_disk(api, clock)
    await api.ok("CreateDiskBackup", {"DiskId": disk_id})
    (backup_id,) = [
        b["DiskBackupId"] for b in (await api.ok("DescribeDiskBackups", {}))["DiskBackupSet"]
    ]
    assert await api.error("ApplyDiskBackup", {"DiskId": disk_id, "DiskBackupId": backup_id}) == (
        "OperationDenied.DiskBackupOperationInProgress"
    )
    clock.advance(DELAY)
    assert await api.error("ApplyDiskBackup", {"DiskId": other, "DiskBackupId": backup_id}) == (
        "UnsupportedOperation.ApplyDiskBackupToAnotherDisk"
    )
    assert await api.error(
        "ApplyDiskBackup", {"DiskId": disk_id, "DiskBackupId": "lhbak-nothere1"}
    ) == ("ResourceNotFound.DiskBackupNotExists")
    await api.ok("IsolateDisks", {"DiskIds": [disk_id]})
    clock.advance(DELAY)
    assert await api.error("ApplyDiskBackup", {"DiskId": disk_id, "DiskBackupId": backup_id}) == (
        "UnsupportedOperation.InvalidDiskState"
    )


async def test_delete_passes_through_deleting(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock)
    backup_id = await new_backup(api, clock, disk_id)
    await api.ok("DeleteDiskBackups", {"DiskBackupIds": [backup_id]})
    found = await backup(api, backup_id)
    assert (found["DiskBackupState"], found["LatestOperation"]) == ("DELETING", "DeleteDiskBackups")
    assert await api.error("ApplyDiskBackup", {"DiskId": disk_id, "DiskBackupId": backup_id}) in (
        "OperationDenied.DiskBackupOperationInProgress",
    )
    clock.advance(DELAY)
    assert (await api.ok("DescribeDiskBackups", {"DiskBackupIds": [backup_id]}))["TotalCount"] == 0
    assert await api.error("DeleteDiskBackups", {"DiskBackupIds": [backup_id]}) == (
        "ResourceNotFound.DiskBackupIdNotFound"
    )
    disk = (await api.ok("DescribeDisks", {"DiskIds": [disk_id]}))["DiskSet"][0]
    assert disk["DiskBackupCount"] == 0


async def test_terminating_a_disk_removes_its_backups(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock)
    backup_id = await new_backup(api, clock, disk_id)
    await api.ok("IsolateDisks", {"DiskIds": [disk_id]})
    clock.advance(DELAY)
    await api.ok("TerminateDisks", {"DiskIds": [disk_id]})
    clock.advance(DELAY)
    assert (await api.ok("DescribeDiskBackups", {"DiskBackupIds": [backup_id]}))["TotalCount"] == 0


async def test_modify_name(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock)
    backup_id = await new_backup(api, clock, disk_id)
    await api.ok(
        "ModifyDiskBackupsAttribute", {"DiskBackupIds": [backup_id], "DiskBackupName": "nightly"}
    )
    assert (await backup(api, backup_id))["DiskBackupName"] == "nightly"
    assert await api.error(
        "ModifyDiskBackupsAttribute", {"DiskBackupIds": ["lhbak-nothere1"], "DiskBackupName": "x"}
    ) == ("ResourceNotFound.DiskBackupIdNotFound")
    assert await api.error("ModifyDiskBackupsAttribute", {"DiskBackupIds": [backup_id]}) == (
        "MissingParameter"
    )


async def test_describe_filters_and_pages(api: Any, clock: Any) -> None:
    first = await new_disk(api, clock, quota=3)
    second = await new_disk(api, clock)
    ids = [await new_backup(api, clock, first) for _ in range(3)]
    clock.advance(1)
    mine = await new_backup(api, clock, second)
    await api.ok("DeleteDiskBackups", {"DiskBackupIds": [ids[0]]})
    by_disk = await api.ok(
        "DescribeDiskBackups", {"Filters": [{"Name": "disk-id", "Values": [first]}]}
    )
    assert by_disk["TotalCount"] == 3
    normal = await api.ok(
        "DescribeDiskBackups",
        {
            "Filters": [
                {"Name": "disk-id", "Values": [first, second]},
                {"Name": "disk-backup-state", "Values": ["NORMAL"]},
            ]
        },
    )
    assert {b["DiskBackupId"] for b in normal["DiskBackupSet"]} == {ids[1], ids[2], mine}
    page = await api.ok("DescribeDiskBackups", {"Limit": 1, "Offset": 0})
    assert page["TotalCount"] == 4 and [b["DiskBackupId"] for b in page["DiskBackupSet"]] == [
        mine
    ]  # newest first
    assert (
        await api.error(
            "DescribeDiskBackups",
            {"DiskBackupIds": [mine], "Filters": [{"Name": "disk-id", "Values": [first]}]},
        )
        == "InvalidParameter"
    )  # no specific code


async def test_denied_actions(api: Any, clock: Any) -> None:
    disk_id = await new_disk(api, clock)
    ready = await new_backup(api, clock, disk_id)
    busy = (await api.ok("CreateDiskBackup", {"DiskId": disk_id}))["DiskBackupId"]
    data = await api.ok(
        "DescribeDiskBackupsDeniedActions", {"DiskBackupIds": [ready, "lhbak-nothere1", busy]}
    )  # unknown ids left out
    ready_row, busy_row = data["DiskBackupDeniedActionSet"]
    assert busy_row["DiskBackupId"] == busy
    assert {d["Action"] for d in busy_row["DeniedActions"]} == {
        "ApplyDiskBackup",
        "DeleteDiskBackups",
    }
    # the ready one cannot be applied either while its disk is busy creating `busy`
    assert {d["Action"]: d["Code"] for d in ready_row["DeniedActions"]} == {
        "ApplyDiskBackup": "OperationDenied.DiskBusyForBackupOperation"
    }
    clock.advance(DELAY)
    data = await api.ok("DescribeDiskBackupsDeniedActions", {"DiskBackupIds": [ready, busy]})
    assert all(row["DeniedActions"] == [] for row in data["DiskBackupDeniedActionSet"])
