"""TAT (TencentCloud Automation Tools, ``tat`` 2020-10-28): an agent on every Lighthouse
instance, commands run through it, and the invocations and tasks that record them.

* **Agent** (DescribeAutomationAgentStatus): one per instance of the region, ``Online``
  while the instance is RUNNING, ``Offline`` otherwise; Environment Linux/Windows from
  the instance's platform.
* **RunCommand**: ``Content`` is base64; every instance must exist
  (``ResourceNotFound.InstanceNotFound``), be RUNNING
  (``ResourceUnavailable.InstanceStateNotRunning``) with its agent online
  (``ResourceUnavailable.AgentStatusNotOnline``), and the command type must suit its
  platform (SHELL on Linux, POWERSHELL/BAT on Windows). One invocation (``inv-``) with
  one task (``invt-``) per instance; each task goes PENDING → RUNNING (after the
  sandbox delay) → SUCCESS, FAILED (exit code not 0) or TIMEOUT (``sleep`` longer than
  ``Timeout``), with its output base64-encoded in ``TaskResult.Output`` (at most 24 KB;
  the rest is counted in ``Dropped``). What a command prints is ``tat_shell``'s.
* **DescribeInvocations / DescribeInvocationTasks**: by id or filters, paged; the
  invocation's status follows its tasks (SUCCESS, FAILED, PARTIAL_FAILED, TIMEOUT,
  RUNNING, PENDING). ``HideOutput`` leaves the output out.
* **CancelInvocation**: tasks not finished become CANCELLED (not started) or
  TERMINATED (running).

Other TAT actions answer with their documented example (``engine/fallback.py``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine.context import Ctx
from ..engine.errors import err
from ..engine.listing import page
from ..engine.registry import Family
from ..engine.state import public
from . import tat_shell

family = Family("tat", service="tat")

Record = dict[str, Any]
INVOCATIONS = "tat_invocations"
TASKS = "tat_tasks"
UNITS = "tat_units"
AGENT_VERSION = "1.1.10"
#: Content limit: "Base64 编码后的字符串长度不能超过 64KB".
MAX_CONTENT = 64 * 1024
FINAL = frozenset({"SUCCESS", "FAILED", "TIMEOUT", "CANCELLED", "TERMINATED"})
_WINDOWS_TYPES = frozenset({"POWERSHELL", "BAT"})


def _instances(ctx: Ctx) -> dict[str, Record]:
    table: dict[str, Record] = ctx.state.table("instances")
    return table


def _windows(instance: Record) -> bool:
    return instance.get("PlatformType") == "WINDOWS"


def agent_of(ctx: Ctx, instance: Record) -> Record:
    """The AutomationAgentInfo of ``instance``: online exactly while it is RUNNING."""
    online = instance.get("InstanceState") == "RUNNING"
    last = ctx.iso() if online else instance.get("LatestOperationStartedTime") or ctx.iso()
    return {
        "InstanceId": instance["InstanceId"],
        "Version": AGENT_VERSION,
        "LastHeartbeatTime": last,
        "AgentStatus": "Online" if online else "Offline",
        "Environment": "Windows" if _windows(instance) else "Linux",
        "SupportFeatures": [],
    }


#: Each Describe action's documented filter names -> the member they match.
FILTERS: dict[str, dict[str, str]] = {
    "DescribeAutomationAgentStatus": {
        "agent-status": "AgentStatus",
        "environment": "Environment",
        "instance-id": "InstanceId",
    },
    "DescribeInvocations": {
        "invocation-id": "InvocationId",
        "command-id": "CommandId",
        "command-created-by": "InvocationSource",  # USER (ours) or TAT (public commands)
        "instance-kind": "InstanceKind",
    },
    "DescribeInvocationTasks": {
        "invocation-task-id": "InvocationTaskId",
        "invocation-id": "InvocationId",
        "instance-id": "InstanceId",
        "command-id": "CommandId",
    },
}


def _filtered(action: str, rows: Iterable[Record], params: Mapping[str, Any]) -> list[Record]:
    """The rows every filter of ``params`` matches (a filter matches any of its values)."""
    fields = FILTERS[action]
    out = list(rows)
    for index, flt in enumerate(params.get("Filters") or []):
        name = flt.get("Name")
        field = fields.get(str(name))
        if field is None:
            raise err(
                "InvalidParameterValue.InvalidFilter",
                f"`Filters.{index}.Name` is {name!r}; supported: {', '.join(sorted(fields))}.",
            )
        wanted = {str(v) for v in flt.get("Values") or []}
        out = [r for r in out if str(r.get(field)) in wanted]
    return out


def _exclusive(params: Mapping[str, Any], ids: str) -> None:
    if params.get(ids) and params.get("Filters"):
        raise err(
            "InvalidParameter.ParameterConflict",
            f"`{ids}` and `Filters` cannot be specified together; use one of them.",
        )


@family.handler("DescribeAutomationAgentStatus")
def describe_agents(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _exclusive(params, "InstanceIds")
    instances = _instances(ctx)
    wanted = params.get("InstanceIds")
    rows = [
        agent_of(ctx, instances[i])
        for i in (wanted if wanted else sorted(instances))
        if i in instances
    ]
    rows = _filtered("DescribeAutomationAgentStatus", rows, params)
    return {"TotalCount": len(rows), "AutomationAgentSet": page(ctx, rows, params)}


def _decode(content: str) -> str:
    if len(content) > MAX_CONTENT:
        raise err(
            "InvalidParameterValue.ContentTooLong",
            f"`Content` is {len(content)} characters of base64; at most {MAX_CONTENT}.",
        )
    try:
        return base64.b64decode(content.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise err(
            "InvalidParameterValue.InvalidContent",
            "`Content` must be the base64 encoding of the UTF-8 command text.",
        ) from None


def _target(ctx: Ctx, instance_id: str, command_type: str) -> Record:
    instance = _instances(ctx).get(instance_id)
    if instance is None:
        raise err(
            "ResourceNotFound.InstanceNotFound",
            f"The instance `{instance_id}` does not exist in {ctx.region}.",
        )
    if instance.get("InstanceState") != "RUNNING":
        raise err(
            "ResourceUnavailable.InstanceStateNotRunning",
            f"The instance `{instance_id}` is {instance.get('InstanceState')}; commands run "
            "only on RUNNING instances (their TAT agent is offline otherwise).",
        )
    if agent_of(ctx, instance)["AgentStatus"] != "Online":
        raise err(
            "ResourceUnavailable.AgentStatusNotOnline",
            f"The TAT agent of `{instance_id}` is not online.",
        )
    if _windows(instance) != (command_type in _WINDOWS_TYPES):
        raise err(
            "InvalidParameterValue",
            f"CommandType {command_type} does not suit `{instance_id}` "
            f"({'Windows' if _windows(instance) else 'Linux'}).",
        )
    return instance


@family.handler("RunCommand")
def run_command(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    text = _decode(params["Content"])
    command_type = params.get("CommandType") or "SHELL"
    ids = list(dict.fromkeys(params["InstanceIds"]))
    if not 1 <= len(ids) <= 200:
        raise err("InvalidParameterValue", "`InstanceIds` takes 1 to 200 instance IDs.")
    targets = [_target(ctx, i, command_type) for i in ids]
    windows = command_type in _WINDOWS_TYPES
    timeout = int(params.get("Timeout") or 60)
    username = params.get("Username") or ("System" if windows else "root")
    workdir = params.get("WorkingDirectory") or (
        "C:\\Program Files\\qcloud\\tat_agent\\workdir" if windows else "/root"
    )
    command_id = ctx.new_id("cmd")
    invocation_id = ctx.new_id("inv")
    now = ctx.iso()
    document = {
        "Content": params["Content"],
        "CommandType": command_type,
        "Timeout": timeout,
        "WorkingDirectory": workdir,
        "Username": username,
        "OutputCOSBucketUrl": params.get("OutputCOSBucketUrl", ""),
        "OutputCOSKeyPrefix": params.get("OutputCOSKeyPrefix", ""),
    }
    name = params.get("CommandName") or ""
    tasks: list[str] = []
    for instance in targets:
        task_id = ctx.new_id("invt")
        tasks.append(task_id)
        _start_task(ctx, instance, task_id, invocation_id, command_id, name, document, text)
    ctx.state.table(INVOCATIONS)[invocation_id] = {
        "InvocationId": invocation_id,
        "CommandId": command_id,
        "CommandName": name,
        "Description": params.get("Description", ""),
        "CreatedTime": now,
        "UpdatedTime": now,
        "Parameters": params.get("Parameters", "{}"),
        "DefaultParameters": params.get("DefaultParameters", "{}"),
        "InstanceKind": "LIGHTHOUSE",
        "Username": username,
        "InvocationSource": "USER",
        "CommandContent": params["Content"],
        "CommandType": command_type,
        "Timeout": timeout,
        "WorkingDirectory": workdir,
        "OutputCOSBucketUrl": document["OutputCOSBucketUrl"],
        "OutputCOSKeyPrefix": document["OutputCOSKeyPrefix"],
        "_tasks": tasks,
    }
    return {"CommandId": command_id, "InvocationId": invocation_id}


def _start_task(
    ctx: Ctx,
    instance: Record,
    task_id: str,
    invocation_id: str,
    command_id: str,
    name: str,
    document: Record,
    text: str,
) -> None:
    """Record the task and queue its two transitions (it starts, then it ends)."""
    iid = instance["InstanceId"]
    units: dict[str, dict[str, float]] = ctx.state.table(UNITS)
    result = tat_shell.run(
        text,
        instance,
        now=ctx.now(),
        username=document["Username"],
        working_directory=document["WorkingDirectory"],
        units=units.get(iid),
        powershell=document["CommandType"] in _WINDOWS_TYPES,
    )
    units[iid] = result.units
    raw = result.output.encode("utf-8")
    kept, dropped = raw[: tat_shell.MAX_OUTPUT_BYTES], max(0, len(raw) - tat_shell.MAX_OUTPUT_BYTES)
    timeout = int(document["Timeout"])
    timed_out = result.seconds > timeout
    status = "TIMEOUT" if timed_out else ("SUCCESS" if result.exit_code == 0 else "FAILED")
    start = ctx.now() + ctx.delay
    end = start + min(result.seconds, float(timeout)) + ctx.delay
    created = ctx.iso()
    ctx.state.table(TASKS)[task_id] = {
        "InvocationId": invocation_id,
        "InvocationTaskId": task_id,
        "CommandId": command_id,
        "TaskStatus": "PENDING",
        "InstanceId": iid,
        "TaskResult": {
            "ExitCode": 0,
            "Output": "",
            "ExecStartTime": "",
            "ExecEndTime": "",
            "Dropped": 0,
            "OutputUrl": "",
            "OutputUploadCOSErrorInfo": "",
        },
        "StartTime": "",
        "EndTime": "",
        "CreatedTime": created,
        "UpdatedTime": created,
        "CommandDocument": dict(document),
        "ErrorInfo": "",
        "InvocationSource": "USER",
        "CommandName": name,
    }
    ctx.schedule(
        TASKS,
        task_id,
        set={"TaskStatus": "RUNNING", "StartTime": ctx.iso(start), "UpdatedTime": ctx.iso(start)},
        after=start - ctx.now(),
    )
    ctx.schedule(
        TASKS,
        task_id,
        set={
            "TaskStatus": status,
            "EndTime": ctx.iso(end),
            "UpdatedTime": ctx.iso(end),
            "ErrorInfo": f"the command did not finish within {timeout} s" if timed_out else "",
            "TaskResult": {
                "ExitCode": -1 if timed_out else result.exit_code,
                "Output": base64.b64encode(kept).decode("ascii"),
                "ExecStartTime": ctx.iso(start),
                "ExecEndTime": ctx.iso(end),
                "Dropped": dropped,
                "OutputUrl": "",
                "OutputUploadCOSErrorInfo": "",
            },
        },
        after=end - ctx.now(),
    )


def invocation_status(statuses: list[str]) -> str:
    """The invocation's status from its tasks' (the documented values)."""
    if not statuses or all(s == "PENDING" for s in statuses):
        return "PENDING"
    if any(s not in FINAL for s in statuses):
        return "CANCELLING" if "CANCELLING" in statuses else "RUNNING"
    if all(s == "SUCCESS" for s in statuses):
        return "SUCCESS"
    if all(s in ("CANCELLED", "TERMINATED") for s in statuses):
        return "CANCELLED"
    if any(s in ("CANCELLED", "TERMINATED") for s in statuses):
        return "PARTIAL_CANCELLED"
    if all(s == "TIMEOUT" for s in statuses):
        return "TIMEOUT"
    if any(s == "SUCCESS" for s in statuses):
        return "PARTIAL_FAILED"
    return "FAILED"


def _invocation_view(ctx: Ctx, record: Record) -> Record:
    tasks: dict[str, Record] = ctx.state.table(TASKS)
    mine = [tasks[t] for t in record["_tasks"] if t in tasks]
    starts = [t["StartTime"] for t in mine if t["StartTime"]]
    ends = [t["EndTime"] for t in mine if t["EndTime"]]
    statuses = [t["TaskStatus"] for t in mine]
    status = invocation_status(statuses)
    return {
        **public(record),
        "InvocationStatus": status,
        "InvocationTaskBasicInfoSet": [
            {
                "InvocationTaskId": t["InvocationTaskId"],
                "TaskStatus": t["TaskStatus"],
                "InstanceId": t["InstanceId"],
            }
            for t in mine
        ],
        "StartTime": min(starts) if starts else "",
        "EndTime": max(ends) if ends and len(ends) == len(mine) else "",
    }


def _by_ids(table: Mapping[str, Record], ids: list[str] | None) -> list[Record]:
    """The records of ``ids`` that exist (in that order), or all, newest first."""
    if not ids:
        return [
            table[k] for k in sorted(table, key=lambda k: table[k]["CreatedTime"], reverse=True)
        ]
    return [table[i] for i in ids if i in table]


@family.handler("DescribeInvocations")
def describe_invocations(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _exclusive(params, "InvocationIds")
    table: dict[str, Record] = ctx.state.table(INVOCATIONS)
    rows = [_invocation_view(ctx, r) for r in _by_ids(table, params.get("InvocationIds"))]
    rows = _filtered("DescribeInvocations", rows, params)
    return {"TotalCount": len(rows), "InvocationSet": page(ctx, rows, params)}


@family.handler("DescribeInvocationTasks")
def describe_invocation_tasks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _exclusive(params, "InvocationTaskIds")
    table: dict[str, Record] = ctx.state.table(TASKS)
    rows = [public(r) for r in _by_ids(table, params.get("InvocationTaskIds"))]
    rows = _filtered("DescribeInvocationTasks", rows, params)
    if params.get("HideOutput"):
        rows = [{**r, "TaskResult": {**r["TaskResult"], "Output": ""}} for r in rows]
    return {"TotalCount": len(rows), "InvocationTaskSet": page(ctx, rows, params)}


@family.handler("CancelInvocation")
def cancel_invocation(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    invocation = ctx.state.table(INVOCATIONS).get(params["InvocationId"])
    if invocation is None:
        raise err(
            "ResourceNotFound.InvocationNotFound",
            f"The invocation `{params['InvocationId']}` does not exist.",
        )
    tasks: dict[str, Record] = ctx.state.table(TASKS)
    wanted = set(params.get("InstanceIds") or [])
    for task_id in invocation["_tasks"]:
        task = tasks.get(task_id)
        if task is None or task["TaskStatus"] in FINAL:
            continue
        if wanted and task["InstanceId"] not in wanted:
            continue
        task.pop("_pending", None)  # its start and end will not come
        status = "TERMINATED" if task["TaskStatus"] == "RUNNING" else "CANCELLED"
        task.update(TaskStatus=status, EndTime=ctx.iso(), UpdatedTime=ctx.iso())
    return {}
