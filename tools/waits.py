"""Waiting for asynchronous work to finish: which Describe* tells each resource's state.

Most Lighthouse writes return a RequestId while the work goes on. A model that polls
by hand spends its context on it; the ``wait_for`` tool does it server-side, driven by
the table below (data, one row per kind of resource) and one generic poll loop. The
loop is transport-agnostic: it takes an async ``call(action, params)`` and an optional
progress callback, so the server wires it to the shared client and MCP progress
notifications, and tests wire it to anything.
"""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

Call = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]
Progress = Callable[[float, float, str], Awaitable[None]]

DEFAULT_TIMEOUT_SECONDS = 300.0
MAX_TIMEOUT_SECONDS = 1800.0
FIRST_POLL_SECONDS = 1.0
MAX_POLL_SECONDS = 10.0
POLL_BACKOFF = 1.5
GONE = "GONE"
OPERATION_DONE = ("SUCCESS", "FAILED")


@dataclass(frozen=True)
class ResourceKind:
    """How to observe one kind of resource through its Describe* action."""

    describe: str
    ids_param: str
    set_field: str
    id_field: str
    state_field: str
    #: states that mean the work failed and waiting longer will not help
    failed_states: frozenset[str] = frozenset()
    #: other Describe* parameters the caller must supply (e.g. InstanceId for docker)
    required_context: tuple[str, ...] = ()
    #: whether records carry LatestOperation / LatestOperationState / ...RequestId
    has_latest_operation: bool = True
    max_ids: int = 100
    states: tuple[str, ...] = field(default=())


KINDS: dict[str, ResourceKind] = {
    "instance": ResourceKind(
        "DescribeInstances", "InstanceIds", "InstanceSet", "InstanceId", "InstanceState",
        failed_states=frozenset({"LAUNCH_FAILED"}),
        states=("PENDING", "LAUNCH_FAILED", "RUNNING", "STOPPED", "STARTING", "STOPPING",
                "REBOOTING", "SHUTDOWN", "TERMINATING", "DELETING", "FREEZING", GONE),
    ),
    "disk": ResourceKind(
        "DescribeDisks", "DiskIds", "DiskSet", "DiskId", "DiskState",
        failed_states=frozenset({"CREATED_FAILED"}),
        states=("PENDING", "UNATTACHED", "ATTACHING", "ATTACHED", "DETACHING", "SHUTDOWN",
                "CREATED_FAILED", "TERMINATING", "DELETING", "FREEZING", GONE),
    ),
    "snapshot": ResourceKind(
        "DescribeSnapshots", "SnapshotIds", "SnapshotSet", "SnapshotId", "SnapshotState",
        states=("NORMAL", "CREATING", "ROLLBACKING", GONE),
    ),
    "blueprint": ResourceKind(
        "DescribeBlueprints", "BlueprintIds", "BlueprintSet", "BlueprintId", "BlueprintState",
        failed_states=frozenset({"CREATEFAILED", "SYNCING_FAILED"}),
        has_latest_operation=False,
        states=("NORMAL", "SYNCING", "OFFLINE", "ISOLATED", "CREATEFAILED", "SYNCING_FAILED",
                "ISOLATING", "DELETING", "DESTROYING", GONE),
    ),
    "disk_backup": ResourceKind(
        "DescribeDiskBackups", "DiskBackupIds", "DiskBackupSet", "DiskBackupId",
        "DiskBackupState",
        states=("NORMAL", "CREATING", "ROLLBACKING", "DELETING", GONE),
    ),
    "docker_activity": ResourceKind(
        "DescribeDockerActivities", "ActivityIds", "DockerActivitySet", "ActivityId",
        "ActivityState",
        failed_states=frozenset({"FAILED"}),
        required_context=("InstanceId",),
        has_latest_operation=False,
        states=("INIT", "OPERATING", "SUCCESS", "FAILED"),
    ),
}


@dataclass
class Observed:
    """What the last poll saw of one resource, and the verdict on it."""

    id: str
    state: str | None = None
    latest_operation: str | None = None
    latest_operation_state: str | None = None
    latest_operation_request_id: str | None = None
    status: str = "waiting"  # waiting | reached | failed | timeout
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Id": self.id, "State": self.state, "Status": self.status}
        if self.latest_operation is not None:
            out["LatestOperation"] = self.latest_operation
            out["LatestOperationState"] = self.latest_operation_state
            out["LatestOperationRequestId"] = self.latest_operation_request_id
        if self.reason:
            out["Reason"] = self.reason
        return out


class WaitError(ValueError):
    """The wait was asked for something it cannot observe; names the field."""


def check_request(
    kind: str, ids: Sequence[str], target_state: str | None, operation_request_id: str | None,
    context: Mapping[str, Any],
) -> ResourceKind:
    """Validate a wait request before any call is made; every message names the field."""
    spec = KINDS.get(kind)
    if spec is None:
        raise WaitError(f"resource: expected one of {', '.join(KINDS)}, got {kind!r}")
    if not ids:
        raise WaitError("ids: expected at least one resource ID")
    if len(ids) > spec.max_ids:
        raise WaitError(f"ids: expected at most {spec.max_ids} IDs, got {len(ids)}")
    if (target_state is None) == (operation_request_id is None):
        raise WaitError("target_state / operation_request_id: give exactly one of them")
    if target_state is not None and target_state not in spec.states:
        raise WaitError(
            f"target_state: expected one of {', '.join(spec.states)} for {kind}, "
            f"got {target_state!r}"
        )
    if operation_request_id is not None and not spec.has_latest_operation:
        raise WaitError(
            f"operation_request_id: {kind} records carry no LatestOperationRequestId; "
            "use target_state"
        )
    for name in spec.required_context:
        if not context.get(name):
            raise WaitError(f"{name}: required to observe a {kind}")
    return spec


def _judge(
    spec: ResourceKind, seen: Observed, record: Mapping[str, Any] | None,
    target_state: str | None, operation_request_id: str | None,
) -> None:
    if record is None:
        seen.state = GONE
        if target_state == GONE:
            seen.status = "reached"
        elif operation_request_id is None:
            seen.status, seen.reason = "failed", "the resource no longer exists"
        return
    seen.state = str(record.get(spec.state_field))
    if spec.has_latest_operation:
        seen.latest_operation = record.get("LatestOperation")
        seen.latest_operation_state = record.get("LatestOperationState")
        seen.latest_operation_request_id = record.get("LatestOperationRequestId")
    if operation_request_id is not None:
        if seen.latest_operation_request_id != operation_request_id:
            return  # another operation is shown; ours has not been recorded yet
        if seen.latest_operation_state == "SUCCESS":
            seen.status = "reached"
        elif seen.latest_operation_state == "FAILED":
            seen.status = "failed"
            seen.reason = (
                f"{seen.latest_operation or 'the operation'} FAILED "
                f"(request {operation_request_id}); the instance is {seen.state}"
            )
        return
    if seen.state == target_state:
        seen.status = "reached"
    elif seen.state in spec.failed_states:
        seen.status = "failed"
        seen.reason = f"reached the failure state {seen.state}"
    elif spec.has_latest_operation and seen.latest_operation_state == "FAILED" and (
        seen.latest_operation is not None
    ):
        seen.status = "failed"
        seen.reason = f"its latest operation {seen.latest_operation} FAILED"


def _not_found(error: Exception) -> bool:
    code = str(getattr(error, "code", ""))
    return code.startswith("ResourceNotFound") or code.endswith("NotFound")


async def _describe(
    call: Call, spec: ResourceKind, params: dict[str, Any], chunk: list[str]
) -> dict[str, Mapping[str, Any]]:
    """Records by ID; an ID the API calls not found is simply absent (it is gone)."""
    try:
        response = await call(spec.describe, params)
    except Exception as error:
        if not _not_found(error):
            raise
        if len(chunk) == 1:
            return {}
        found: dict[str, Mapping[str, Any]] = {}
        for rid in chunk:  # find out which ones are gone, one at a time
            found.update(await _describe(call, spec, {**params, spec.ids_param: [rid]}, [rid]))
        return found
    return {str(r.get(spec.id_field)): r for r in response.get(spec.set_field) or []}


async def wait_for(
    call: Call,
    kind: str,
    ids: Sequence[str],
    *,
    target_state: str | None = None,
    operation_request_id: str | None = None,
    context: Mapping[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> dict[str, Any]:
    """Poll until every resource is settled or the timeout passes; returns the final view.

    A resource is settled when it reached the target (a state, or SUCCESS of the given
    operation), or failed (a failure state, or FAILED with the API's reason). The poll
    interval grows from 1 s to 10 s; the client's per-action rate limiter still applies.
    """
    ctx = dict(context or {})
    spec = check_request(kind, ids, target_state, operation_request_id, ctx)
    timeout = min(max(timeout, 0.0), MAX_TIMEOUT_SECONDS)
    unique = list(dict.fromkeys(ids))
    seen = {rid: Observed(rid) for rid in unique}
    started = clock()
    interval = FIRST_POLL_SECONDS
    polls = 0
    while True:
        pending = [rid for rid in unique if seen[rid].status == "waiting"]
        for start in range(0, len(pending), spec.max_ids):
            chunk = pending[start : start + spec.max_ids]
            params = {**ctx, spec.ids_param: chunk}
            if "Limit" not in params and spec.describe != "DescribeDockerActivities":
                params["Limit"] = min(100, max(len(chunk), 1))
            records = await _describe(call, spec, params, chunk)
            for rid in chunk:
                _judge(spec, seen[rid], records.get(rid), target_state, operation_request_id)
        polls += 1
        done = sum(1 for o in seen.values() if o.status != "waiting")
        elapsed = clock() - started
        if progress is not None:
            states = ", ".join(sorted({str(o.state) for o in seen.values()}))
            await progress(float(done), float(len(unique)),
                           f"{done}/{len(unique)} settled after {elapsed:.0f}s (now: {states})")
        if done == len(unique):
            break
        remaining = timeout - elapsed
        if remaining <= 0:
            for o in seen.values():
                if o.status == "waiting":
                    o.status = "timeout"
                    o.reason = f"still {o.state} after {timeout:.0f}s"
            break
        await sleep(min(interval, remaining))
        interval = min(interval * POLL_BACKOFF, MAX_POLL_SECONDS)
    results = [seen[rid].as_dict() for rid in unique]
    return {
        "Resource": kind,
        "Target": target_state or f"operation {operation_request_id} finished",
        "Done": all(o["Status"] == "reached" for o in results),
        "ElapsedSeconds": round(clock() - started, 1),
        "Polls": polls,
        "Resources": results,
    }
