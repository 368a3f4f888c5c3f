"""The ``wait_for`` tool, and the hint on every asynchronous result that names it.

Most Lighthouse writes return a RequestId while the work goes on. Left alone, a model
either reports success too early or polls Describe* in a loop that fills its context.
``wait_for`` does the polling server-side (tools.waits: one loop driven by a table of
resource kinds) through the shared API client, so its calls count against the same
per-action rate limits as every other tool, and it reports MCP progress while it
waits. A cancelled request cancels the handler's task, which stops the loop at its next
sleep or call. Every asynchronous action's result carries a ``Next`` member with the
exact ``wait_for`` arguments that observe it (tools.followups), so the model need not
work them out.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

import mcp_types as types

from lighthouse_mcp.client.errors import ServerError, ThrottledError, TransportError
from lighthouse_mcp.server.api_errors import api_error_result
from lighthouse_mcp.server.execute import Pipeline, Services
from lighthouse_mcp.server.hooks import CallNext, PendingCall, ToolContext, ToolResult
from lighthouse_mcp.server.registry import Registry, ToolSpec
from lighthouse_mcp.server.results import text_result, tool_error, validation_error
from lighthouse_mcp.tools import waits
from lighthouse_mcp.tools.followups import recipe, wait_arguments
from lighthouse_mcp.tools.resource_kinds import ResourceKind
from lighthouse_mcp.tools.schema import input_schema as action_schema
from lighthouse_mcp.tools.validate import validate, validate_against

WAIT_TOOL = "wait_for"

_DESCRIPTION = (
    "Wait until Lighthouse resources finish an async change (server-side polling, with "
    "progress); async results give the arguments in Next. Give target_state (a state, or "
    "GONE) or operation_request_id (the async call's RequestId: until its "
    "LatestOperationState is SUCCESS/FAILED). Returns each final state, or why not "
    f"(FAILED, timeout). timeout_seconds: default {waits.DEFAULT_TIMEOUT_SECONDS:.0f}, "
    f"max {waits.MAX_TIMEOUT_SECONDS:.0f}."
)

_ANNOTATIONS = types.ToolAnnotations(
    title="Wait for Lighthouse resources",
    read_only_hint=True,
    destructive_hint=False,
    idempotent_hint=True,
    open_world_hint=True,
)


def _context_kinds(kinds: Collection[str] = tuple(waits.KINDS)) -> dict[str, str]:
    """wait_for argument (instance_id, template_id) -> the kind that needs it."""
    return {
        waits.context_arg(name): kind
        for kind, spec in waits.KINDS.items()
        if kind in kinds
        for name in spec.context
    }


def withheld_kinds(registry: Registry) -> dict[str, str]:
    """Resource kinds wait_for does not offer, with why: a wait polls its kind's
    Describe action, so it obeys the same exposure bounds as that action's tool."""
    return {
        kind: why
        for kind, spec in waits.KINDS.items()
        if (why := registry.outside_bounds((spec.describe,))) is not None
    }


def input_schema(registry: Registry) -> dict[str, Any]:
    """wait_for's arguments: lower snake_case (server-side), plus the API's Region. Only
    the kinds within the exposure bounds (and their context arguments) are offered."""
    settings = registry.settings
    withheld = withheld_kinds(registry)
    kinds = [kind for kind in waits.KINDS if kind not in withheld]
    region = action_schema(
        "DescribeInstances", lang=settings.lang, default_region=registry.default_region
    )["properties"]["Region"]
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "resource": {"type": "string", "enum": kinds},
            "ids": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100},
            "target_state": {
                "type": "string",
                "description": "e.g. RUNNING, STOPPED, NORMAL, GONE",
            },
            "operation_request_id": {"type": "string"},
            **{
                arg: {"type": "string", "description": f"{kind} only"}
                for arg, kind in _context_kinds(kinds).items()
            },
            "Region": region,
            "timeout_seconds": {
                "type": "number",
                "minimum": 1,
                "maximum": waits.MAX_TIMEOUT_SECONDS,
                "default": waits.DEFAULT_TIMEOUT_SECONDS,
            },
        },
        "required": ["resource", "ids"],
    }


def output_schema() -> dict[str, Any]:
    """What wait_for returns (clients validate structuredContent against it)."""
    text = {"type": "string"}
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "properties": {
            "Resource": {"type": "string", "enum": list(waits.KINDS)},
            "Target": text,
            "Done": {"type": "boolean", "description": "every resource reached the target"},
            "ElapsedSeconds": {"type": "number"},
            "Polls": {"type": "integer"},
            "Resources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "Id": text,
                        "State": nullable,
                        "Status": {
                            "type": "string",
                            "enum": ["reached", "failed", "timeout", "waiting"],
                        },
                        "Reason": text,
                        "LatestOperation": nullable,
                        "LatestOperationState": nullable,
                        "LatestOperationRequestId": nullable,
                    },
                    "required": ["Id", "State", "Status"],
                },
            },
        },
        "required": ["Resource", "Target", "Done", "ElapsedSeconds", "Polls", "Resources"],
    }


def summary(result: Mapping[str, Any]) -> str:
    """One line a model can act on: all reached, or which did not and why."""
    resources = result["Resources"]
    kind, target = result["Resource"], result["Target"]
    took = f"{result['ElapsedSeconds']}s, {result['Polls']} poll(s)"
    if result["Done"]:
        states = ", ".join(sorted({str(r["State"]) for r in resources}))
        lines = [f"wait_for {kind}: all {len(resources)} reached {target} ({took}); now {states}."]
        lines += [f"- {r['Id']}: note: {r['Reason']}" for r in resources if r.get("Reason")]
        return "\n".join(lines)
    missed = [r for r in resources if r["Status"] != "reached"]
    lines = [f"wait_for {kind}: {len(missed)} of {len(resources)} did not reach {target} ({took}):"]
    lines += [f"- {r['Id']}: {r['Status']}: {r.get('Reason') or r['State']}" for r in missed]
    return "\n".join(lines)


def _problems_for(spec: ResourceKind, params: Mapping[str, Any]) -> list[Any]:
    """API-level problems of the Describe call the wait will make (e.g. a malformed ID),
    reported against wait_for's own argument names."""

    renames = {spec.ids_param: "ids", **{n: a for a, n in waits.context_args().items()}}
    problems = []
    for p in validate(spec.describe, params):
        head, dot, rest = p.path.partition("[")
        problems.append(replace(p, path=renames.get(head, head) + (dot + rest if dot else "")))
    return problems


def wait_tool(registry: Registry, pipeline: Pipeline) -> ToolSpec:
    """The ``wait_for`` ToolSpec, bound to the server's pipeline (reads only)."""
    schema = input_schema(registry)
    withheld = withheld_kinds(registry)

    async def handle(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        asked = args.get("resource")
        if isinstance(asked, str) and asked in withheld:
            return tool_error(
                f"wait_for resource={asked} is not offered by this server: {withheld[asked]}; "
                "nothing was polled.",
                code="ToolNotExposed",
            )
        problems = validate_against(schema, args)
        if problems:
            return validation_error(WAIT_TOOL, problems)
        kind: str = args["resource"]
        spec = waits.KINDS[kind]
        context: dict[str, Any] = {}
        for arg, name in waits.context_args().items():
            if arg not in args:
                continue
            if name not in spec.context:
                return tool_error(
                    f"{arg}: only used with resource={_context_kinds()[arg]}, "
                    f"not {kind}; nothing was polled.",
                    code="InvalidArguments",
                )
            context[name] = args[arg]
        region = args.get("Region") or registry.settings.region
        api_params = {**context, spec.ids_param: list(args["ids"])}
        if region is not None:
            api_params["Region"] = region
        problems = _problems_for(spec, api_params)
        if problems:
            return validation_error(WAIT_TOOL, problems)

        async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            return await pipeline.read(action, params, region=region)

        async def progress(done: float, total: float, message: str) -> None:
            await ctx.report_progress(done, total, message)

        try:
            result = await waits.wait_for(
                call,
                kind,
                list(args["ids"]),
                target_state=args.get("target_state"),
                operation_request_id=args.get("operation_request_id"),
                context=context,
                timeout=float(args.get("timeout_seconds", waits.DEFAULT_TIMEOUT_SECONDS)),
                progress=progress,
                transient=transient,
            )
        except waits.WaitError as exc:
            return tool_error(f"{exc}; nothing was polled.", code="InvalidArguments")
        except Exception as exc:
            api = api_error_result(spec.describe, exc)
            if api is None:
                raise
            return api
        text = summary(result)
        if result.get("NotFound"):
            listed = ", ".join(result["NotFound"])
            where = region or registry.default_region or "the default region"
            grace = waits.NOT_SEEN_GRACE_SECONDS
            return tool_error(
                f"{text}\nNot found: {listed} is not listed by {spec.describe} in {where} "
                f"(after a {grace:g}s grace period for new resources). Check the ID and "
                "the Region.",
                code="ResourceNotFound",
                details={"NotFound": result["NotFound"], "Resources": result["Resources"]},
            )
        return text_result(f"{text}\n{json.dumps(result, ensure_ascii=False)}", structured=result)

    return ToolSpec(
        name=WAIT_TOOL,
        title=_ANNOTATIONS.title or WAIT_TOOL,
        description=_DESCRIPTION,
        input_schema=schema,
        annotations=_ANNOTATIONS,
        handler=handle,
        output_schema=output_schema(),
        group="workflow",
        safety="read",
    )


def transient(error: Exception) -> bool:
    """Errors a later poll may not meet: the network, throttling, the service's 5xx."""
    return isinstance(error, TransportError | ServerError | ThrottledError)


class NextStep:
    """Call wrapper: an asynchronous action's result says so and names its wait.

    The hint goes into the Response as ``Next`` (structuredContent and the text's JSON):
    the outputSchemas are open objects, and data the model can copy into the next call
    beats prose it has to parse. A wait (or Describe action) outside the exposure bounds
    is not named.
    """

    def __init__(self, withheld: Collection[str] = ()) -> None:
        self.withheld = frozenset(withheld)

    async def __call__(
        self, call: PendingCall, ctx: ToolContext, call_next: CallNext
    ) -> dict[str, Any]:
        response = await call_next(call)
        follow = recipe(call.action)
        if follow is None or call.arguments.get("DryRun") is True:
            return response  # synchronous, or a dry run: no work is under way
        if follow.kind in self.withheld:
            note = f"{call.action} is asynchronous: it returned before the work finished."
            return {**response, "Next": {"Asynchronous": True, "Note": note}}
        arguments = wait_arguments(call.action, call.arguments, response, region=call.region)
        note = f"{call.action} is asynchronous: it returned before the work finished. " + (
            f"Call {WAIT_TOOL} with Arguments to see it finish."
            if arguments
            else f"Check with {recipe_describe(call.action)}."
        )
        step: dict[str, Any] = {"Asynchronous": True, "Note": note}
        if arguments:
            step |= {"Tool": WAIT_TOOL, "Arguments": arguments}
        return {**response, "Next": step}


def recipe_describe(action: str) -> str:
    r = recipe(action)
    return waits.KINDS[r.kind].describe if r else "the matching Describe action"


INSTRUCTIONS = (
    f"Asynchronous results carry Next: call {WAIT_TOOL} with its Arguments to wait (with "
    "progress) until the change is done or failed, instead of polling Describe* yourself."
)


def install(registry: Registry, services: Services) -> None:
    """Add ``wait_for`` (reading through the pipeline) and the Next hint; with no resource
    kind within the exposure bounds, only the hint (which then names no wait)."""
    withheld = withheld_kinds(registry)
    if len(withheld) < len(waits.KINDS):
        registry.add_tool(wait_tool(registry, services.pipeline))
        registry.add_instructions(INSTRUCTIONS)
    registry.add_call_wrapper(NextStep(withheld), applies=lambda action: recipe(action) is not None)
