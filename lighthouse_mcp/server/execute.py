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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog.secrets import REDACTED, redact
from lighthouse_mcp.server.api_errors import api_error_result, unexpected_error_result
from lighthouse_mcp.server.hooks import (
    AllowAll,
    Auditor,
    CallNext,
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
from lighthouse_mcp.tools.validate import Problem, validate

__all__ = [
    "AllowAll",
    "ApiClient",
    "Auditor",
    "Gate",
    "GateDecision",
    "NoAudit",
    "PendingCall",
    "Pipeline",
    "Services",
    "SessionInfo",
    "ToolContext",
    "mask_secrets",
]

log = logging.getLogger("lighthouse_mcp.server")

REGION_ARG = "Region"
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


Validator = Callable[[str, Mapping[str, Any]], Sequence[Problem]]


def mask_secrets(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Tool arguments safe for audit events and logs: the project's secret fields
    (catalog.secrets) plus server-added tokens such as ``confirm_token``."""
    masked: dict[str, Any] = redact(dict(arguments))
    for key in masked:
        if key.endswith("_token"):
            masked[key] = REDACTED
    return masked


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


#: The arguments that page a Describe* list.
PAGE_PARAMS = ("Offset", "Limit")


def _default_page_params(action: str) -> Iterable[str]:
    """The paging arguments (Offset, Limit) ``action`` takes, for a cut result's hint."""
    inputs = {p["name"] for p in catalog.action(action)["inputs"]}
    return [name for name in PAGE_PARAMS if name in inputs]


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
        page_params: Callable[[str], Iterable[str]] = _default_page_params,
        is_read: Callable[[str], bool] = catalog.is_read,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._client = client
        self._validator = validator
        self._page_params = page_params
        self._is_read = is_read
        self._clock = clock
        self._exposed = frozenset(registry.exposed_actions)

    @property
    def exposed(self) -> frozenset[str]:
        return self._exposed

    def exposure_problem(self, action: str) -> str | None:
        """Why ``action`` may not run on this server, or None when it may."""
        settings = self._registry.settings
        if action not in self._exposed:
            return (
                f"{action} is not available on this server: it is not a Lighthouse action "
                "or the server's flags (--toolsets/--tools/--exclude-tools/--read-only) "
                "leave it out."
            )
        if settings.read_only and not self._is_read(action):
            return f"{action} changes resources and this server runs with --read-only."
        return None

    async def read(
        self, action: str, params: Mapping[str, Any], *, region: str | None = None
    ) -> dict[str, Any]:
        """Send a read action for a server-side helper (waits, previews, paging).

        Only read actions pass, whatever the flags: helpers observe, they never change
        anything. Exposure flags do not apply (a waiter under --toolsets disk may still
        need DescribeInstances); validation is the caller's job. Raises the client's
        exceptions.
        """
        if not self._is_read(action):
            raise PermissionError(f"{action} is not a read action")
        return await self._client().call(action, params, region=region)

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
        try:
            problems.extend(self._validator(action, arguments))
        except Exception as exc:
            return finish("error", unexpected_error_result(action, exc), stage="validate")
        if problems:
            return finish(
                "invalid", validation_error(action, problems), fields=[p.path for p in problems]
            )

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
            response = await self._call_chain(ctx)(call)
            result = success(action, response, page_params=self._page_params(action))
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

    def _call_chain(self, ctx: ToolContext) -> CallNext:
        async def send(call: PendingCall) -> dict[str, Any]:
            return await self._client().call(call.action, call.arguments, region=call.region)

        chain: CallNext = send
        for wrapper in reversed(self._registry.call_wrappers):
            chain = _bind(wrapper, ctx, chain)
        return chain


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
