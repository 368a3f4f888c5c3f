"""What the storage families need to know about the instance a disk or container lives on.

Instances belong to the compute family (table ``instances``, records shaped like the
documented ``Instance`` structure). Disks, disk backups and Docker containers only read
them, through these helpers, so the instance rules the storage pages document (the
instance must exist, be in a given state, have no operation in flight) are worded and
coded once. Codes go through ``ctx.fail`` so each action answers with the spelling its
own error list uses (``ResourceNotFound.InstanceIdNotFound`` vs ``InstanceNotFound``).
"""

from __future__ import annotations

from collections.abc import Collection

from ..engine.context import Ctx
from ..engine.errors import SandboxError
from ..engine.state import Record

INSTANCES = "instances"

#: States in which an instance accepts disk attach/detach and disk backup operations.
ATTACHABLE_STATES = frozenset({"RUNNING", "STOPPED"})


def find_instance(ctx: Ctx, instance_id: str) -> Record:
    """The instance record, or the action's documented not-found error."""
    record = ctx.state.table(INSTANCES).get(instance_id)
    if record is None:
        raise ctx.fail(
            "ResourceNotFound.InstanceIdNotFound",
            f"The instance `{instance_id}` does not exist in {ctx.region}.",
            also=("ResourceNotFound.InstanceNotFound",),
        )
    return record


def instance_problem(ctx: Ctx, instance: Record, states: Collection[str]) -> SandboxError | None:
    """Why ``instance`` cannot take part in the current action now, or None if it can.

    Order mirrors the service: still being created, then an operation in flight, then a
    state outside ``states``.
    """
    iid = instance.get("InstanceId")
    state = instance.get("InstanceState")
    if state == "PENDING":
        return ctx.fail(
            "OperationDenied.InstanceCreating",
            f"The instance `{iid}` is still being created; retry when it is RUNNING.",
            also=("UnsupportedOperation.InvalidInstanceState",),
        )
    if instance.get("LatestOperationState") == "OPERATING":
        return ctx.fail(
            "UnsupportedOperation.LatestOperationUnfinished",
            f"The latest operation `{instance.get('LatestOperation')}` of instance `{iid}` "
            "has not finished; retry when it has.",
            also=("OperationDenied.InstanceOperationInProgress",),
        )
    if state not in states:
        expected = " or ".join(sorted(states))
        return ctx.fail(
            "UnsupportedOperation.InvalidInstanceState",
            f"The instance `{iid}` is {state}; this operation needs it {expected}.",
        )
    return None


def require_instance(ctx: Ctx, instance_id: str, states: Collection[str]) -> Record:
    """The instance, checked to exist and to be idle in one of ``states``."""
    instance = find_instance(ctx, instance_id)
    problem = instance_problem(ctx, instance, states)
    if problem is not None:
        raise problem
    return instance


def force_stop(ctx: Ctx, instance: Record) -> None:
    """Shut a RUNNING instance down the way the service does before a disk rollback.

    ApplyDiskBackup documents "相关RUNNING 状态的实例会强制关机": the instance passes through
    STOPPING to STOPPED, recorded as a StopInstances operation of this request.
    """
    if instance.get("InstanceState") != "RUNNING":
        return
    instance.update(
        InstanceState="STOPPING",
        LatestOperation="StopInstances",
        LatestOperationState="OPERATING",
        LatestOperationRequestId=ctx.request_id,
        LatestOperationStartedTime=ctx.iso(),
    )
    ctx.schedule(
        INSTANCES,
        str(instance["InstanceId"]),
        set={"InstanceState": "STOPPED", "LatestOperationState": "SUCCESS"},
    )
