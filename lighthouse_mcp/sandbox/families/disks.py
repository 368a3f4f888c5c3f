"""The 云硬盘 (cloud disk) family: data disks, their lifecycle, attach rules and prices.

A data disk is a record of table ``disks`` shaped like the documented ``Disk`` structure.
Its documented life::

    CreateDisks   PENDING ──────────────→ UNATTACHED (or ATTACHED with AutoMountConfiguration)
    AttachDisks   UNATTACHED → ATTACHING → ATTACHED
    DetachDisks   ATTACHED → DETACHING → UNATTACHED
    IsolateDisks  UNATTACHED ─────────────→ SHUTDOWN          (LatestOperationState → SUCCESS)
    RenewDisks    ATTACHED/UNATTACHED/SHUTDOWN → same, later expiry (SHUTDOWN comes back
                  UNATTACHED)
    TerminateDisks SHUTDOWN → TERMINATING → gone (with its backup points)

Every change records LatestOperation / LatestOperationState (OPERATING, then SUCCESS) /
LatestOperationRequestId, and completes ``ctx.delay`` seconds later so a waiter sees the
intermediate state. The records and the rules each action checks are in
:mod:`disk_model`; this module is the actions. Prices (InquirePrice*Disks) are the
``prices`` module's; DescribeDiskDiscount here uses the same formula.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..engine import periods, seed
from ..engine.context import Ctx
from ..engine.listing import (
    TAG_FILTERS,
    Accessor,
    apply_filters,
    given_tags,
    id_pattern,
    page,
    select,
)
from ..engine.registry import Family
from ..engine.state import Record
from . import prices, quotas
from .disk_model import (
    BACKUPS,
    DATA_DISK,
    DISKS,
    MAX_ATTACHED_DATA_DISKS,
    MAX_NAME_LENGTH,
    RULES,
    all_disks,
    attached_data_disk_count,
    backup_count,
    begin,
    check_backup_quota,
    check_size,
    checked_disks,
    denied_actions,
    disk_problem,
    find_disk,
    finish,
    region_zones,
    renewal_months,
)
from .hosts import ATTACHABLE_STATES, find_instance, instance_problem, require_instance

family = Family("disks")

# -- create ------------------------------------------------------------------------------


def _check_auto_mount(ctx: Ctx, conf: Mapping[str, Any], zone: str, count: int) -> Record:
    instance = require_instance(ctx, str(conf["InstanceId"]), {"RUNNING"})
    if instance.get("Zone") != zone:
        raise ctx.fail(
            "InvalidParameterValue.DiskInstanceZoneNotMatch",
            f"The instance `{instance['InstanceId']}` is in {instance.get('Zone')}, not in "
            f"the disks' zone {zone}.",
            also=("InvalidParameterValue",),
        )
    if instance.get("PlatformType") == "WINDOWS":
        for key, code in (
            ("MountPoint", "InvalidParameterValue.PlatformTypeNotSupportMountPoint"),
            ("FileSystemType", "InvalidParameterValue.PlatformTypeNotSupportFileSystem"),
        ):
            if key in conf:
                raise ctx.fail(
                    code,
                    f"`AutoMountConfiguration.{key}` is for Linux instances only; "
                    f"`{instance['InstanceId']}` runs Windows.",
                    also=("InvalidParameterValue",),
                )
    _check_attach_room(ctx, str(instance["InstanceId"]), count)
    return instance


def _check_attach_room(ctx: Ctx, instance_id: str, adding: int) -> None:
    attached = attached_data_disk_count(ctx, instance_id)
    if attached + adding > MAX_ATTACHED_DATA_DISKS:
        raise ctx.fail(
            "LimitExceeded.AttachDataDiskQuotaLimitExceeded",
            f"The instance `{instance_id}` has {attached} data disks; attaching {adding} more "
            f"exceeds its limit of {MAX_ATTACHED_DATA_DISKS}.",
        )


@family.handler("CreateDisks")
def create_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    zone = params["Zone"]
    if zone not in region_zones(ctx):
        raise ctx.fail(
            "InvalidParameterValue.InvalidZone",
            f"`Zone` must be a zone of {ctx.region} ({', '.join(region_zones(ctx))}); "
            f"got {str(zone)[:40]!r}.",
            also=("InvalidParameterValue.ZoneInvalid", "InvalidParameterValue"),
        )
    disk_type, size = params["DiskType"], int(params["DiskSize"])
    check_size(ctx, disk_type, size)
    count = int(params.get("DiskCount", 1))
    quota = int(params.get("DiskBackupQuota", 0))
    check_backup_quota(ctx, quota)
    prepaid = params["DiskChargePrepaid"]
    period = int(prepaid["Period"])  # a documented enum, checked before the handler
    quotas.require(ctx, "DATA_DISK", count, "LimitExceeded.DiskQuotaLimitExceeded")
    mount = params.get("AutoMountConfiguration")
    instance = _check_auto_mount(ctx, mount, zone, count) if mount else None
    now = ctx.now()
    expires = ctx.iso(periods.add_months(now, period))
    name = params.get("DiskName")
    ids = []
    for _ in range(count):
        disk_id = ctx.new_id("lhdisk")
        ids.append(disk_id)
        ctx.state.table(DISKS)[disk_id] = {
            "DiskId": disk_id,
            "InstanceId": instance["InstanceId"] if instance else "",
            "Zone": zone,
            "DiskName": name or f"{disk_id}-data-disk",
            "DiskUsage": DATA_DISK,
            "DiskType": disk_type,
            "DiskChargeType": "PREPAID",
            "DiskSize": size,
            "RenewFlag": prepaid.get("RenewFlag", "NOTIFY_AND_MANUAL_RENEW"),
            "DiskState": "PENDING",
            "Attached": False,
            "DeleteWithInstance": False,
            "LatestOperation": ctx.action,
            "LatestOperationState": "OPERATING",
            "LatestOperationRequestId": ctx.request_id,
            "CreatedTime": ctx.iso(now),
            "ExpiredTime": expires,
            "IsolatedTime": None,
            "DiskBackupCount": 0,
            "DiskBackupQuota": quota,
            "Tags": given_tags(params),
        }
        done = (
            {"DiskState": "ATTACHED", "Attached": True} if instance else {"DiskState": "UNATTACHED"}
        )
        ctx.schedule(DISKS, disk_id, set={**done, "LatestOperationState": "SUCCESS"})
    return {"DiskIdSet": ids}


# -- attach / detach -----------------------------------------------------------------------


@family.handler("AttachDisks")
def attach_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance = find_instance(ctx, params["InstanceId"])
    disks = checked_disks(ctx, params["DiskIds"])
    problem = instance_problem(ctx, instance, ATTACHABLE_STATES)
    if problem is not None:
        raise problem
    iid = str(instance["InstanceId"])
    for disk in disks:
        if disk.get("Zone") != instance.get("Zone"):
            raise ctx.fail(
                "InvalidParameterValue.DiskInstanceZoneNotMatch",
                f"The disk `{disk['DiskId']}` is in {disk.get('Zone')} but instance `{iid}` "
                f"is in {instance.get('Zone')}; a disk attaches only in its own zone.",
            )
    _check_attach_room(ctx, iid, len(disks))
    for disk in disks:
        disk["InstanceId"] = iid
        if "RenewFlag" in params:
            disk["RenewFlag"] = params["RenewFlag"]
        begin(ctx, disk, state="ATTACHING", then={"DiskState": "ATTACHED", "Attached": True})
    return {}


@family.handler("DetachDisks")
def detach_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    disks = checked_disks(ctx, params["DiskIds"])
    hosts = sorted({str(d.get("InstanceId")) for d in disks})
    if len(hosts) > 1:
        raise ctx.fail(
            "InvalidParameterValue",
            f"`DiskIds` must all be attached to one instance; they are on {', '.join(hosts)}.",
        )
    for disk in disks:
        begin(
            ctx,
            disk,
            state="DETACHING",
            then={"DiskState": "UNATTACHED", "Attached": False, "InstanceId": ""},
        )
    return {}


# -- size, billing, lifecycle ------------------------------------------------------------


@family.handler("ResizeDisks")
def resize_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    disks = checked_disks(ctx, params["DiskIds"])
    size = int(params["DiskSize"])
    for disk in disks:
        current = int(disk["DiskSize"])
        if size == current:
            raise ctx.fail(
                "UnsupportedOperation.SameWithOldConfig",
                f"The disk `{disk['DiskId']}` is already {current} GB.",
            )
        if size < current:
            raise ctx.fail(
                "InvalidParameterValue.DiskSizeSmallerThanCurrentDiskSize",
                f"`DiskSize` {size} is smaller than disk `{disk['DiskId']}`'s {current} GB; "
                "disks only grow.",
            )
        check_size(ctx, str(disk["DiskType"]), size)
    for disk in disks:
        begin(ctx, disk, then={"DiskSize": size})
    return {}


@family.handler("RenewDisks")
def renew_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    disks = checked_disks(ctx, params["DiskIds"])
    prepaid = params["RenewDiskChargePrepaid"]
    plans = [(disk, renewal_months(ctx, prepaid, disk)) for disk in disks]
    now = ctx.now()
    deadline = periods.parse_local(str(prepaid.get("CurInstanceDeadline")))
    for disk, months in plans:
        start = max(now, periods.parse_iso(str(disk["ExpiredTime"])))
        # aligned to the instance's expiry, or whole months from the later of now / expiry
        end = deadline if deadline is not None else periods.add_months(start, int(months))
        then: dict[str, Any] = {"ExpiredTime": ctx.iso(end)}
        if disk["DiskState"] == "SHUTDOWN":
            then.update(DiskState="UNATTACHED", IsolatedTime=None)
        if "RenewFlag" in prepaid:
            disk["RenewFlag"] = prepaid["RenewFlag"]
        begin(ctx, disk, then=then)
    return {}


@family.handler("IsolateDisks")
def isolate_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    disks = checked_disks(ctx, params["DiskIds"])
    isolated_at = ctx.iso(ctx.now() + ctx.delay)
    for disk in disks:
        begin(ctx, disk, then={"DiskState": "SHUTDOWN", "IsolatedTime": isolated_at})
    return {}


@family.handler("TerminateDisks")
def terminate_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    disks = checked_disks(ctx, params["DiskIds"])
    backups = ctx.state.table(BACKUPS)
    for disk in disks:
        disk_id = str(disk["DiskId"])
        begin(ctx, disk, state="TERMINATING", then={})
        ctx.schedule(DISKS, disk_id, remove=True)
        for backup_id, backup in backups.items():
            if backup.get("DiskId") == disk_id:
                ctx.schedule(BACKUPS, backup_id, remove=True)
    return {}


# -- attributes ---------------------------------------------------------------------------


@family.handler("ModifyDisksAttribute")
def modify_disks_attribute(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    name = str(params["DiskName"])
    if len(name) > MAX_NAME_LENGTH:
        raise ctx.fail(
            "InvalidParameterValue.DiskNameTooLong",
            f"`DiskName` may have at most {MAX_NAME_LENGTH} characters; got {len(name)}.",
            also=("InvalidParameterValue.TooLong", "InvalidParameter"),
        )
    for disk in checked_disks(ctx, params["DiskIds"]):
        finish(ctx, disk, DiskName=name)
    return {}


@family.handler("ModifyDisksRenewFlag")
def modify_disks_renew_flag(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    # Allowed while ATTACHING/DETACHING, so it must not overwrite the running operation.
    for disk in checked_disks(ctx, params["DiskIds"]):
        disk["RenewFlag"] = params["RenewFlag"]
    return {}


@family.handler("ModifyDisksBackupQuota")
def modify_disks_backup_quota(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    quota = int(params["DiskBackupQuota"])
    check_backup_quota(ctx, quota)
    disks = checked_disks(ctx, params["DiskIds"])
    for disk in disks:
        have = backup_count(ctx, str(disk["DiskId"]))
        if quota < have:
            raise ctx.fail(
                "InvalidParameterValue.DiskBackupQuotaLessThenCurrentDiskBackupNum",
                f"The disk `{disk['DiskId']}` has {have} backup points; the quota cannot be "
                f"lowered to {quota}.",
            )
        if quota == disk.get("DiskBackupQuota"):
            raise ctx.fail(
                "UnsupportedOperation.SameWithOldConfig",
                f"The backup quota of disk `{disk['DiskId']}` is already {quota}.",
            )
    for disk in disks:
        finish(ctx, disk, DiskBackupQuota=quota)
    return {}


# -- describe ------------------------------------------------------------------------------

_DISK_FILTERS: dict[str, Accessor] = {
    "disk-id": lambda d: [d["DiskId"]],
    "instance-id": lambda d: [d["InstanceId"]],
    "disk-name": lambda d: [d["DiskName"]],
    "zone": lambda d: [d["Zone"]],
    "disk-usage": lambda d: [d["DiskUsage"]],
    "disk-state": lambda d: [d["DiskState"]],
    **TAG_FILTERS,
}
_DISK_ID = id_pattern("lhdisk")
_MALFORMED = "InvalidParameterValue.InvalidDiskIdMalformed"

_ORDER_FIELDS = {
    "CREATED_TIME": "CreatedTime",
    "EXPIRED_TIME": "ExpiredTime",
    "DISK_SIZE": "DiskSize",
}


def _sort_key(field: str) -> Callable[[Record], tuple[int, Any]]:
    def key(disk: Record) -> tuple[int, Any]:
        value = disk.get(field)
        return (0, "") if value is None else (1, value)

    return key


@family.handler("DescribeDisks")
def describe_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = select(
        ctx,
        params,
        all_disks(ctx),
        ids_param="DiskIds",
        id_key="DiskId",
        pattern=_DISK_ID,
        malformed=_MALFORMED,
        accessors=_DISK_FILTERS,
        tag_prefix=True,
    )
    field = _ORDER_FIELDS[params.get("OrderField", "CREATED_TIME")]
    rows.sort(key=_sort_key(field), reverse=params.get("Order", "DESC") == "DESC")
    return {"TotalCount": len(rows), "DiskSet": page(ctx, rows, params)}


@family.handler("DescribeDiskConfigs")
def describe_disk_configs(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    zones = region_zones(ctx)
    for spec in params.get("Filters") or ():
        for zone in spec["Values"]:
            if zone not in zones:
                raise ctx.fail(
                    "InvalidParameterValue.InvalidZone",
                    f"Filter `zone` value {str(zone)[:40]!r} is not a zone of {ctx.region}; "
                    f"expected one of {', '.join(zones)}.",
                    also=("InvalidParameterValue.ZoneInvalid", "InvalidParameterValue"),
                )
    configs = [
        {
            "Zone": zone,
            "DiskType": disk_type,
            "DiskSalesState": "AVAILABLE",
            "MaxDiskSize": high,
            "MinDiskSize": low,
            "DiskStepSize": step,
        }
        for zone in zones
        for disk_type, (low, high, step) in seed.DISK_SIZE_LIMITS.items()
    ]
    configs = apply_filters(ctx, configs, params.get("Filters"), {"zone": lambda c: [c["Zone"]]})
    return {"DiskConfigSet": configs}


@family.handler("DescribeDisksDeniedActions")
def describe_disks_denied_actions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    # Unknown ids are left out, as Describe* do (the page documents no not-found code).
    known = {disk["DiskId"] for disk in all_disks(ctx)}
    answer = [
        {
            "DiskId": disk_id,
            "DeniedActions": denied_actions(ctx, RULES, disk_problem, find_disk(ctx, disk_id)),
        }
        for disk_id in params["DiskIds"]
        if disk_id in known
    ]
    return {"DiskDeniedActionSet": answer}


def returnable(disk: Record) -> tuple[bool, int, str]:
    """Whether a disk may be returned for a refund now, with the reason when not."""
    if disk.get("DiskUsage") != DATA_DISK:
        return False, 1, f"The disk `{disk['DiskId']}` is a system disk; return its instance."
    if disk.get("DiskState") not in {"UNATTACHED", "ATTACHED"}:
        return (
            False,
            2,
            f"The disk `{disk['DiskId']}` is {disk.get('DiskState')}; only UNATTACHED or "
            "ATTACHED disks can be returned.",
        )
    return True, 0, ""


@family.handler("DescribeDisksReturnable")
def describe_disks_returnable(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("DiskIds")
    rows = [d for d in all_disks(ctx) if d.get("DiskUsage") == DATA_DISK or ids]
    rows = select(
        ctx,
        params,
        rows,
        ids_param="DiskIds",
        id_key="DiskId",
        pattern=_DISK_ID,
        malformed=_MALFORMED,
        accessors={},
    )
    answer = []
    for disk in rows:
        ok, code, message = returnable(disk)
        answer.append(
            {
                "DiskId": disk["DiskId"],
                "IsReturnable": ok,
                "ReturnFailCode": code,
                "ReturnFailMessage": message,
            }
        )
    return {"TotalCount": len(answer), "DiskReturnableSet": page(ctx, answer, params)}


@family.handler("DescribeDiskDiscount")
def describe_disk_discount(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """The discount table of one disk, priced by the same formula as InquirePriceCreateDisks."""
    disk_type, size = params["DiskType"], int(params["DiskSize"])
    check_size(ctx, disk_type, size)
    quota = int(params.get("DiskBackupQuota", 0))
    check_backup_quota(ctx, quota)
    monthly = prices.disk_quote(disk_type, size, 1, backup_quota=quota)["OriginalDiskPrice"]
    return {
        "Currency": seed.CURRENCY,
        "DiscountDetail": [seed.discount_detail(monthly, m) for m in seed.DISCOUNT_SPANS],
    }
