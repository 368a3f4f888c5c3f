"""System-disk snapshots: create from an instance, roll back, rename, delete, describe.

A record is the documented ``Snapshot`` plus ``_instance_id`` and the OS the disk held
(``_os``), so a rollback restores the instance's blueprint fields as a real disk
rollback would. Snapshots have their own little lifecycle (``CREATING`` -> ``NORMAL``,
``NORMAL`` -> ``ROLLBACKING`` -> ``NORMAL``, ``Percent`` 0 -> 100) and also mark the
instance busy through :func:`.instance_model.begin_operation`, which is what makes the
instance's other actions answer "operation in progress" meanwhile.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import Ctx
from ..engine.listing import (
    TAG_FILTERS,
    check_ids,
    check_length,
    given_tags,
    id_pattern,
    lookup_id,
    page,
    select,
)
from ..engine.registry import Family
from ..engine.state import Record, public
from . import quotas
from .instance_model import begin_operation, bundle, lookup, require

family = Family("snapshots")

SNAPSHOT_ID = id_pattern("lhsnap")
SNAPSHOT_ID_MALFORMED = "InvalidParameterValue.SnapshotIdMalformed"
SNAPSHOT_NOT_FOUND = ("ResourceNotFound.SnapshotIdNotFound", "ResourceNotFound.SnapshotNotFound")
MAX_NAME = 60
_OS_FIELDS = ("BlueprintId", "PlatformType", "Platform", "OsName")


def snapshots(ctx: Ctx) -> dict[str, Record]:
    return ctx.state.table("snapshots")


def lookup_snapshot(ctx: Ctx, snapshot_id: str, field: str = "SnapshotId") -> Record:
    return lookup_id(
        ctx,
        snapshots(ctx),
        snapshot_id,
        field=field,
        pattern=SNAPSHOT_ID,
        malformed=SNAPSHOT_ID_MALFORMED,
        not_found=SNAPSHOT_NOT_FOUND,
        kind="snapshot",
    )


def _check_name(ctx: Ctx, name: str | None) -> None:
    check_length(ctx, name, "SnapshotName", MAX_NAME, "InvalidParameterValue.SnapshotNameTooLong")


def _start(ctx: Ctx, record: Record, operation: str, transient: str) -> None:
    """Put a snapshot in ``transient`` and schedule its return to NORMAL/SUCCESS."""
    record.update(
        SnapshotState=transient,
        Percent=0,
        LatestOperation=operation,
        LatestOperationState="OPERATING",
        LatestOperationRequestId=ctx.request_id,
    )
    ctx.schedule(
        "snapshots",
        record["SnapshotId"],
        set={"SnapshotState": "NORMAL", "Percent": 100, "LatestOperationState": "SUCCESS"},
    )


@family.handler("CreateInstanceSnapshot")
def create_instance_snapshot(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _check_name(ctx, params.get("SnapshotName"))
    instance = lookup(ctx, params["InstanceId"])
    require(ctx, [instance])
    if (bundle(ctx, instance["BundleId"]) or {}).get("BundleType") == "STORAGE_BUNDLE":
        raise ctx.fail(
            "OperationDenied.OperationDeniedCreateSnapshotForStorageBundle",
            f"The instance `{instance['InstanceId']}` uses a storage bundle; "
            "storage bundles do not support snapshots.",
        )
    quotas.require(ctx, "SNAPSHOT", 1, "LimitExceeded.SnapshotQuotaLimitExceeded")
    disk = instance["SystemDisk"]
    record: Record = {
        "SnapshotId": ctx.new_id("lhsnap"),
        "DiskUsage": "SYSTEM_DISK",
        "DiskId": disk.get("DiskId"),
        "DiskSize": disk.get("DiskSize"),
        "SnapshotName": params.get("SnapshotName") or "",
        "SnapshotState": "CREATING",
        "Percent": 0,
        "LatestOperation": "CreateInstanceSnapshot",
        "LatestOperationState": "OPERATING",
        "LatestOperationRequestId": ctx.request_id,
        "CreatedTime": ctx.iso(),
        "Tags": given_tags(params),
        "_instance_id": instance["InstanceId"],
        "_os": {k: instance.get(k) for k in _OS_FIELDS},
    }
    snapshots(ctx)[record["SnapshotId"]] = record
    _start(ctx, record, "CreateInstanceSnapshot", "CREATING")
    begin_operation(ctx, instance, transient=None, final={})
    return {"SnapshotId": record["SnapshotId"]}


@family.handler("ApplyInstanceSnapshot")
def apply_instance_snapshot(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Roll the system disk back; a RUNNING instance is stopped for it and comes back."""
    instance = lookup(ctx, params["InstanceId"])
    snapshot = lookup_snapshot(ctx, params["SnapshotId"])
    require(ctx, [instance])
    if snapshot["_instance_id"] != instance["InstanceId"]:
        raise ctx.fail(
            "ResourceNotFound.SnapshotNotFound",
            f"The snapshot `{snapshot['SnapshotId']}` belongs to "
            f"`{snapshot['_instance_id']}`; a snapshot can only roll back its own "
            "system disk.",
            also=SNAPSHOT_NOT_FOUND,
        )
    if snapshot["SnapshotState"] != "NORMAL":
        raise ctx.fail(
            "UnsupportedOperation.InvalidSnapshotState",
            f"The snapshot `{snapshot['SnapshotId']}` is "
            f"{snapshot['SnapshotState']}; it must be NORMAL.",
        )
    if snapshot["DiskSize"] != instance["SystemDisk"].get("DiskSize"):
        raise ctx.fail(
            "InvalidParameterValue.DiskSizeNotMatch",
            f"The system disk is now {instance['SystemDisk'].get('DiskSize')} GB but "
            f"the snapshot was taken at {snapshot['DiskSize']} GB.",
        )
    _start(ctx, snapshot, "RollbackInstanceSnapshot", "ROLLBACKING")
    previous = instance["InstanceState"]
    begin_operation(
        ctx,
        instance,
        transient="STOPPING" if previous == "RUNNING" else None,
        final={"InstanceState": previous, **snapshot["_os"]},
    )
    return {}


@family.handler("DeleteSnapshots")
def delete_snapshots(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ids = params["SnapshotIds"]
    check_ids(ctx, ids, "SnapshotIds", SNAPSHOT_ID, SNAPSHOT_ID_MALFORMED, maximum=10)
    records = [lookup_snapshot(ctx, sid, "SnapshotIds") for sid in ids]
    for record in records:
        if record["SnapshotState"] != "NORMAL":
            raise ctx.fail(
                "UnsupportedOperation.InvalidSnapshotState",
                f"The snapshot `{record['SnapshotId']}` is {record['SnapshotState']}; "
                "only NORMAL snapshots can be deleted.",
                also=("UnsupportedOperation.SnapshotBusy",),
            )
    for record in records:
        del snapshots(ctx)[record["SnapshotId"]]
    return {}


@family.handler("ModifySnapshotAttribute")
def modify_snapshot_attribute(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _check_name(ctx, params.get("SnapshotName"))
    record = lookup_snapshot(ctx, params["SnapshotId"])
    if params.get("SnapshotName") is not None:
        record["SnapshotName"] = params["SnapshotName"]
    return {}


SNAPSHOT_FILTERS = {
    "snapshot-id": lambda r: [r["SnapshotId"]],
    "disk-id": lambda r: [r["DiskId"]],
    "snapshot-name": lambda r: [r["SnapshotName"]],
    "instance-id": lambda r: [r["_instance_id"]],
    **TAG_FILTERS,
}


@family.handler("DescribeSnapshots")
def describe_snapshots(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    newest_first = sorted(
        snapshots(ctx).values(), key=lambda r: (r["CreatedTime"], r["SnapshotId"]), reverse=True
    )
    rows = select(
        ctx,
        params,
        newest_first,
        ids_param="SnapshotIds",
        id_key="SnapshotId",
        pattern=SNAPSHOT_ID,
        malformed=SNAPSHOT_ID_MALFORMED,
        accessors=SNAPSHOT_FILTERS,
        tag_prefix=True,
        max_values=5,
    )
    shown = [{"Tags": [], **public(r)} for r in page(ctx, rows, params)]
    return {"TotalCount": len(rows), "SnapshotSet": shown}


def snapshot_denials(record: Record) -> list[Record]:
    """DeniedAction entries of one snapshot: only a NORMAL snapshot can be used or deleted."""
    if record["SnapshotState"] == "NORMAL":
        return []
    message = f"快照 {record['SnapshotId']} 处于 {record['SnapshotState']} 状态中，不支持该操作。"
    return [
        {"Action": action, "Code": "UnsupportedOperation.InvalidSnapshotState", "Message": message}
        for action in ("ApplyInstanceSnapshot", "DeleteSnapshots")
    ]


@family.handler("DescribeSnapshotsDeniedActions")
def describe_snapshots_denied_actions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ids = params["SnapshotIds"]
    check_ids(ctx, ids, "SnapshotIds", SNAPSHOT_ID, SNAPSHOT_ID_MALFORMED, maximum=100)
    records = [lookup_snapshot(ctx, sid, "SnapshotIds") for sid in ids]
    return {
        "SnapshotDeniedActionSet": [
            {"SnapshotId": r["SnapshotId"], "DeniedActions": snapshot_denials(r)} for r in records
        ]
    }
