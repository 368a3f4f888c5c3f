"""Data disks as records: reading them, the rules each action checks, operation bookkeeping.

A data disk is a record of table ``disks`` shaped like the documented ``Disk`` structure.
System disks are not stored: they are derived from each instance's ``SystemDisk`` so
DescribeDisks lists them, and every write action refuses them. Each action's
preconditions are a tuple of small rules in :data:`RULES`; the action enforces them and
DescribeDisksDeniedActions reports them, so "what is allowed" is written once. Other
families add theirs (disk_backups adds CreateDiskBackup).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..engine import periods, seed
from ..engine.context import Ctx
from ..engine.errors import SandboxError
from ..engine.listing import check_unique
from ..engine.state import Record, public
from . import prices
from .hosts import ATTACHABLE_STATES, INSTANCES, instance_problem

DISKS = "disks"
BACKUPS = "disk_backups"  # owned by disk_backups.py; read here for DiskBackupCount
DATA_DISK = "DATA_DISK"
SYSTEM_DISK = "SYSTEM_DISK"

#: Data disks one instance can hold (DescribeInstancesDiskNum: MaxAttachCount 5).
MAX_ATTACHED_DATA_DISKS = 5
#: CreateDisks "DiskName 最大长度60".
MAX_NAME_LENGTH = 60


def size_problem(disk_type: str, size: int) -> str | None:
    """What is wrong with ``size`` GB for ``disk_type`` (the catalogue's DescribeDiskConfigs
    limits), or None."""
    low, high, step = seed.DISK_SIZE_LIMITS[disk_type]
    if not low <= size <= high:
        return f"must be between {low} and {high} GB"
    if size % step:
        return f"must be a multiple of {step} GB"
    return None


#: States of a disk on an instance (attached, or on its way on or off).
_ON_INSTANCE = frozenset({"ATTACHING", "ATTACHED", "DETACHING"})
#: ... and those counting against the instance's MaxAttachCount: a disk created with
#: AutoMountConfiguration is PENDING with its InstanceId already set.
_COUNTED = _ON_INSTANCE | {"PENDING"}


# -- reading -------------------------------------------------------------------------


def region_zones(ctx: Ctx) -> list[str]:
    """The zones of the request's region, from the static zone catalogue."""
    return [z["Zone"] for z in seed.zones(ctx.region)]


def backup_count(ctx: Ctx, disk_id: str) -> int:
    """Backup points a disk has now (any state: creating ones count against the quota)."""
    return sum(1 for b in ctx.state.table(BACKUPS).values() if b.get("DiskId") == disk_id)


def attached_data_disk_count(ctx: Ctx, instance_id: str) -> int:
    """Data disks on (or being attached to / detached from) an instance.

    Compute's DescribeInstancesDiskNum can use this for AttachedDiskCount.
    """
    return sum(
        1
        for d in ctx.state.table(DISKS).values()
        if d.get("InstanceId") == instance_id and d.get("DiskState") in _COUNTED
    )


def _system_disk(instance: Record) -> Record | None:
    """The ``Disk`` view of an instance's system disk, derived from the instance."""
    system = instance.get("SystemDisk")
    if not isinstance(system, Mapping) or not system.get("DiskId"):
        return None
    state = instance.get("InstanceState")
    disk_state = state if state in {"PENDING", "SHUTDOWN", "TERMINATING"} else "ATTACHED"
    return {
        "DiskId": system["DiskId"],
        "InstanceId": instance.get("InstanceId"),
        "Zone": instance.get("Zone"),
        "DiskName": f"{system['DiskId']}-system-disk",
        "DiskUsage": SYSTEM_DISK,
        "DiskType": system.get("DiskType"),
        "DiskChargeType": instance.get("InstanceChargeType", "PREPAID"),
        "DiskSize": system.get("DiskSize"),
        "RenewFlag": instance.get("RenewFlag"),
        "DiskState": disk_state,
        "Attached": disk_state == "ATTACHED",
        "DeleteWithInstance": True,
        # a system disk changes with its instance (create, reset, bundle change)
        "LatestOperation": instance.get("LatestOperation"),
        "LatestOperationState": instance.get("LatestOperationState"),
        "LatestOperationRequestId": instance.get("LatestOperationRequestId"),
        "CreatedTime": instance.get("CreatedTime"),
        "ExpiredTime": instance.get("ExpiredTime"),
        "IsolatedTime": instance.get("IsolatedTime"),
        "DiskBackupCount": 0,
        "DiskBackupQuota": 0,
        "Tags": [],
    }


def _system_disks(ctx: Ctx) -> list[Record]:
    found = (_system_disk(i) for i in ctx.state.table(INSTANCES).values())
    return [d for d in found if d is not None]


def render(ctx: Ctx, disk: Record) -> Record:
    """The public ``Disk`` of a record, with its live backup count."""
    shown = public(disk)
    shown.setdefault("Tags", [])  # state saved before disks carried tags
    if shown.get("DiskUsage") == DATA_DISK:
        shown["DiskBackupCount"] = backup_count(ctx, str(disk["DiskId"]))
    return shown


def release_orphans(ctx: Ctx) -> None:
    """Detach data disks whose instance no longer exists, as the service does.

    Destroying instances is the compute family's job; reconciling here, before any disk is
    read or changed, keeps the disks right however the instance went away.
    """
    instances = ctx.state.table(INSTANCES)
    for disk in ctx.state.table(DISKS).values():
        if disk.get("InstanceId") and disk["InstanceId"] not in instances:
            disk.update(InstanceId="", Attached=False)
            if disk.get("DiskState") in _ON_INSTANCE:
                disk["DiskState"] = "UNATTACHED"


def all_disks(ctx: Ctx) -> list[Record]:
    """Every disk of the region as DescribeDisks shows it: data disks, then system disks."""
    release_orphans(ctx)
    return [render(ctx, d) for d in ctx.state.table(DISKS).values()] + _system_disks(ctx)


def find_disk(ctx: Ctx, disk_id: str) -> Record:
    """The stored data disk, the derived view of a system disk, or ResourceNotFound."""
    release_orphans(ctx)
    record = ctx.state.table(DISKS).get(disk_id)
    if record is not None:
        return record
    for system in _system_disks(ctx):
        if system["DiskId"] == disk_id:
            return system
    raise ctx.fail(
        "ResourceNotFound.DiskIdNotFound",
        f"The disk `{disk_id}` does not exist in {ctx.region}.",
        also=("ResourceNotFound.DiskNotFound", "ResourceNotFound.DiskNotExists"),
    )


# -- rules ---------------------------------------------------------------------------

Rule = Callable[[Ctx, Record], SandboxError | None]


def data_disk(ctx: Ctx, disk: Record) -> SandboxError | None:
    if disk.get("DiskUsage") == DATA_DISK:
        return None
    return ctx.fail(
        "OperationDenied.DiskUsageNotSupportOperation",
        f"The disk `{disk['DiskId']}` is a {disk.get('DiskUsage')}; {ctx.action} works on "
        "data disks only.",
        also=("UnsupportedOperation.InvalidDiskState",),
    )


def created(ctx: Ctx, disk: Record) -> SandboxError | None:
    if disk.get("DiskState") != "PENDING":
        return None
    return ctx.fail(
        "OperationDenied.DiskCreating",
        f"The disk `{disk['DiskId']}` is still being created; retry when it is UNATTACHED.",
        also=(
            "UnsupportedOperation.DiskLatestOperationUnfinished",
            "OperationDenied.DiskOperationInProgress",
            "UnsupportedOperation.InvalidDiskState",
        ),
    )


def idle(ctx: Ctx, disk: Record) -> SandboxError | None:
    if disk.get("LatestOperationState") != "OPERATING":
        return None
    return ctx.fail(
        "OperationDenied.DiskOperationInProgress",
        f"The latest operation `{disk.get('LatestOperation')}` of disk `{disk['DiskId']}` "
        "has not finished; retry when LatestOperationState is SUCCESS.",
        also=("UnsupportedOperation.DiskLatestOperationUnfinished",),
    )


def in_states(*states: str) -> Rule:
    """A rule: the disk's DiskState must be one of ``states``."""

    def rule(ctx: Ctx, disk: Record) -> SandboxError | None:
        if disk.get("DiskState") in states:
            return None
        return ctx.fail(
            "UnsupportedOperation.InvalidDiskState",
            f"The disk `{disk['DiskId']}` is in `{disk.get('DiskState')}` state and does not "
            f"support {ctx.action}; it needs {' or '.join(states)}.",
        )

    return rule


def host_ready(ctx: Ctx, disk: Record) -> SandboxError | None:
    """An attached disk's instance must exist, be idle and RUNNING or STOPPED."""
    if disk.get("DiskState") != "ATTACHED":
        return None
    instance = ctx.state.table(INSTANCES).get(str(disk.get("InstanceId")))
    if instance is None:
        return ctx.fail(
            "ResourceNotFound.DiskAttachedHasNoInstanceId",
            f"The instance `{disk.get('InstanceId')}` that disk `{disk['DiskId']}` is "
            "attached to does not exist.",
            also=("ResourceNotFound.InstanceIdNotFound", "ResourceNotFound.InstanceNotFound"),
        )
    return instance_problem(ctx, instance, ATTACHABLE_STATES)


READY = (data_disk, created, idle)

#: Preconditions of each action on one disk, in the order the service checks them.
#: Other families add theirs (disk_backups: CreateDiskBackup) so denied-action lists see them.
RULES: dict[str, tuple[Rule, ...]] = {
    "AttachDisks": (*READY, in_states("UNATTACHED")),
    "DetachDisks": (*READY, in_states("ATTACHED"), host_ready),
    "ResizeDisks": (*READY, in_states("ATTACHED", "UNATTACHED")),
    "RenewDisks": (*READY, in_states("ATTACHED", "UNATTACHED", "SHUTDOWN")),
    "IsolateDisks": (*READY, in_states("UNATTACHED")),
    "TerminateDisks": (data_disk, idle, in_states("SHUTDOWN")),
    "ModifyDisksAttribute": (*READY, in_states("ATTACHED", "UNATTACHED")),
    "ModifyDisksRenewFlag": (
        data_disk,
        created,
        in_states("ATTACHED", "UNATTACHED", "ATTACHING", "DETACHING"),
    ),
    "ModifyDisksBackupQuota": (*READY, in_states("ATTACHED", "UNATTACHED")),
}


def first_problem(
    ctx: Ctx, action: str, rules: Iterable[Rule], record: Record
) -> SandboxError | None:
    """The first of ``rules`` that ``record`` breaks, coded as ``action`` documents it."""
    as_action = dataclasses.replace(ctx, action=action)
    for rule in rules:
        problem = rule(as_action, record)
        if problem is not None:
            return problem
    return None


def disk_problem(ctx: Ctx, action: str, disk: Record) -> SandboxError | None:
    """Why ``action`` cannot run on ``disk`` now, or None."""
    return first_problem(ctx, action, RULES[action], disk)


def denied_actions(
    ctx: Ctx,
    actions: Iterable[str],
    problem: Callable[[Ctx, str, Record], SandboxError | None],
    record: Record,
) -> list[dict[str, str]]:
    """The ``DeniedAction`` list of a record: each action ``problem`` finds a reason for."""
    found = ((action, problem(ctx, action, record)) for action in actions)
    return [
        {"Action": action, "Code": why.code, "Message": why.message}
        for action, why in found
        if why is not None
    ]


def checked_disks(ctx: Ctx, ids: Sequence[str]) -> list[Record]:
    """All disks of ``ids``, each passing this action's rules: batches are all-or-nothing."""
    check_unique(ctx, ids, "DiskIds")
    disks = [find_disk(ctx, disk_id) for disk_id in ids]
    for disk in disks:
        problem = disk_problem(ctx, ctx.action, disk)
        if problem is not None:
            raise problem
    return disks


def begin(ctx: Ctx, disk: Record, *, state: str | None = None, then: Mapping[str, Any]) -> None:
    """Start this request's operation on ``disk``; ``then`` lands when it completes."""
    disk.update(
        LatestOperation=ctx.action,
        LatestOperationState="OPERATING",
        LatestOperationRequestId=ctx.request_id,
    )
    if state is not None:
        disk["DiskState"] = state
    ctx.schedule(DISKS, str(disk["DiskId"]), set={**then, "LatestOperationState": "SUCCESS"})


def finish(ctx: Ctx, disk: Record, **changes: Any) -> None:
    """Apply a synchronous change, recorded as this request's successful operation."""
    disk.update(
        changes,
        LatestOperation=ctx.action,
        LatestOperationState="SUCCESS",
        LatestOperationRequestId=ctx.request_id,
    )


# -- parameter rules shared by create, resize and prices --------------------------------


def check_size(ctx: Ctx, disk_type: str, size: int, name: str = "DiskSize") -> None:
    if disk_type not in seed.DISK_SIZE_LIMITS:
        raise ctx.fail(
            "InvalidParameterValue.InvalidDiskType",
            f"`DiskType` must be one of {', '.join(seed.DISK_SIZE_LIMITS)}; got {disk_type!r}.",
            also=("InvalidParameterValue",),
        )
    problem = size_problem(disk_type, size)
    if problem is not None:
        raise ctx.fail(
            "InvalidParameterValue.InvalidDiskSize",
            f"`{name}` {problem} for {disk_type}; got {size}.",
            also=("InvalidParameterValue.OutOfRange", "InvalidParameterValue"),
        )


def check_backup_quota(ctx: Ctx, quota: int) -> None:
    if not 0 <= quota <= seed.DISK_BACKUP_QUOTA_MAX:
        raise ctx.fail(
            "InvalidParameterValue.OutOfRange",
            f"`DiskBackupQuota` must be between 0 and {seed.DISK_BACKUP_QUOTA_MAX}; got {quota}.",
            also=("InvalidParameterValue",),
        )


def renewal_months(ctx: Ctx, prepaid: Mapping[str, Any], disk: Record) -> float:
    """How many months ``RenewDiskChargePrepaid`` buys for ``disk`` (Period or deadline)."""
    period = prepaid.get("Period")
    deadline = prepaid.get("CurInstanceDeadline")
    if period is None and deadline is None:
        raise ctx.fail(
            "MissingParameter.MissingParameterPeriodCurInstanceDeadline",
            "`RenewDiskChargePrepaid` needs `Period` or `CurInstanceDeadline`.",
            also=("MissingParameter",),
        )
    if period is not None and deadline is not None:
        raise ctx.fail(
            "InvalidParameter.ParameterConflict",
            "`RenewDiskChargePrepaid.Period` and `CurInstanceDeadline` cannot both be given.",
            also=("InvalidParameter",),
        )
    if period is not None:
        prices.check_period(ctx, int(period), renew=True, field="RenewDiskChargePrepaid.Period")
        return float(period)
    target = periods.parse_local(str(deadline))
    if target is None:
        raise ctx.fail(
            "InvalidParameterValue.InvalidCurInstanceDeadline",
            "`RenewDiskChargePrepaid.CurInstanceDeadline` must look like 2018-01-01 00:00:00; "
            f"got {str(deadline)[:40]!r}.",
            also=("InvalidParameterValue",),
        )
    expires = periods.parse_iso(str(disk["ExpiredTime"]))
    if target <= expires:
        raise ctx.fail(
            "InvalidParameterValue.InvalidCurInstanceDeadline",
            f"`CurInstanceDeadline` {deadline} must be later than the expiry of disk "
            f"`{disk['DiskId']}` ({periods.format_local(expires)}).",
            also=("InvalidParameterValue",),
        )
    return periods.months_until(expires, target)


def follow_instance_isolation(ctx: Ctx, instance_id: str, *, return_disks: bool) -> None:
    """What IsolateInstances does to the instance's data disks (its ``IsolateDataDisk``).

    Returned with the instance (the default), they are detached and go SHUTDOWN;
    otherwise they are only detached and stay billed as UNATTACHED disks. For the
    compute family to call from IsolateInstances, in the same request.
    """
    isolated_at = ctx.iso(ctx.now() + ctx.delay)
    released = {"DiskState": "UNATTACHED", "Attached": False, "InstanceId": ""}
    if return_disks:
        released.update(DiskState="SHUTDOWN", IsolatedTime=isolated_at)
    for disk in ctx.state.table(DISKS).values():
        if disk.get("InstanceId") == instance_id and disk.get("DiskState") == "ATTACHED":
            begin(ctx, disk, state="DETACHING", then=released)
