"""Cloud disks through the sandbox's HTTP path: lifecycle, attach rules, queries, prices.

The sandbox fixture completes a transition 5 s (of its settable clock) after the request,
so every test can look at the intermediate state first and then ``clock.advance``.
"""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID
from lighthouse_mcp.sandbox.families.disk_model import follow_instance_isolation

from .conftest import RUNNING_ID, STOPPED_ID, ZONE

pytestmark = pytest.mark.anyio

DELAY = 5.0
PREPAID = {"Period": 1}


async def create(api: Any, clock: Any, *, settle: bool = True, **extra: Any) -> list[str]:
    params = {
        "Zone": ZONE,
        "DiskSize": 20,
        "DiskType": "CLOUD_SSD",
        "DiskChargePrepaid": PREPAID,
        **extra,
    }
    ids: list[str] = (await api.ok("CreateDisks", params))["DiskIdSet"]
    if settle:
        clock.advance(DELAY)
    return ids


async def disk(api: Any, disk_id: str) -> dict[str, Any]:
    data = await api.ok("DescribeDisks", {"DiskIds": [disk_id]})
    assert data["TotalCount"] == 1, data
    found: dict[str, Any] = data["DiskSet"][0]
    return found


async def attached(api: Any, clock: Any, instance_id: str = RUNNING_ID, **extra: Any) -> str:
    (disk_id,) = await create(api, clock, **extra)
    await api.ok("AttachDisks", {"DiskIds": [disk_id], "InstanceId": instance_id})
    clock.advance(DELAY)
    return disk_id


# -- create ------------------------------------------------------------------------------


async def test_create_goes_pending_then_unattached(api: Any, clock: Any) -> None:
    data = await api.ok(
        "CreateDisks",
        {
            "Zone": ZONE,
            "DiskSize": 30,
            "DiskType": "CLOUD_SSD",
            "DiskChargePrepaid": PREPAID,
            "DiskName": "logs",
            "DiskCount": 2,
            "DiskBackupQuota": 3,
        },
    )
    ids = data["DiskIdSet"]
    assert len(ids) == 2 and all(i.startswith("lhdisk-") for i in ids)
    first = await disk(api, ids[0])
    assert first["DiskState"] == "PENDING"
    assert (first["LatestOperation"], first["LatestOperationState"]) == ("CreateDisks", "OPERATING")
    assert first["LatestOperationRequestId"] == data["RequestId"]
    clock.advance(DELAY)
    first = await disk(api, ids[0])
    assert first["DiskState"] == "UNATTACHED" and first["LatestOperationState"] == "SUCCESS"
    assert first["DiskName"] == "logs" and first["DiskSize"] == 30
    assert first["DiskBackupQuota"] == 3 and first["DiskBackupCount"] == 0
    assert first["Attached"] is False and first["DiskUsage"] == "DATA_DISK"
    assert first["ExpiredTime"] > first["CreatedTime"]
    assert not any(k.startswith("_") for k in first)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"Zone": "ap-guangzhou-99"}, "InvalidParameterValue.InvalidZone"),
        # CreateDisks' page documents no size code, so the family's common code answers
        # (ctx.fail: clients only see codes the action's page or 公共错误码 documents)
        ({"DiskType": "CLOUD_SSD", "DiskSize": 10}, "InvalidParameterValue"),
        ({"DiskSize": 25}, "InvalidParameterValue"),
        ({"DiskSize": 1010}, "InvalidParameterValue"),
        ({"DiskType": "CLOUD_BASIC"}, "InvalidParameterValue.InvalidDiskType"),
        ({"DiskCount": 31}, "InvalidParameterValue"),
    ],
)
async def test_create_rejects_bad_specs(api: Any, change: dict[str, Any], code: str) -> None:
    params = {
        "Zone": ZONE,
        "DiskSize": 20,
        "DiskType": "CLOUD_SSD",
        "DiskChargePrepaid": PREPAID,
        **change,
    }
    assert await api.error("CreateDisks", params) == code


async def test_create_respects_the_data_disk_quota(api: Any, clock: Any) -> None:
    await create(api, clock, DiskCount=20)
    assert await api.error(
        "CreateDisks",
        {"Zone": ZONE, "DiskSize": 20, "DiskType": "CLOUD_SSD", "DiskChargePrepaid": PREPAID},
    ) == ("LimitExceeded.DiskQuotaLimitExceeded")


async def test_create_with_auto_mount_attaches(api: Any, clock: Any) -> None:
    (disk_id,) = await create(
        api, clock, settle=False, AutoMountConfiguration={"InstanceId": RUNNING_ID}
    )
    assert (await disk(api, disk_id))["DiskState"] == "PENDING"
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["InstanceId"], found["Attached"]) == (
        "ATTACHED",
        RUNNING_ID,
        True,
    )


@pytest.mark.parametrize(
    ("mount", "code"),
    [
        ({"InstanceId": STOPPED_ID}, "UnsupportedOperation.InvalidInstanceState"),
        ({"InstanceId": "lhins-nothere1"}, "ResourceNotFound.InstanceIdNotFound"),
    ],
)
async def test_create_auto_mount_needs_a_running_instance(
    api: Any, mount: dict[str, Any], code: str
) -> None:
    params = {
        "Zone": ZONE,
        "DiskSize": 20,
        "DiskType": "CLOUD_SSD",
        "DiskChargePrepaid": PREPAID,
        "AutoMountConfiguration": mount,
    }
    assert await api.error("CreateDisks", params) == code


async def test_create_auto_mount_needs_the_same_zone(api: Any, add_instance: Any) -> None:
    other = add_instance("lhbp-5e8807lo", zone="ap-guangzhou-4")
    params = {
        "Zone": ZONE,
        "DiskSize": 20,
        "DiskType": "CLOUD_SSD",
        "DiskChargePrepaid": PREPAID,
        "AutoMountConfiguration": {"InstanceId": other},
    }
    assert await api.error("CreateDisks", params) == (
        "InvalidParameterValue.DiskInstanceZoneNotMatch"
    )


# -- attach / detach ------------------------------------------------------------------------


async def test_attach_and_detach_pass_through_intermediate_states(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    await api.ok(
        "AttachDisks",
        {"DiskIds": [disk_id], "InstanceId": RUNNING_ID, "RenewFlag": "NOTIFY_AND_AUTO_RENEW"},
    )
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["LatestOperation"], found["LatestOperationState"]) == (
        "ATTACHING",
        "AttachDisks",
        "OPERATING",
    )
    assert found["RenewFlag"] == "NOTIFY_AND_AUTO_RENEW"
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["InstanceId"], found["Attached"]) == (
        "ATTACHED",
        RUNNING_ID,
        True,
    )
    await api.ok("DetachDisks", {"DiskIds": [disk_id]})
    assert (await disk(api, disk_id))["DiskState"] == "DETACHING"
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["InstanceId"], found["Attached"]) == ("UNATTACHED", "", False)
    assert found["LatestOperation"] == "DetachDisks" and found["LatestOperationState"] == "SUCCESS"


async def test_attach_a_stopped_instance_works(api: Any, clock: Any, add_instance: Any) -> None:
    stopped = add_instance("lhbp-5e8807lo", state="STOPPED")
    disk_id = await attached(api, clock, stopped)
    assert (await disk(api, disk_id))["InstanceId"] == stopped


async def test_attach_refuses_a_disk_being_created(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock, settle=False)
    assert await api.error("AttachDisks", {"DiskIds": [disk_id], "InstanceId": RUNNING_ID}) == (
        "OperationDenied.DiskCreating"
    )


async def test_attach_refuses_an_attached_disk(api: Any, clock: Any) -> None:
    disk_id = await attached(api, clock)
    assert await api.error("AttachDisks", {"DiskIds": [disk_id], "InstanceId": RUNNING_ID}) == (
        "UnsupportedOperation.InvalidDiskState"
    )


async def test_attach_refuses_another_zone(api: Any, clock: Any, add_instance: Any) -> None:
    other = add_instance("lhbp-5e8807lo", zone="ap-guangzhou-4")
    (disk_id,) = await create(api, clock)
    # AttachDisks' page documents no zone code: the family's common code answers
    assert await api.error("AttachDisks", {"DiskIds": [disk_id], "InstanceId": other}) == (
        "InvalidParameterValue"
    )


async def test_attach_refuses_unknown_things(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    assert await api.error(
        "AttachDisks", {"DiskIds": [disk_id], "InstanceId": "lhins-nothere1"}
    ) == ("ResourceNotFound.InstanceIdNotFound")
    assert await api.error(
        "AttachDisks", {"DiskIds": ["lhdisk-nothere1"], "InstanceId": RUNNING_ID}
    ) == ("ResourceNotFound.DiskIdNotFound")
    assert await api.error("AttachDisks", {"DiskIds": ["disk-1"], "InstanceId": RUNNING_ID}) == (
        "InvalidParameterValue.InvalidDiskIdMalformed"
    )


@pytest.mark.parametrize(
    ("instance_change", "code"),
    [
        (
            {"InstanceState": "STOPPING", "LatestOperationState": "SUCCESS"},
            "UnsupportedOperation.InvalidInstanceState",
        ),
        ({"InstanceState": "SHUTDOWN"}, "UnsupportedOperation.InvalidInstanceState"),
        (
            {"LatestOperation": "RebootInstances", "LatestOperationState": "OPERATING"},
            "UnsupportedOperation.LatestOperationUnfinished",
        ),
        (
            {"InstanceState": "PENDING", "LatestOperationState": "OPERATING"},
            "OperationDenied.InstanceCreating",
        ),
    ],
)
async def test_attach_needs_an_idle_running_or_stopped_instance(
    api: Any, clock: Any, instances: Any, instance_change: dict[str, Any], code: str
) -> None:
    (disk_id,) = await create(api, clock)
    instances[RUNNING_ID].update(instance_change)
    assert await api.error("AttachDisks", {"DiskIds": [disk_id], "InstanceId": RUNNING_ID}) == code


async def test_attach_limit_is_five_data_disks(api: Any, clock: Any) -> None:
    ids = await create(api, clock, DiskCount=6)
    await api.ok("AttachDisks", {"DiskIds": ids[:5], "InstanceId": RUNNING_ID})
    assert await api.error("AttachDisks", {"DiskIds": ids[5:], "InstanceId": RUNNING_ID}) == (
        "LimitExceeded.AttachDataDiskQuotaLimitExceeded"
    )
    clock.advance(DELAY)
    data = await api.ok(
        "DescribeDisks", {"Filters": [{"Name": "instance-id", "Values": [RUNNING_ID]}]}
    )
    usage = sorted(d["DiskUsage"] for d in data["DiskSet"])
    assert usage == ["DATA_DISK"] * 5 + ["SYSTEM_DISK"]


async def test_batches_are_all_or_nothing(api: Any, clock: Any) -> None:
    free, busy = await create(api, clock, DiskCount=2)
    await api.ok("AttachDisks", {"DiskIds": [busy], "InstanceId": RUNNING_ID})
    clock.advance(DELAY)
    assert await api.error("AttachDisks", {"DiskIds": [free, busy], "InstanceId": RUNNING_ID}) == (
        "UnsupportedOperation.InvalidDiskState"
    )
    assert (await disk(api, free))["DiskState"] == "UNATTACHED"


async def test_detach_rules(api: Any, clock: Any, instances: Any) -> None:
    (loose,) = await create(api, clock)
    assert await api.error("DetachDisks", {"DiskIds": [loose]}) == (
        "UnsupportedOperation.InvalidDiskState"
    )
    assert await api.error("DetachDisks", {"DiskIds": ["lhdisk-demo0001"]}) == (
        "OperationDenied.DiskUsageNotSupportOperation"
    )
    disk_id = await attached(api, clock)
    instances[RUNNING_ID].update(InstanceState="REBOOTING", LatestOperationState="SUCCESS")
    assert await api.error("DetachDisks", {"DiskIds": [disk_id]}) == (
        "UnsupportedOperation.InvalidInstanceState"
    )


async def test_operation_in_flight_blocks_the_next(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    await api.ok("AttachDisks", {"DiskIds": [disk_id], "InstanceId": RUNNING_ID})
    assert await api.error("ResizeDisks", {"DiskIds": [disk_id], "DiskSize": 40}) == (
        "UnsupportedOperation.DiskLatestOperationUnfinished"
    )
    assert await api.error("TerminateDisks", {"DiskIds": [disk_id]}) == (
        "OperationDenied.DiskOperationInProgress"
    )
    # the renew flag may change while ATTACHING, and does not disturb the attach
    await api.ok(
        "ModifyDisksRenewFlag",
        {"DiskIds": [disk_id], "RenewFlag": "DISABLE_NOTIFY_AND_MANUAL_RENEW"},
    )
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert found["DiskState"] == "ATTACHED" and found["LatestOperation"] == "AttachDisks"
    assert found["RenewFlag"] == "DISABLE_NOTIFY_AND_MANUAL_RENEW"


# -- resize, renew, isolate, terminate ------------------------------------------------------


async def test_resize_grows_after_the_delay(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    await api.ok("ResizeDisks", {"DiskIds": [disk_id], "DiskSize": 50})
    found = await disk(api, disk_id)
    assert found["DiskSize"] == 20 and found["LatestOperationState"] == "OPERATING"
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert found["DiskSize"] == 50 and found["LatestOperation"] == "ResizeDisks"


@pytest.mark.parametrize(
    ("size", "code"),
    [
        (20, "UnsupportedOperation.SameWithOldConfig"),
        (10, "InvalidParameterValue.DiskSizeSmallerThanCurrentDiskSize"),
        (45, "InvalidParameterValue.InvalidDiskSize"),
    ],
)
async def test_resize_rules(api: Any, clock: Any, size: int, code: str) -> None:
    (disk_id,) = await create(api, clock)
    assert await api.error("ResizeDisks", {"DiskIds": [disk_id], "DiskSize": size}) == code


async def test_isolate_renew_terminate_lifecycle(api: Any, clock: Any) -> None:
    disk_id = await attached(api, clock)
    assert await api.error("IsolateDisks", {"DiskIds": [disk_id]}) == (
        "UnsupportedOperation.InvalidDiskState"
    )
    assert await api.error("TerminateDisks", {"DiskIds": [disk_id]}) == (
        "UnsupportedOperation.InvalidDiskState"
    )
    await api.ok("DetachDisks", {"DiskIds": [disk_id]})
    clock.advance(DELAY)
    await api.ok("IsolateDisks", {"DiskIds": [disk_id]})
    found = await disk(api, disk_id)
    assert (found["LatestOperation"], found["LatestOperationState"]) == (
        "IsolateDisks",
        "OPERATING",
    )
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert found["DiskState"] == "SHUTDOWN" and found["IsolatedTime"]
    assert found["LatestOperationState"] == "SUCCESS"
    # renewing brings an isolated disk back
    expired = found["ExpiredTime"]
    await api.ok("RenewDisks", {"DiskIds": [disk_id], "RenewDiskChargePrepaid": {"Period": 2}})
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert found["DiskState"] == "UNATTACHED" and found["IsolatedTime"] is None
    assert found["ExpiredTime"] > expired
    await api.ok("IsolateDisks", {"DiskIds": [disk_id]})
    clock.advance(DELAY)
    await api.ok("TerminateDisks", {"DiskIds": [disk_id]})
    assert (await disk(api, disk_id))["DiskState"] == "TERMINATING"
    clock.advance(DELAY)
    data = await api.ok("DescribeDisks", {"DiskIds": [disk_id]})
    assert data == {**data, "TotalCount": 0, "DiskSet": []}


async def test_renew_adds_calendar_months(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    before = (await disk(api, disk_id))["ExpiredTime"]
    await api.ok(
        "RenewDisks",
        {
            "DiskIds": [disk_id],
            "RenewDiskChargePrepaid": {"Period": 12, "RenewFlag": "NOTIFY_AND_AUTO_RENEW"},
        },
    )
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert int(found["ExpiredTime"][:4]) == int(before[:4]) + 1
    assert found["ExpiredTime"][4:] == before[4:]
    assert found["RenewFlag"] == "NOTIFY_AND_AUTO_RENEW"


async def test_renew_period_or_deadline(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    assert await api.error("RenewDisks", {"DiskIds": [disk_id], "RenewDiskChargePrepaid": {}}) in (
        "MissingParameter.MissingParameterPeriodCurInstanceDeadline",  # the documented one
        "MissingParameter",
    )  # the catalog's member-rule check, which answers first
    assert await api.error(
        "RenewDisks",
        {
            "DiskIds": [disk_id],
            "RenewDiskChargePrepaid": {"CurInstanceDeadline": "2000-01-01 00:00:00"},
        },
    ) == ("InvalidParameterValue.InvalidCurInstanceDeadline")
    expires = (await disk(api, disk_id))["ExpiredTime"]
    year = int(expires[:4]) + 1
    await api.ok(
        "RenewDisks",
        {
            "DiskIds": [disk_id],
            "RenewDiskChargePrepaid": {"CurInstanceDeadline": f"{year}-01-01 00:00:00"},
        },
    )
    clock.advance(DELAY)
    assert (await disk(api, disk_id))["ExpiredTime"] == f"{year - 1}-12-31T16:00:00Z"


# -- attributes -------------------------------------------------------------------------------


async def test_modify_attribute_and_its_rules(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    result = await api.ok("ModifyDisksAttribute", {"DiskIds": [disk_id], "DiskName": "data-01"})
    found = await disk(api, disk_id)
    assert found["DiskName"] == "data-01"
    assert found["LatestOperationRequestId"] == result["RequestId"]
    assert (
        await api.error("ModifyDisksAttribute", {"DiskIds": [disk_id], "DiskName": "x" * 61})
        == "InvalidParameter"
    )
    assert await api.error(
        "ModifyDisksAttribute", {"DiskIds": ["lhdisk-demo0001"], "DiskName": "sys"}
    ) == ("OperationDenied.DiskUsageNotSupportOperation")
    assert await api.error(
        "ModifyDisksAttribute", {"DiskIds": [disk_id, disk_id], "DiskName": "twice"}
    ) in ("InvalidParameterValue.Duplicated", "InvalidParameterValue")


async def test_backup_quota_rules(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock, DiskBackupQuota=1)
    await api.ok("CreateDiskBackup", {"DiskId": disk_id})
    clock.advance(DELAY)
    assert await api.error(
        "ModifyDisksBackupQuota", {"DiskIds": [disk_id], "DiskBackupQuota": 0}
    ) == ("InvalidParameterValue.DiskBackupQuotaLessThenCurrentDiskBackupNum")
    assert await api.error(
        "ModifyDisksBackupQuota", {"DiskIds": [disk_id], "DiskBackupQuota": 1}
    ) == ("UnsupportedOperation.SameWithOldConfig")
    await api.ok("ModifyDisksBackupQuota", {"DiskIds": [disk_id], "DiskBackupQuota": 4})
    found = await disk(api, disk_id)
    assert (found["DiskBackupQuota"], found["DiskBackupCount"]) == (4, 1)


# -- queries ----------------------------------------------------------------------------------


async def test_describe_filters_order_and_pages(api: Any, clock: Any) -> None:
    small, big = await create(api, clock, DiskCount=2)
    await api.ok("ResizeDisks", {"DiskIds": [big], "DiskSize": 100})
    clock.advance(DELAY)
    everything = await api.ok("DescribeDisks", {"Limit": 100})
    assert everything["TotalCount"] == 4  # two data disks + the demo instances' system disks
    systems = await api.ok(
        "DescribeDisks", {"Filters": [{"Name": "disk-usage", "Values": ["SYSTEM_DISK"]}]}
    )
    assert {d["DiskId"] for d in systems["DiskSet"]} == {"lhdisk-demo0001", "lhdisk-demo0002"}
    assert all(d["DiskState"] == "ATTACHED" for d in systems["DiskSet"])
    both = await api.ok(
        "DescribeDisks",
        {
            "Filters": [
                {"Name": "zone", "Values": [ZONE]},
                {"Name": "disk-state", "Values": ["UNATTACHED", "ATTACHING"]},
            ]
        },
    )
    assert {d["DiskId"] for d in both["DiskSet"]} == {small, big}
    ordered = await api.ok(
        "DescribeDisks",
        {
            "OrderField": "DISK_SIZE",
            "Order": "ASC",
            "Filters": [{"Name": "disk-usage", "Values": ["DATA_DISK"]}],
        },
    )
    assert [d["DiskId"] for d in ordered["DiskSet"]] == [small, big]
    paged = await api.ok(
        "DescribeDisks", {"OrderField": "DISK_SIZE", "Order": "DESC", "Limit": 1, "Offset": 1}
    )
    assert paged["TotalCount"] == 4 and len(paged["DiskSet"]) == 1
    assert (
        await api.error(
            "DescribeDisks", {"DiskIds": [small], "Filters": [{"Name": "zone", "Values": [ZONE]}]}
        )
        == "InvalidParameter.ParameterConflict"
    )
    assert await api.error("DescribeDisks", {"Filters": [{"Name": "size", "Values": ["1"]}]}) == (
        "InvalidParameter.InvalidFilterInvalidKey"
    )


async def test_denied_actions_follow_the_rules(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    data = await api.ok(
        "DescribeDisksDeniedActions", {"DiskIds": [disk_id, "lhdisk-nothere1", "lhdisk-demo0001"]}
    )  # unknown ids left out
    free, system = data["DiskDeniedActionSet"]
    denied = {d["Action"]: d["Code"] for d in free["DeniedActions"]}
    assert denied["DetachDisks"] == "UnsupportedOperation.InvalidDiskState"
    assert denied["TerminateDisks"] == "UnsupportedOperation.InvalidDiskState"
    assert "AttachDisks" not in denied and "IsolateDisks" not in denied
    assert "CreateDiskBackup" in denied  # quota 0
    assert {d["Action"] for d in system["DeniedActions"]} >= {
        "AttachDisks",
        "DetachDisks",
        "ResizeDisks",
        "IsolateDisks",
        "TerminateDisks",
    }
    assert {d["Code"] for d in system["DeniedActions"]} == {
        "OperationDenied.DiskUsageNotSupportOperation",
        "UnsupportedOperation.InvalidDiskState",
    }
    assert disk_id in free["DeniedActions"][0]["Message"]


async def test_returnable(api: Any, clock: Any) -> None:
    (disk_id,) = await create(api, clock)
    data = await api.ok("DescribeDisksReturnable", {})
    assert data["TotalCount"] == 1
    assert data["DiskReturnableSet"][0] == {
        "DiskId": disk_id,
        "IsReturnable": True,
        "ReturnFailCode": 0,
        "ReturnFailMessage": "",
    }
    await api.ok("IsolateDisks", {"DiskIds": [disk_id]})
    clock.advance(DELAY)
    row = (await api.ok("DescribeDisksReturnable", {"DiskIds": [disk_id]}))["DiskReturnableSet"][0]
    assert row["IsReturnable"] is False and "SHUTDOWN" in row["ReturnFailMessage"]


async def test_disk_configs_per_zone(api: Any) -> None:
    data = await api.ok("DescribeDiskConfigs", {"Filters": [{"Name": "zone", "Values": [ZONE]}]})
    assert {(c["Zone"], c["DiskType"], c["MinDiskSize"]) for c in data["DiskConfigSet"]} == {
        (ZONE, "CLOUD_PREMIUM", 10),
        (ZONE, "CLOUD_SSD", 20),
    }
    assert (
        await api.error(
            "DescribeDiskConfigs", {"Filters": [{"Name": "zone", "Values": ["mars-1"]}]}
        )
        == "InvalidParameterValue.InvalidZone"
    )


# -- prices -------------------------------------------------------------------------------------


async def test_discount_table_agrees_with_the_quote(api: Any) -> None:
    """DescribeDiskDiscount and InquirePriceCreateDisks price a disk by one formula."""
    spec = {"DiskType": "CLOUD_SSD", "DiskSize": 50, "DiskBackupQuota": 2}
    data = await api.ok("DescribeDiskDiscount", spec)
    rows = {r["TimeSpan"]: r for r in data["DiscountDetail"]}
    assert data["Currency"] == "CNY" and set(rows) >= {1, 6, 12, 24, 36, 60}
    for months in (1, 6, 12, 36):
        quote = (
            await api.ok(
                "InquirePriceCreateDisks", {**spec, "DiskChargePrepaid": {"Period": months}}
            )
        )["DiskPrice"]
        assert rows[months]["TotalCost"] == quote["OriginalPrice"]
        assert rows[months]["RealTotalCost"] == quote["DiscountPrice"]
        assert rows[months]["Discount"] == quote["Discount"]
    assert rows[1]["TotalCost"] == 54.0  # 50 GB at 1.0 + two backup points at 2.0
    assert rows[1]["PolicyDetail"]["DiscountType"] is None
    assert rows[12]["Discount"] < 100 and rows[12]["PolicyDetail"]["DiscountType"] == "common"
    assert await api.error("DescribeDiskDiscount", {"DiskType": "CLOUD_SSD", "DiskSize": 15}) == (
        "InvalidParameterValue.OutOfRange"
    )


# -- what instance changes do to disks ---------------------------------------------------------


async def test_disks_of_a_vanished_instance_are_detached(
    api: Any, clock: Any, instances: Any
) -> None:
    disk_id = await attached(api, clock)
    del instances[RUNNING_ID]  # TerminateInstances completed (compute family)
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["InstanceId"], found["Attached"]) == ("UNATTACHED", "", False)
    await api.ok("IsolateDisks", {"DiskIds": [disk_id]})


@pytest.mark.parametrize(("return_disks", "final"), [(True, "SHUTDOWN"), (False, "UNATTACHED")])
async def test_instance_isolation_hook(
    api: Any, clock: Any, sandbox: Any, return_disks: bool, final: str
) -> None:
    disk_id = await attached(api, clock)
    sandbox.backend.apply_due()  # as the backend does before each request
    ctx = sandbox.backend.context("IsolateInstances", DEFAULT_SECRET_ID, "ap-guangzhou", "req-1")
    follow_instance_isolation(ctx, RUNNING_ID, return_disks=return_disks)
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["LatestOperation"]) == ("DETACHING", "IsolateInstances")
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["InstanceId"]) == (final, "")
    assert bool(found["IsolatedTime"]) is return_disks
