"""The 备份点 (disk backup point) family: backups of data disks and rollbacks to them.

A backup point is a record of table ``disk_backups`` shaped like the ``DiskBackup``
structure. Its documented life::

    CreateDiskBackup   CREATING (Percent 0 → 50) → NORMAL (Percent 100)
    ApplyDiskBackup    NORMAL → ROLLBACKING → NORMAL     (disk: LatestOperation ApplyDiskBackup;
                       a RUNNING instance the disk is attached to is forced to STOPPED first)
    DeleteDiskBackups  NORMAL → DELETING → gone

Backups count against their disk's ``DiskBackupQuota`` from the moment they are
requested. A disk with a backup operation in flight refuses another one
(``OperationDenied.DiskBusyForBackupOperation``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..engine.context import Ctx
from ..engine.errors import SandboxError
from ..engine.listing import (
    TAG_FILTERS,
    Accessor,
    check_unique,
    given_tags,
    id_pattern,
    page,
    select,
)
from ..engine.periods import BEIJING
from ..engine.registry import Family
from ..engine.state import Record, public
from . import disk_model
from .hosts import force_stop

family = Family("disk_backups")

BACKUPS = disk_model.BACKUPS
#: CreateDiskBackup / ModifyDiskBackupsAttribute: "最大长度为 90".
MAX_NAME_LENGTH = 90
#: Backup states in which the disk is busy with a backup operation.
_BUSY = frozenset({"CREATING", "ROLLBACKING", "DELETING"})

Rule = Callable[[Ctx, Record], SandboxError | None]


# -- disk-side rules ---------------------------------------------------------------------


def _disk_not_busy(ctx: Ctx, disk: Record) -> SandboxError | None:
    for backup in ctx.state.table(BACKUPS).values():
        if backup.get("DiskId") == disk["DiskId"] and backup.get("DiskBackupState") in _BUSY:
            return ctx.fail(
                "OperationDenied.DiskBusyForBackupOperation",
                f"The disk `{disk['DiskId']}` is busy: backup point "
                f"`{backup['DiskBackupId']}` is {backup['DiskBackupState']}; retry later.",
                also=("OperationDenied.DiskOperationInProgress",),
            )
    return None


def _quota_room(ctx: Ctx, disk: Record) -> SandboxError | None:
    have = disk_model.backup_count(ctx, str(disk["DiskId"]))
    quota = int(disk.get("DiskBackupQuota") or 0)
    if have < quota:
        return None
    return ctx.fail(
        "LimitExceeded.DiskBackupQuotaLimitExceeded",
        f"The disk `{disk['DiskId']}` has {have} of its {quota} backup points; raise its "
        "quota with ModifyDisksBackupQuota or delete a backup point first.",
    )


_DISK_READY = (*disk_model.READY, disk_model.in_states("ATTACHED", "UNATTACHED"), _disk_not_busy)

# The disk's denied-action list reports CreateDiskBackup too.
disk_model.RULES["CreateDiskBackup"] = (*_DISK_READY, _quota_room, disk_model.host_ready)
_APPLY_DISK_RULES: tuple[Rule, ...] = (*_DISK_READY, disk_model.host_ready)


# -- backup-side rules -------------------------------------------------------------------


def _backup_idle(ctx: Ctx, backup: Record) -> SandboxError | None:
    if backup.get("LatestOperationState") != "OPERATING":
        return None
    return ctx.fail(
        "OperationDenied.DiskBackupOperationInProgress",
        f"The latest operation `{backup.get('LatestOperation')}` of backup point "
        f"`{backup['DiskBackupId']}` has not finished; retry when it has.",
        also=(
            "UnsupportedOperation.DiskBackupLatestOperationUnfinished",
            "OperationDenied.DiskBackupBusy",
        ),
    )


def _backup_normal(ctx: Ctx, backup: Record) -> SandboxError | None:
    if backup.get("DiskBackupState") == "NORMAL":
        return None
    return ctx.fail(
        "UnsupportedOperation.InvalidDiskBackupState",
        f"The disk backup `{backup['DiskBackupId']}` is in `{backup.get('DiskBackupState')}` "
        "state and does not support this operation; it needs NORMAL.",
    )


#: Preconditions on the backup point itself, per action.
BACKUP_RULES: dict[str, tuple[Rule, ...]] = {
    "ApplyDiskBackup": (_backup_idle, _backup_normal),
    "DeleteDiskBackups": (_backup_idle, _backup_normal),
}


def backup_problem(ctx: Ctx, action: str, backup: Record) -> SandboxError | None:
    """Why ``action`` cannot run on ``backup`` now (its disk included), or None."""
    problem = disk_model.first_problem(ctx, action, BACKUP_RULES[action], backup)
    if problem is None and action == "ApplyDiskBackup":
        disk = ctx.state.table(disk_model.DISKS).get(str(backup["DiskId"]))
        if disk is not None:
            problem = disk_model.first_problem(ctx, action, _APPLY_DISK_RULES, disk)
    return problem


def find_backup(ctx: Ctx, backup_id: str) -> Record:
    record = ctx.state.table(BACKUPS).get(backup_id)
    if record is None:
        raise ctx.fail(
            "ResourceNotFound.DiskBackupIdNotFound",
            f"The disk backup `{backup_id}` does not exist in {ctx.region}.",
            also=("ResourceNotFound.DiskBackupNotFound", "ResourceNotFound.DiskBackupNotExists"),
        )
    return record


def _check_name(ctx: Ctx, name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise ctx.fail(
            "InvalidParameterValue.DiskBackupNameTooLong",
            f"`DiskBackupName` may have at most {MAX_NAME_LENGTH} characters; got {len(name)}.",
            also=("InvalidParameterValue.TooLong", "InvalidParameterValue"),
        )


def _progress(ctx: Ctx, backup_id: str, done: dict[str, Any]) -> None:
    """Percent 0 now, 50 halfway, then ``done`` with 100 at the end of the delay."""
    ctx.schedule(BACKUPS, backup_id, set={"Percent": 50}, after=ctx.delay / 2)
    ctx.schedule(
        BACKUPS, backup_id, set={**done, "Percent": 100, "LatestOperationState": "SUCCESS"}
    )


def _operation(ctx: Ctx) -> dict[str, Any]:
    return {
        "LatestOperation": ctx.action,
        "LatestOperationState": "OPERATING",
        "LatestOperationRequestId": ctx.request_id,
    }


# -- actions -----------------------------------------------------------------------------


@family.handler("CreateDiskBackup")
def create_disk_backup(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("DiskBackupName")
    if name is not None:
        _check_name(ctx, str(name))
    disk = disk_model.find_disk(ctx, params["DiskId"])
    problem = disk_model.disk_problem(ctx, ctx.action, disk)
    if problem is not None:
        raise problem
    backup_id = ctx.new_id("lhbak")
    disk_id = str(disk["DiskId"])
    now = ctx.now()
    stamp = datetime.fromtimestamp(int(now), BEIJING).strftime("%m%d%H")
    ctx.state.table(BACKUPS)[backup_id] = {
        "DiskBackupId": backup_id,
        "DiskUsage": disk["DiskUsage"],
        "DiskId": disk_id,
        "DiskSize": disk["DiskSize"],
        "DiskBackupName": name or f"{disk_id}-data-disk-{stamp}",
        "DiskBackupState": "CREATING",
        "Percent": 0,
        **_operation(ctx),
        "CreatedTime": ctx.iso(now),
        "Tags": given_tags(params),
    }
    _progress(ctx, backup_id, {"DiskBackupState": "NORMAL"})
    return {"DiskBackupId": backup_id}


@family.handler("ApplyDiskBackup")
def apply_disk_backup(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    backup = find_backup(ctx, params["DiskBackupId"])
    disk = disk_model.find_disk(ctx, params["DiskId"])
    if backup["DiskId"] != disk["DiskId"]:
        raise ctx.fail(
            "UnsupportedOperation.ApplyDiskBackupToAnotherDisk",
            f"The backup point `{backup['DiskBackupId']}` belongs to disk `{backup['DiskId']}`; "
            f"it can only be rolled back onto that disk, not `{disk['DiskId']}`.",
        )
    problem = backup_problem(ctx, ctx.action, backup)
    if problem is not None:
        raise problem
    if disk.get("DiskState") == "ATTACHED":
        force_stop(ctx, ctx.state.table("instances")[str(disk["InstanceId"])])
    backup.update(_operation(ctx), DiskBackupState="ROLLBACKING", Percent=0)
    _progress(ctx, str(backup["DiskBackupId"]), {"DiskBackupState": "NORMAL"})
    disk_model.begin(ctx, disk, then={})
    return {}


@family.handler("DeleteDiskBackups")
def delete_disk_backups(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ids = params["DiskBackupIds"]
    check_unique(ctx, ids, "DiskBackupIds")
    backups = [find_backup(ctx, backup_id) for backup_id in ids]
    for backup in backups:
        problem = backup_problem(ctx, ctx.action, backup)
        if problem is not None:
            raise problem
    for backup in backups:
        backup.update(_operation(ctx), DiskBackupState="DELETING")
        ctx.schedule(BACKUPS, str(backup["DiskBackupId"]), remove=True)
    return {}


@family.handler("ModifyDiskBackupsAttribute")
def modify_disk_backups_attribute(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if "DiskBackupName" not in params:
        raise ctx.fail(
            "MissingParameter",
            "Nothing to modify: give `DiskBackupName`, the one attribute this action changes.",
        )
    name = str(params["DiskBackupName"])
    _check_name(ctx, name)
    ids = params["DiskBackupIds"]
    check_unique(ctx, ids, "DiskBackupIds")
    for backup in [find_backup(ctx, backup_id) for backup_id in ids]:
        backup["DiskBackupName"] = name
    return {}


_BACKUP_FILTERS: dict[str, Accessor] = {
    "disk-backup-id": lambda b: [b["DiskBackupId"]],
    "disk-id": lambda b: [b["DiskId"]],
    "disk-backup-state": lambda b: [b["DiskBackupState"]],
    "disk-usage": lambda b: [b["DiskUsage"]],
    **TAG_FILTERS,
}


@family.handler("DescribeDiskBackups")
def describe_disk_backups(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = select(
        ctx,
        params,
        ({"Tags": [], **public(b)} for b in ctx.state.table(BACKUPS).values()),
        ids_param="DiskBackupIds",
        id_key="DiskBackupId",
        pattern=id_pattern("lhbak"),
        malformed="InvalidParameterValue.DiskBackupIdMalformed",
        accessors=_BACKUP_FILTERS,
        tag_prefix=True,
        max_values=5,
    )
    rows.sort(key=lambda b: str(b["CreatedTime"]), reverse=True)
    return {"TotalCount": len(rows), "DiskBackupSet": page(ctx, rows, params)}


@family.handler("DescribeDiskBackupsDeniedActions")
def describe_disk_backups_denied_actions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    # Unknown ids are left out, as Describe* do (the page documents no not-found code).
    table = ctx.state.table(BACKUPS)
    answer = [
        {
            "DiskBackupId": backup_id,
            "DeniedActions": disk_model.denied_actions(
                ctx, BACKUP_RULES, backup_problem, table[backup_id]
            ),
        }
        for backup_id in params["DiskBackupIds"]
        if backup_id in table
    ]
    return {"DiskBackupDeniedActionSet": answer}
