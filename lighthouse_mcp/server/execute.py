"""The one tool-call pipeline every action goes through, whichever tool carried it.

exposure check -> validation (every problem at once; nothing sent) -> confirmation gate
-> API call (through registered call wrappers) -> result shaping -> audit event.

Direct action tools and compact mode's `call_action` both call `Pipeline.run`, so the
read-only/toolset bounds, validation, the gate and the audit trail cannot differ
between them. Failures come back as tool errors (isError) the model can act on; no
exception text or traceback reaches the client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog.secrets import REDACTED, redact
from lighthouse_mcp.server import projection
from lighthouse_mcp.server.api_errors import api_error_result, unexpected_error_result
from lighthouse_mcp.server.hooks import (
    AllowAll,
    Auditor,
    CallNext,
    CallWrapper,
    Gate,
    GatedCall,
    GateDecision,
    NoAudit,
    PendingCall,
    SessionInfo,
    ToolContext,
    ToolResult,
)
from lighthouse_mcp.server.registry import Registry, ServerArg
from lighthouse_mcp.server.results import success, tool_error, validation_error
from lighthouse_mcp.store import Store
from lighthouse_mcp.tools.concise import left_out_note
from lighthouse_mcp.tools.intent import suggest_actions
from lighthouse_mcp.tools.schema import region_applies
from lighthouse_mcp.tools.validate import Problem, validate

__all__ = [
    "AllowAll",
    "ApiClient",
    "Auditor",
    "Gate",
    "GateDecision",
    "NoAudit",
    "OutsideBounds",
    "PendingCall",
    "Pipeline",
    "Services",
    "SessionInfo",
    "ToolContext",
    "mask_secrets",
]

log = logging.getLogger("lighthouse_mcp.server")

REGION_ARG = "Region"
#: The result's ``_meta`` key naming who confirmed a gated call that ran.
CONFIRMATION_META = "lighthouse-mcp/confirmation"
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}


class ApiClient(Protocol):
    """The part of LighthouseClient the pipeline uses."""

    async def call(
        self, action: str, params: Mapping[str, Any], *, region: str | None = None
    ) -> dict[str, Any]: ...


async def send_action(
    client: ApiClient, name: str, params: Mapping[str, Any], region: str | None
) -> dict[str, Any]:
    """Send the action a tool names: Lighthouse's by its bare name, another service's
    (``tat_RunCommand``) as that service's action through the same client."""
    service, action = catalog.split_name(name)
    if service == catalog.SERVICE:
        return await client.call(action, params, region=region)
    call: Callable[..., Awaitable[dict[str, Any]]] = client.call
    return await call(action, params, region=region, service=service)


Validator = Callable[[str, Mapping[str, Any]], Sequence[Problem]]


class OutsideBounds(PermissionError):
    """A server-side read of an action the exposure flags leave out; its text says which
    action and which flags."""


def mask_secrets(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Tool arguments safe for audit events and logs: the project's secret fields
    (catalog.secrets) plus server-added tokens such as ``confirm_token``."""
    masked: dict[str, Any] = redact(dict(arguments))
    for key in masked:
        if key.endswith("_token"):
            masked[key] = REDACTED
    return masked


def integral_numbers(value: Any) -> Any:
    """``value`` with integral floats (``10.0``) as ints: JSON Schema counts them as
    integers, so validation accepts them, and the API gets the integer it documents."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral_numbers(v) for v in value]
    return value


def _check_server_arg(arg: ServerArg, value: Any) -> Problem | None:
    expected = arg.schema.get("type")
    allowed = _JSON_TYPES.get(expected) if isinstance(expected, str) else None
    if allowed is None:
        return None
    ok = isinstance(value, allowed) and not (
        expected in ("integer", "number") and isinstance(value, bool)
    )
    if ok:
        return None
    given = repr(value)
    return Problem(
        arg.name,
        given if len(given) <= 40 else given[:37] + "...",
        str(expected),
        f"must be of type {expected}",
    )


class Pipeline:
    """Runs one action call for a tool handler. Built once per server by build_server.

    ``client`` is a zero-argument callable returning the shared API client, so the
    client (and httpx) is created on the first call, not at start.
    """

    def __init__(
        self,
        registry: Registry,
        client: Callable[[], ApiClient],
        *,
        validator: Validator = validate,
        is_read: Callable[[str], bool] = catalog.is_read,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._client = client
        self._validator = validator
        self._is_read = is_read
        self._clock = clock
        self._exposed = frozenset(registry.exposed_actions)
        #: Per action, the call wrappers that apply to it (static per action; chosen on
        #: the action's first call, again if wrappers were added since).
        self._wrappers: dict[str, tuple[CallWrapper, ...]] = {}
        self._wrapper_count = 0

    @property
    def exposed(self) -> frozenset[str]:
        return self._exposed

    def also_expose(self, actions: Iterable[str]) -> None:
        """Let a server tool send these actions through :meth:`run` although no action
        tool lists them (run_command sends tat_RunCommand). --read-only still refuses
        writes: :meth:`exposure_problem` checks it on every call."""
        self._exposed = self._exposed | frozenset(actions)

    def exposure_problem(self, action: str) -> str | None:
        """Why ``action`` may not run on this server, or None when it may."""
        settings = self._registry.settings
        if action not in self._exposed:
            close = suggest_actions(action, sorted(self._exposed))
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            return (
                f"{action} is not available on this server: it is not a Lighthouse action "
                "or the server's flags (--toolsets/--tools/--exclude-tools/--read-only) "
                f"leave it out.{hint}"
            )
        if settings.read_only and not self._is_read(action):
            return f"{action} changes resources and this server runs with --read-only."
        return None

    def outside_bounds(self, actions: Iterable[str]) -> list[str]:
        """Those of ``actions`` this server's exposure flags leave out."""
        return [a for a in actions if self.exposure_problem(a) is not None]

    async def read(
        self, action: str, params: Mapping[str, Any], *, region: str | None = None
    ) -> dict[str, Any]:
        """Send a read action for a server-side surface (waits, paging, live resources).

        The same bounds as the tools: only exposed read actions pass, so no surface
        reads what --toolsets/--tools/--exclude-tools leave out (a surface that needs an
        action outside them is not offered; this is the backstop). Validation is the
        caller's job. Raises OutsideBounds, or the client's exceptions.
        """
        problem = self.exposure_problem(action)
        if problem is not None:
            raise OutsideBounds(problem)
        return await self._send_read(action, params, region)

    async def preview_read(
        self, action: str, params: Mapping[str, Any], *, region: str | None = None
    ) -> dict[str, Any]:
        """A read for the confirmation gate's preview of a call the model already made:
        the person must see what they approve (the instance a TerminateInstances would
        destroy), so this one read path is not narrowed by the exposure flags. Only
        read actions pass, whatever the flags; secret outputs are filtered as always."""
        return await self._send_read(action, params, region)

    async def _send_read(
        self, action: str, params: Mapping[str, Any], region: str | None
    ) -> dict[str, Any]:
        if not self._is_read(action):
            raise PermissionError(f"{action} is not a read action")
        response = await send_action(self._client(), action, params, region)
        return self.filter_output(action, response)

    def filter_output(self, action: str, response: dict[str, Any]) -> dict[str, Any]:
        """The response as anyone may see it: every registered output filter applied
        (server/secret_outputs.py keeps secret members out)."""
        for output_filter in self._registry.output_filters:
            response = output_filter(action, response)
        return response

    async def run(
        self,
        action: str,
        arguments: Mapping[str, Any] | None,
        ctx: ToolContext,
        *,
        tool: str | None = None,
    ) -> ToolResult:
        started = self._clock()
        tool = tool or action
        arguments = dict(arguments or {})
        event: dict[str, Any] = {
            "event": "tool_call",
            "tool": tool,
            "action": action,
            "session_id": ctx.session.session_id,
            "client": ctx.session.client_name,
            "arguments": mask_secrets(arguments),
        }

        gated: GatedCall | None = None

        def finish(outcome: str, result: ToolResult, **extra: Any) -> ToolResult:
            event.update(
                outcome=outcome, duration_ms=round((self._clock() - started) * 1000, 1), **extra
            )
            try:
                self._registry.auditor.record(event, gated)
            except Exception as exc:  # an audit sink failing must not fail the call silently
                log.error("audit log write failed: %s", type(exc).__name__)
            return result

        problem = self.exposure_problem(action)
        if problem is not None:
            return finish("not_exposed", tool_error(problem, code="ToolNotExposed"))

        offered = self._registry.server_args_for(action)
        server_args = {k: arguments.pop(k) for k in list(arguments) if k in offered}
        problems: list[Problem] = []
        for key, value in server_args.items():
            if (arg_problem := _check_server_arg(offered[key], value)) is not None:
                problems.append(arg_problem)
        if projection.FIELDS in server_args:
            problems.extend(projection.check(action, server_args[projection.FIELDS]))
        try:
            problems.extend(self._validator(action, arguments))
        except Exception as exc:
            return finish("error", unexpected_error_result(action, exc), stage="validate")
        if problems:
            return finish(
                "invalid", validation_error(action, problems), fields=[p.path for p in problems]
            )

        arguments = {k: integral_numbers(v) for k, v in arguments.items()}
        region = arguments.pop(REGION_ARG, None) or self._registry.settings.region
        call = PendingCall(
            action=action, region=region, arguments=arguments, server_args=server_args, tool=tool
        )
        event["region"] = region
        try:
            decision = await self._registry.gate.check(call, ctx.session)
        except Exception as exc:
            return finish("error", unexpected_error_result(action, exc), stage="gate")
        gated = GatedCall(call, ctx.session, decision)
        if not decision.allowed:
            refusal = decision.result or tool_error(
                f"{action} was not confirmed; nothing was sent.", code="NotConfirmed"
            )
            return finish("refused", refusal)

        try:
            response = self.filter_output(action, await self._call_chain(action, ctx)(call))
            result = self._shape(call, response)
            if decision.gated:  # who said yes: "elicited-accept", "model-relayed", ...
                result.meta = {**(result.meta or {}), CONFIRMATION_META: decision.decision}
        except Exception as exc:
            api = api_error_result(action, exc)
            if api is not None:
                code = (api.structured_content or {}).get("Error", {}).get("Code")
                return finish("api_error", api, error_code=code)
            return finish("error", unexpected_error_result(action, exc), stage="call")
        except BaseException:
            # Cancelled (the client gave up, or the server is stopping) after the request
            # may have left: whether it ran is unknown, and the audit trail must say so.
            finish(
                "cancelled", tool_error(f"{action} was cancelled.", code="Cancelled"), stage="call"
            )
            raise
        return finish("ok", result, request_id=response.get("RequestId"))

    def _shape(self, call: PendingCall, response: dict[str, Any]) -> ToolResult:
        """The tool result: projected with ``fields`` (or a price quote's default), the
        region named, a note for what a default projection left out."""
        fields = call.server_args.get(projection.FIELDS)
        shown = projection.apply(call.action, response, fields)
        note = None if fields else left_out_note(call.action, response)
        return success(
            call.action,
            shown,
            region=self.result_region(call),
            arguments=call.arguments,
            notes=[note] if note else [],
        )

    def result_region(self, call: PendingCall) -> str | None:
        """The region a call's answer came from: its Region, else --region, else the
        client's own default; None for global actions (no Region at all)."""
        if call.action in catalog.action_names() and not region_applies(
            catalog.action(call.action)
        ):
            return None
        if call.region or self._registry.default_region:
            return call.region or self._registry.default_region
        default = getattr(self._client(), "default_region", None)
        return default if isinstance(default, str) else None

    def _call_chain(self, action: str, ctx: ToolContext) -> CallNext:
        async def send(call: PendingCall) -> dict[str, Any]:
            return await send_action(self._client(), call.action, call.arguments, call.region)

        chain: CallNext = send
        for wrapper in reversed(self.wrappers_for(action)):
            chain = _bind(wrapper, ctx, chain)
        return chain

    def wrappers_for(self, action: str) -> tuple[CallWrapper, ...]:
        """The registered call wrappers that apply to ``action``, outermost first."""
        if len(self._registry.call_wrappers) != self._wrapper_count:
            self._wrappers.clear()
            self._wrapper_count = len(self._registry.call_wrappers)
        found = self._wrappers.get(action)
        if found is None:
            found = self._wrappers[action] = self._registry.call_wrappers_for(action)
        return found


@dataclass(frozen=True)
class Services:
    """What `app.build_server` hands the features it installs: the pipeline (its
    read-only path serves waits, previews and live resources) and the shared API
    client, built on first use."""

    pipeline: Pipeline
    client: Callable[[], ApiClient]
    #: Cross-process state (``--store``); None: nothing is shared (tests, embedding).
    store: Store | None = None


def _bind(wrapper: Any, ctx: ToolContext, call_next: CallNext) -> CallNext:
    async def step(call: PendingCall) -> dict[str, Any]:
        result: dict[str, Any] = await wrapper(call, ctx, call_next)
        return result

    return step
