"""The plug-in interfaces of the call pipeline: what a gate, an auditor and a call
wrapper receive and return.

They live apart from the pipeline so the gate, audit and workflow modules can import
them without importing the pipeline (and the pipeline never imports those modules).
Everything here is plain data plus Protocols; `mcp_types` is imported for the results a
gate may hand back (a refusal as a tool result, or an input-required result on
2026-era connections that cannot receive server-initiated elicitation).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import mcp_types as types

from lighthouse_mcp.catalog.secrets import REDACTED, redact

#: What a tool handler may return to the MCP runner.
ToolResult = types.CallToolResult | types.InputRequiredResult

#: Sends a form elicitation to the client: (message, requested JSON schema) -> result.
ElicitFn = Callable[[str, dict[str, Any]], Awaitable[types.ElicitResult]]

#: Reports progress on the current request: (progress, total, message).
ProgressFn = Callable[[float, float | None, str | None], Awaitable[None]]


async def _no_progress(progress: float, total: float | None, message: str | None) -> None:
    return None


async def _no_elicit(message: str, schema: dict[str, Any]) -> types.ElicitResult:
    raise RuntimeError("this client connection cannot receive elicitation requests")


@dataclass(frozen=True)
class PendingCall:
    """One API call that passed exposure and validation and is about to be sent.

    ``arguments`` are the API parameters exactly as they will be sent (no Region, no
    server-added arguments); ``region`` is the call's Region, else --region (None: the
    client's own default, e.g. from its profile); ``server_args`` are the
    lower_snake_case arguments the server added (``confirm_token``, ``all_pages``, ...).
    ``tool`` is the MCP tool that carried the call (the action's own tool, or
    ``call_action`` in compact mode).
    """

    action: str
    region: str | None
    arguments: Mapping[str, Any]
    server_args: Mapping[str, Any] = field(default_factory=dict)
    tool: str = ""

    def __repr__(self) -> str:
        """Redacted: a call ends up in tracebacks and debug output, and its arguments may
        hold a password (catalog.secrets), its server arguments a confirm_token."""
        shown_args = {
            k: REDACTED if k.endswith("_token") else v for k, v in self.server_args.items()
        }
        return (
            f"PendingCall(action={self.action!r}, region={self.region!r}, "
            f"arguments={redact(dict(self.arguments))!r}, server_args={shown_args!r}, "
            f"tool={self.tool!r})"
        )


@dataclass(frozen=True)
class SessionInfo:
    """Who is calling, and what the connection can do.

    ``can_elicit`` is true only on handshake-era connections whose client declared the
    elicitation capability and whose request channel can carry a server request; on
    2026-era connections a gate answers with ``types.InputRequiredResult`` and reads the
    client's answers from ``input_responses``/``request_state`` on the retried call.
    """

    session_id: str | None = None
    client_name: str | None = None
    client_version: str | None = None
    protocol_version: str | None = None
    can_elicit: bool = False
    elicit: ElicitFn = _no_elicit
    #: 2026-era connection whose client declared elicitation in this request's
    #: capabilities: a gate may answer ``types.InputRequiredResult`` with a form.
    can_request_input: bool = False
    input_responses: Mapping[str, Any] | None = None
    request_state: str | None = None
    #: Progress on this request (a no-op unless the client sent a progress token): a
    #: call waiting for a person on the approval page reports it while it waits.
    report_progress: ProgressFn = _no_progress


@dataclass(frozen=True)
class ToolContext:
    """What a tool handler gets besides its arguments: the session and a progress
    reporter for this one request (a no-op unless the client sent a progress token).

    Cancellation needs no field: when the client cancels the request, the SDK cancels
    the handler's task, so a waiter's ``anyio.sleep`` raises the cancellation and the
    handler unwinds (use ``try/finally`` for cleanup).
    """

    session: SessionInfo
    report_progress: ProgressFn = _no_progress


@dataclass(frozen=True)
class GateDecision:
    """The gate's answer: run the call, or answer with ``result`` instead of running it.

    ``result`` is what the client receives when not allowed: a tool error explaining the
    refusal and how to confirm, or an input-required result asking for confirmation.
    """

    allowed: bool
    result: ToolResult | None = None
    #: What the gate decided, for the audit record: "not-gated", "token-issued",
    #: "elicited-accept", "page-approved", "model-relayed", "declined", ...
    decision: str = "not-gated"
    #: Whether the call needed confirmation.
    gated: bool = False
    #: The region the gate resolved for the call (its Region, else the default).
    region: str = ""

    @classmethod
    def allow(
        cls, decision: str = "not-gated", *, gated: bool = False, region: str = ""
    ) -> GateDecision:
        return cls(True, None, decision, gated, region)

    @classmethod
    def refuse(
        cls, result: ToolResult, decision: str = "refused", *, gated: bool = True, region: str = ""
    ) -> GateDecision:
        return cls(False, result, decision, gated, region)


@dataclass(frozen=True)
class GatedCall:
    """A call that reached the gate, with the gate's decision: what the pipeline hands
    the auditor alongside the event, so the outcome record names the decision."""

    call: PendingCall
    session: SessionInfo
    decision: GateDecision


class Gate(Protocol):
    """Decides whether a validated call may run now (the confirmation gate)."""

    async def check(self, call: PendingCall, session: SessionInfo) -> GateDecision: ...


class Auditor(Protocol):
    """Records one event per tool call (outcome, action, region, client, request id).

    Events carry arguments with secret-looking values already masked (see
    ``execute.mask_secrets``); an auditor must not add anything from the environment.
    ``gated`` is the call and the gate's decision once the call reached the gate (None
    for calls refused before it: not exposed, invalid).
    """

    def record(self, event: dict[str, Any], gated: GatedCall | None = None) -> None: ...


#: Runs the API call: (call) -> the Response contents. Wrappers receive the next runner.
CallNext = Callable[[PendingCall], Awaitable[dict[str, Any]]]


class CallWrapper(Protocol):
    """Wraps the API call itself, e.g. to fetch every page when ``all_pages`` is set or
    to keep a returned private key out of the result. Called innermost-last in
    registration order; must call ``call_next`` (possibly several times) or raise."""

    async def __call__(
        self, call: PendingCall, ctx: ToolContext, call_next: CallNext
    ) -> dict[str, Any]: ...


class AllowAll:
    """The gate when the confirmation gate is not installed: every exposed, valid call runs."""

    async def check(self, call: PendingCall, session: SessionInfo) -> GateDecision:
        return GateDecision.allow()


class NoAudit:
    """The default auditor: records nothing."""

    def record(self, event: dict[str, Any], gated: GatedCall | None = None) -> None:
        return None
