"""``run_command`` and ``instance_metrics``: what people ask about a machine ("why is my
site down?", "how full is the disk?") answered with TAT and Cloud Monitor.

* ``run_command`` checks each instance and its TAT agent (DescribeInstances,
  tat DescribeAutomationAgentStatus) and says what to do when one cannot run it; sends
  ``tat_RunCommand`` (base64; SHELL, or POWERSHELL on Windows) through the same
  ``Pipeline.run`` as every action tool, so validation, the confirmation gate (the
  person sees the command text, the instances by name, the user and the timeout: see
  ``tools/previews``) and the audit log are the gate's own; then polls the invocation's
  tasks with progress notifications until every one has ended and returns exit code and
  output per instance, decoded, long output cut to head and tail (``tools/commands``).
* ``instance_metrics`` reads ``monitor_GetMonitorData`` for each metric and summarises
  each series (``tools/metrics``); raw points with ``fields: ["Series"]``.

Both read through the pipeline's read path (reads only, inside the client's rate
limits and the exposure bounds). The pipeline learns that the TAT and monitor actions
the tools send may be sent on their behalf (:meth:`Pipeline.also_expose`);
``--read-only`` still refuses ``tat_RunCommand``, and run_command is not listed then.
Under flags that leave out DescribeInstances neither tool is offered.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import mcp_types as types

from lighthouse_mcp import catalog
from lighthouse_mcp.server.api_errors import api_error_result
from lighthouse_mcp.server.execute import Pipeline, Services
from lighthouse_mcp.server.hooks import ToolContext, ToolResult
from lighthouse_mcp.server.registry import Registry, ToolSpec
from lighthouse_mcp.server.results import text_result, tool_error, validation_error
from lighthouse_mcp.tools import commands, metrics
from lighthouse_mcp.tools.schema import input_schema as action_schema
from lighthouse_mcp.tools.validate import validate_against

log = logging.getLogger(__name__)

RUN_TOOL = "run_command"
METRICS_TOOL = "instance_metrics"
#: Instances per run_command call (TAT takes 200; a person reads the list before approving).
MAX_INSTANCES = 20
MAX_COMMAND_CHARS = 16 * 1024
#: How long run_command waits beyond the command's own timeout for the tasks to end.
GRACE_SECONDS = 30.0
_INSTANCE_ID = {"type": "string"}
METRIC_FIELDS = ("Min", "Avg", "Max", "Last", "PeakAt", "TrafficMB", "Series")

Read = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]

_RUN_DESCRIPTION = (
    "Run a shell command on instances via the TAT agent once a person approves its exact "
    "text; waits, then returns exit code and output per instance."
)
_METRICS_DESCRIPTION = (
    "Instances' cpu, memory, disk, bandwidth_in/out (Cloud Monitor, default last hour): "
    "min, avg, max, last, peak time, traffic."
)


def _region(registry: Registry) -> dict[str, Any]:
    settings = registry.settings
    schema: dict[str, Any] = action_schema(
        "DescribeInstances", lang=settings.lang, default_region=settings.region
    )["properties"]["Region"]
    return schema


def run_schema(registry: Registry) -> dict[str, Any]:
    props: dict[str, Any] = {
        "instance_ids": {
            "type": "array",
            "items": _INSTANCE_ID,
            "minItems": 1,
            "maxItems": MAX_INSTANCES,
        },
        "command": {
            "type": "string",
            "maxLength": MAX_COMMAND_CHARS,
        },
        "timeout_seconds": {
            "type": "integer",
            "minimum": commands.MIN_TIMEOUT,
            "maximum": commands.MAX_TIMEOUT,
            "default": commands.DEFAULT_TIMEOUT,
        },
        "working_directory": {"type": "string"},
        "username": {"type": "string"},
        "Region": _region(registry),
    }
    for name, arg in registry.server_args_for(commands.RUN_ACTION).items():
        props[name] = arg.schema
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "required": ["instance_ids", "command"],
    }


def metrics_schema(registry: Registry) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "instance_ids": {
                "type": "array",
                "items": _INSTANCE_ID,
                "minItems": 1,
                "maxItems": metrics.MAX_INSTANCES,
            },
            "metrics": {"type": "array", "items": {"type": "string"}},
            "period": {"type": "integer", "enum": metrics.periods()},
            "start_time": {"type": "string", "description": "ISO 8601"},
            "end_time": {"type": "string"},
            "fields": {
                "type": "array",
                "items": {"type": "string", "enum": list(METRIC_FIELDS)},
                "description": "Series: raw points",
            },
            "Region": _region(registry),
        },
        "required": ["instance_ids"],
    }


async def _instances(read: Read, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The instances of ``ids`` that exist, by ID (DescribeInstances, one page)."""
    response = await read("DescribeInstances", {"InstanceIds": ids, "Limit": 100})
    return {str(i["InstanceId"]): i for i in response.get("InstanceSet") or []}


def _result(summary: str, data: dict[str, Any]) -> ToolResult:
    """The summary a person reads, then the same data as JSON (and as structuredContent)."""
    return text_result(summary + "\n" + json.dumps(data, ensure_ascii=False), structured=data)


def _spec(
    name: str,
    title: str,
    description: str,
    schema: dict[str, Any],
    handler: Callable[[dict[str, Any], ToolContext], Awaitable[ToolResult]],
    group: str,
) -> ToolSpec:
    """A tool of this module: ``instance_metrics`` reads; ``run_command`` runs anything, so
    it says destructive whatever its action's class (the gate asks either way)."""
    reads = group == "monitor"
    return ToolSpec(
        name=name,
        title=title,
        description=description,
        input_schema=schema,
        annotations=types.ToolAnnotations(
            title=title,
            read_only_hint=reads,
            destructive_hint=not reads,
            idempotent_hint=reads,
            open_world_hint=True,
        ),
        handler=handler,
        group=group,
        safety="read" if reads else catalog.safety_class(commands.RUN_ACTION),
    )


def _run_text(result: Mapping[str, Any]) -> str:
    lines = [
        f"run_command {result['InvocationId']}: "
        + ("every instance finished." if result["Done"] else "NOT all finished yet.")
    ]
    for row in result["Results"]:
        code = "-" if row["ExitCode"] is None else row["ExitCode"]
        name = f" ({row['InstanceName']})" if row["InstanceName"] else ""
        lines.append(f"== {row['InstanceId']}{name}: {row['TaskStatus']}, exit code {code} ==")
        lines.append(row["Output"].rstrip("\n") or "(no output)")
        lines += [f"[note: {n}]" for n in row.get("Notes", [])]
    if not result["Done"]:
        lines.append(
            "Still running: check later with tat_DescribeInvocationTasks (filter "
            f"invocation-id {result['InvocationId']})."
        )
    return "\n".join(lines)


def run_tool(registry: Registry, pipeline: Pipeline) -> ToolSpec:
    schema = run_schema(registry)

    async def handle(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        problems = validate_against(schema, args)
        if problems:
            return validation_error(RUN_TOOL, problems)
        if not args["command"].strip():
            return tool_error(
                f"{RUN_TOOL}: command is empty; nothing was run.", code="InvalidArguments"
            )
        region = args.get("Region") or registry.settings.region
        ids = list(dict.fromkeys(args["instance_ids"]))

        async def read(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            return await pipeline.read(action, params, region=region)

        try:
            found = await _instances(read, ids)
            agents_response = await read(commands.AGENT_ACTION, {"InstanceIds": ids})
        except Exception as exc:
            api = api_error_result(RUN_TOOL, exc)
            if api is None:
                raise
            return api
        agents = {str(a["InstanceId"]): a for a in agents_response.get("AutomationAgentSet") or []}
        blocked = {i: commands.agent_problem(found.get(i), agents.get(i)) for i in ids}
        blocked = {i: why for i, why in blocked.items() if why}
        if blocked:
            lines = [f"{RUN_TOOL} ran nothing: not every instance can run a command now."]
            lines += [f"- {i}: {why}" for i, why in blocked.items()]
            return tool_error(
                "\n".join(lines), code="AgentNotReady", details={"Instances": blocked}
            )
        types_ = {commands.command_type(found[i].get("PlatformType")) for i in ids}
        if len(types_) > 1:
            return tool_error(
                f"{RUN_TOOL} ran nothing: the instances mix Linux and Windows; run the shell "
                "and the PowerShell command in separate calls.",
                code="InvalidArguments",
            )
        arguments: dict[str, Any] = {
            "InstanceIds": ids,
            "Content": commands.encode(args["command"]),
            "CommandType": types_.pop(),
            "Timeout": int(args.get("timeout_seconds", commands.DEFAULT_TIMEOUT)),
            "CommandName": RUN_TOOL,
        }
        if args.get("username"):
            arguments["Username"] = args["username"]
        if args.get("working_directory"):
            arguments["WorkingDirectory"] = args["working_directory"]
        if region:
            arguments["Region"] = region
        for name in registry.server_args_for(commands.RUN_ACTION):
            if name in args:
                arguments[name] = args[name]
        sent = await pipeline.run(commands.RUN_ACTION, arguments, ctx, tool=RUN_TOOL)
        if not isinstance(sent, types.CallToolResult) or sent.is_error:
            return sent  # refused, asked for confirmation, or the API said no
        response = sent.structured_content or {}
        invocation = str(response.get("InvocationId"))
        names = {i: str(found[i].get("InstanceName") or "") for i in ids}
        try:
            tasks, done = await _wait(read, invocation, len(ids), arguments["Timeout"], ctx)
        except Exception as exc:
            api = api_error_result(RUN_TOOL, exc)
            if api is None:
                raise
            return api
        result = {
            "InvocationId": invocation,
            "CommandId": response.get("CommandId"),
            "Command": args["command"],
            "Done": done,
            "Results": [commands.task_result(t, names) for t in tasks],
        }
        return _result(_run_text(result), result)

    return _spec(RUN_TOOL, "Run a command on instances", _RUN_DESCRIPTION, schema, handle, "tat")


async def _wait(
    read: Read, invocation: str, count: int, timeout: int, ctx: ToolContext
) -> tuple[list[dict[str, Any]], bool]:
    """Poll the invocation's tasks until every one has ended (or the timeout plus grace
    passed); progress after each poll. Returns the tasks and whether all ended."""
    deadline = time.monotonic() + timeout + GRACE_SECONDS
    delay = 0.2
    while True:
        response = await read(
            commands.TASKS_ACTION,
            {"Filters": [{"Name": "invocation-id", "Values": [invocation]}], "Limit": 100},
        )
        tasks = list(response.get("InvocationTaskSet") or [])
        ended = sum(1 for t in tasks if t.get("TaskStatus") in commands.FINAL_TASK_STATES)
        await ctx.report_progress(ended, count, f"{ended} of {count} instance(s) finished")
        if tasks and ended >= count:
            return tasks, True
        if time.monotonic() + delay > deadline:
            return tasks, False
        await anyio.sleep(delay)
        delay = min(delay * 1.6, 3.0)


def metrics_tool(registry: Registry, pipeline: Pipeline) -> ToolSpec:
    schema = metrics_schema(registry)
    table = catalog.lighthouse_metrics()

    async def handle(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        problems = validate_against(schema, args)
        if problems:
            return validation_error(METRICS_TOOL, problems)
        region = args.get("Region") or registry.settings.region
        ids = list(dict.fromkeys(args["instance_ids"]))
        period = int(args.get("period", metrics.DEFAULT_PERIOD))
        fields = set(args.get("fields") or [f for f in METRIC_FIELDS if f != "Series"])
        try:
            start, end = metrics.window(
                args.get("start_time"), args.get("end_time"), time.time(), period
            )
        except ValueError as exc:
            return tool_error(f"{METRICS_TOOL}: {exc}; nothing was read.", code="InvalidArguments")
        points = int((end - start) // period) + 1
        if points * len(ids) > metrics.MAX_POINTS:
            return tool_error(
                f"{METRICS_TOOL}: {points * len(ids)} points asked; at most {metrics.MAX_POINTS} "
                "per metric. Use a longer period or a shorter window.",
                code="InvalidArguments",
            )
        known = metrics.by_key()
        unknown = [k for k in args.get("metrics") or () if k not in known]
        if unknown:
            return tool_error(
                f"{METRICS_TOOL}: metrics: {', '.join(map(repr, unknown))} unknown; use "
                f"{', '.join(metrics.keys())} (or a QCE/LIGHTHOUSE MetricName); nothing was read.",
                code="InvalidArguments",
            )
        wanted = [known[k] for k in dict.fromkeys(args.get("metrics") or metrics.DEFAULT_KEYS)]

        async def read(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            return await pipeline.read(action, params, region=region)

        rows: dict[str, dict[str, Any]] = {}
        try:
            found = await _instances(read, ids)
            for iid in ids:
                record = found.get(iid) or {}
                rows[iid] = {
                    "InstanceId": iid,
                    "InstanceName": record.get("InstanceName", ""),
                    "InstanceState": record.get("InstanceState", "NOT_FOUND"),
                    "Metrics": [],
                }
            for metric in wanted:
                response = await read(
                    metrics.METRICS_ACTION,
                    {
                        "Namespace": table["namespace"],
                        "MetricName": metric["name"],
                        "Instances": [
                            {"Dimensions": [{"Name": table["dimension"], "Value": i}]} for i in ids
                        ],
                        "Period": period,
                        "StartTime": metrics.iso(start),
                        "EndTime": metrics.iso(end),
                    },
                )
                for iid in ids:
                    stamps, values = metrics.series_of(response, iid)
                    summary = metrics.summarise(
                        metric, stamps, values, period, points="Series" in fields
                    )
                    keep = {"Metric", "Key", "Unit", "Points", "Note", "LastAt"} | fields
                    rows[iid]["Metrics"].append({k: v for k, v in summary.items() if k in keep})
        except Exception as exc:
            api = api_error_result(METRICS_TOOL, exc)
            if api is None:
                raise
            return api
        result = {
            "Period": period,
            "StartTime": metrics.iso(start),
            "EndTime": metrics.iso(end),
            "Instances": list(rows.values()),
        }
        return _result(_metrics_text(result), result)

    return _spec(METRICS_TOOL, "Instance metrics", _METRICS_DESCRIPTION, schema, handle, "monitor")


def _metrics_text(result: Mapping[str, Any]) -> str:
    lines = [
        f"instance_metrics {result['StartTime']} .. {result['EndTime']}, "
        f"{result['Period']} s points:"
    ]
    for row in result["Instances"]:
        name = f" ({row['InstanceName']})" if row["InstanceName"] else ""
        lines.append(f"{row['InstanceId']}{name}, {row['InstanceState']}:")
        for m in row["Metrics"]:
            if not m["Points"]:
                lines.append(f"- {m['Key']}: {m.get('Note', 'no data')}")
                continue
            unit = m["Unit"]
            figures = ", ".join(
                f"{k.lower()} {m[k]}{unit if k != 'PeakAt' else ''}"
                for k in ("Min", "Avg", "Max", "Last")
                if k in m
            )
            extra = f", peak at {m['PeakAt']}" if "PeakAt" in m else ""
            traffic = f", traffic {m['TrafficMB']} MB" if "TrafficMB" in m else ""
            lines.append(f"- {m['Key']}: {figures}{extra}{traffic}")
    return "\n".join(lines)


INSTRUCTIONS = (
    f"On-instance diagnostics: {RUN_TOOL} runs a command through the TAT agent (a person "
    f"approves it); {METRICS_TOOL} summarises CPU, memory, disk and bandwidth from Cloud "
    "Monitor. The tat and monitor toolsets hold the raw API actions."
)


#: The Lighthouse read both tools make (the instances by name and state): under flags
#: that leave it out, neither tool is offered (the exposure bounds hold on every surface).
LIGHTHOUSE_READS = ("DescribeInstances",)
#: The other services' actions each tool sends; the tool itself is what exposes them
#: (the tat and monitor toolsets list them as tools of their own).
RUN_SENDS = (commands.RUN_ACTION, commands.AGENT_ACTION, commands.TASKS_ACTION)
METRICS_SENDS = (metrics.METRICS_ACTION,)


def install(registry: Registry, services: Services) -> None:
    """Add ``instance_metrics``, and ``run_command`` unless the server is read-only;
    neither when the exposure flags leave out the Lighthouse read they need."""
    why = registry.outside_bounds(LIGHTHOUSE_READS)
    if why is not None:
        log.info("run_command and instance_metrics are not offered: %s", why)
        return
    services.pipeline.also_expose(METRICS_SENDS)
    registry.add_tool(metrics_tool(registry, services.pipeline))
    if not registry.settings.read_only:
        services.pipeline.also_expose(RUN_SENDS)
        registry.add_tool(run_tool(registry, services.pipeline))
    registry.add_instructions(INSTRUCTIONS)
