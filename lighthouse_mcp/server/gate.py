"""The confirmation gate: destructive and billing calls run only after a person said yes
to a live preview of exactly that call.

Policy: which safety classes are gated (``--confirm``, default destructive + billing;
reads that return a credential are gated too unless ``--return-secrets``) and by which
mechanism (``--confirm-mode``):

- ``elicit``: the server asks the person through MCP elicitation; the message is the
  live preview, and for destructive actions the person types the phrase shown at its
  end. On 2026-era connections (no server-initiated requests) the same form travels in
  an InputRequiredResult whose request state is a token bound to the call. Fails
  closed when the client cannot receive elicitation.
- ``token``: the first call runs nothing and returns the preview plus a single-use
  ``confirm_token`` (server/confirmation.py) for the model to show the person; only the
  identical call repeated with that token, in the same MCP session, runs.
- ``auto`` (default): elicitation when the client can receive it, else the token.
- ``off``: nothing is asked; only with ``--dangerously-skip-confirmation``.

Why a typed phrase and a token rather than a boolean: a model can set ``confirm: true``
on its own; it cannot type into the person's elicitation form, and it cannot mint a
token, which is an HMAC under a per-process secret bound to session, action, region and
the canonical arguments. Before a confirmed call goes out, the previewed targets are
looked up again: if one vanished or a missing one appeared, the call is refused.

Every decision is written to the audit log before the gate answers; the outcome of each
call that runs (gated or a mutating ungated one) follows from :class:`GateAuditor`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import mcp_types as types

from lighthouse_mcp import catalog
from lighthouse_mcp.server.audit import AuditLog, default_audit_path
from lighthouse_mcp.server.config import ConfigError, ConfirmMode, Settings
from lighthouse_mcp.server.confirmation import ConfirmationTokens, TokenRejected
from lighthouse_mcp.server.hooks import GateDecision, PendingCall, SessionInfo
from lighthouse_mcp.server.registry import Registry, ServerArg
from lighthouse_mcp.server.results import tool_error
from lighthouse_mcp.tools.previews import Call, Preview, build_preview, changed_targets
from lighthouse_mcp.tools.safety import GATED_BY_DEFAULT, returns_secret

log = logging.getLogger("lighthouse_mcp.server")

TOKEN_ARG = "confirm_token"
#: The form field a person types the confirmation phrase into (destructive actions).
PHRASE_FIELD = "confirm"
#: The form field a person ticks for gated calls that need no phrase (billing, ...).
APPROVE_FIELD = "approve"
#: The key of the confirmation form in a 2026-era input-required round trip.
INPUT_KEY = "confirm"


@dataclass(frozen=True)
class GatePolicy:
    """What needs confirmation and how it is asked. Built once from the settings."""

    classes: frozenset[str] = GATED_BY_DEFAULT
    mode: ConfirmMode = "auto"
    return_secrets: bool = False

    def needs_confirmation(self, action: str) -> bool:
        if self.mode == "off":
            return False
        cls = catalog.safety_class(action)
        if cls in self.classes:
            return True
        # A console login URL is a credential: reading one is gated unless secrets are
        # returned by choice (CreateKeyPair's private key goes to a file instead).
        return cls == "read" and returns_secret(action) and not self.return_secrets

    def offers_token(self, action: str) -> bool:
        """Whether the action's tool takes a ``confirm_token`` argument."""
        return self.mode in ("auto", "token") and self.needs_confirmation(action)


def policy_from_settings(settings: Settings) -> GatePolicy:
    """The policy, or ConfigError when the flags do not say what they mean."""
    mode = settings.confirm_mode
    if settings.skip_confirmation and mode not in ("auto", "off"):
        raise ConfigError(
            f"--dangerously-skip-confirmation contradicts --confirm-mode {mode}; "
            "use one or the other"
        )
    if settings.skip_confirmation:
        mode = "off"
    elif mode == "off":
        raise ConfigError(
            "--confirm-mode off runs destructive and billing actions without "
            "asking anyone; add --dangerously-skip-confirmation to mean it"
        )
    classes = GATED_BY_DEFAULT if settings.confirm is None else frozenset(settings.confirm)
    if not classes and mode != "off":
        raise ConfigError(
            "--confirm: name at least one class (e.g. destructive,billing); "
            "turning confirmation off takes --dangerously-skip-confirmation"
        )
    return GatePolicy(classes=frozenset(classes), mode=mode, return_secrets=settings.return_secrets)


@dataclass
class GateNote:
    """What the gate decided for the call in progress, for the auditor's outcome record.

    Kept in a ContextVar: the pipeline awaits ``gate.check`` and later calls the auditor
    in the same task, so the note set in one is visible to the other without changing
    the pipeline's hooks, and concurrent calls (separate tasks) never see each other's.
    """

    call: PendingCall
    region: str
    decision: str
    gated: bool
    client: str | None
    session: str | None


_NOTE: ContextVar[GateNote | None] = ContextVar("lighthouse_gate_note", default=None)


@dataclass(frozen=True)
class _Shown:
    """What a token's preview showed, so its redemption re-checks the same targets."""

    shown: tuple[str, ...]
    missing: tuple[str, ...]
    expires: float
    phrase: str | None = None

    @classmethod
    def of(cls, preview: Preview, expires: float) -> _Shown:
        return cls(tuple(preview.target_ids()), tuple(preview.missing), expires, preview.phrase)


@dataclass
class _Issued:
    by_token: dict[str, _Shown] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, token: str, shown: _Shown, now: float) -> None:
        with self.lock:
            for key in [k for k, v in self.by_token.items() if v.expires <= now]:
                del self.by_token[key]
            self.by_token[_digest(token)] = shown

    def get(self, token: str) -> _Shown | None:
        with self.lock:
            return self.by_token.get(_digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


#: Makes the read-only API call function for previews, bound to one region.
ReaderFactory = Callable[[str], Call]


class ConfirmationGate:
    """The Gate hook of the pipeline (see module docstring)."""

    def __init__(
        self,
        policy: GatePolicy,
        *,
        audit: AuditLog,
        reader: ReaderFactory,
        default_region: Callable[[], str | None] = lambda: None,
        tokens: ConfirmationTokens | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy
        self.audit = audit
        self._reader = reader
        self._default_region = default_region
        self._clock = clock
        self.tokens = tokens or ConfirmationTokens(clock=clock)
        self._issued = _Issued()

    def __repr__(self) -> str:
        return f"ConfirmationGate(policy={self.policy!r}, audit={self.audit!r})"

    async def check(self, call: PendingCall, session: SessionInfo) -> GateDecision:
        region = call.region or self._default_region() or ""
        gated = self.policy.needs_confirmation(call.action)
        note = GateNote(call, region, "not-gated", gated, session.client_name, session.session_id)
        _NOTE.set(note)
        if not gated:
            return GateDecision.allow()
        token = call.server_args.get(TOKEN_ARG)
        if token is not None and self.policy.mode in ("auto", "token"):
            return await self._redeem(note, str(token))
        if session.can_elicit and self.policy.mode in ("auto", "elicit"):
            return await self._elicit(note, session)
        if session.can_request_input and self.policy.mode in ("auto", "elicit"):
            return await self._input_required(note, session)
        if self.policy.mode == "elicit":
            why = (
                "this server confirms gated actions through MCP elicitation only "
                "(--confirm-mode elicit) and this client cannot receive elicitation"
            )
            return self._refuse(
                note,
                "refused",
                "client-cannot-elicit",
                f"{call.action} was not run: {why}. Nothing was sent.",
            )
        return await self._issue(note, session)

    # -- mechanisms -------------------------------------------------------------------

    async def _preview(self, note: GateNote) -> Preview | GateDecision:
        """The live preview, or a refusal when it cannot be built (fail closed)."""
        try:
            return await build_preview(
                self._reader(note.region), note.call.action, note.region, note.call.arguments
            )
        except Exception as exc:
            log.warning("preview of %s failed: %s", note.call.action, type(exc).__name__)
            return self._refuse(
                note,
                "refused",
                f"preview-failed: {type(exc).__name__}",
                f"{note.call.action} was not run: its preview could not be "
                "built, so nobody could be asked. Nothing was sent.",
            )

    async def _elicit(self, note: GateNote, session: SessionInfo) -> GateDecision:
        call = note.call
        preview = await self._preview(note)
        if isinstance(preview, GateDecision):
            return preview
        schema = _form_schema(preview)
        try:
            answer = await session.elicit(preview.text(), schema)
        except Exception as exc:  # the client failed to answer: fail closed
            log.warning("elicitation for %s failed: %s", call.action, type(exc).__name__)
            return self._refuse(
                note,
                "refused",
                "elicitation-failed",
                f"{call.action} was not run: the confirmation request could "
                "not be shown to the person. Nothing was sent.",
            )
        return await self._answered(
            note, answer.action, answer.content or {}, _Shown.of(preview, 0.0)
        )

    async def _input_required(self, note: GateNote, session: SessionInfo) -> GateDecision:
        """2026-era connections: the form travels in an InputRequiredResult and the
        client retries the call with the person's answer and our ``request_state``, a
        confirmation token bound to this exact call (so an answer cannot be replayed
        or carried over to different arguments)."""
        call = note.call
        answer = (session.input_responses or {}).get(INPUT_KEY)
        state = session.request_state
        if answer is None or not state:
            preview = await self._preview(note)
            if isinstance(preview, GateDecision):
                return preview
            token, expires = self.tokens.issue(
                session_id=note.session or "",
                action=call.action,
                region=note.region,
                arguments=call.arguments,
            )
            self._issued.put(token, _Shown.of(preview, expires), self._clock())
            form = types.ElicitRequest(
                params=types.ElicitRequestFormParams(
                    message=preview.text(), requested_schema=_form_schema(preview)
                )
            )
            return GateDecision.refuse(
                types.InputRequiredResult(input_requests={INPUT_KEY: form}, request_state=token)
            )
        try:
            self.tokens.redeem(
                state,
                session_id=note.session or "",
                action=call.action,
                region=note.region,
                arguments=call.arguments,
            )
        except TokenRejected as exc:
            return self._refuse(
                note,
                "token-rejected",
                exc.reason,
                f"{call.action} was not run: the confirmation does not belong "
                f"to this call ({exc.reason}). Nothing was sent.",
                code="ConfirmationRejected",
            )
        shown = self._issued.get(state)
        if shown is None:
            return self._refuse(
                note,
                "token-rejected",
                "unknown-preview",
                f"{call.action} was not run: the preview behind this "
                "confirmation is gone; call again. Nothing was sent.",
                code="ConfirmationRejected",
            )
        if isinstance(answer, Mapping):
            verdict, content = answer.get("action"), answer.get("content")
        else:
            verdict, content = getattr(answer, "action", None), getattr(answer, "content", None)
        return await self._answered(note, str(verdict), content or {}, shown)

    async def _answered(
        self, note: GateNote, verdict: str, content: Mapping[str, Any], shown: _Shown
    ) -> GateDecision:
        """The person's answer to the form: run only on accept with the right phrase
        (or the approval box) and unchanged targets."""
        call = note.call
        if verdict == "decline":
            return self._refuse(
                note,
                "declined",
                None,
                f"The person declined {call.action}. Nothing was sent; do not "
                "retry unless they ask for it.",
            )
        if verdict != "accept":
            return self._refuse(
                note,
                "cancelled",
                None,
                f"The person cancelled the confirmation of {call.action}. Nothing was sent.",
            )
        problem = _answer_problem(shown.phrase, content)
        if problem is not None:
            return self._refuse(
                note,
                "declined",
                problem,
                f"{call.action} was not run: {problem}. Nothing was sent.",
            )
        changes = await changed_targets(
            self._reader(note.region), call.action, call.arguments, shown.shown, shown.missing
        )
        if changes:
            return self._changed(note, changes)
        return self._allow(note, "elicited-accept")

    async def _issue(self, note: GateNote, session: SessionInfo) -> GateDecision:
        call = note.call
        if not session.session_id:
            return self._refuse(
                note,
                "refused",
                "no-session",
                f"{call.action} needs confirmation, but this connection has no "
                "MCP session to bind a confirmation token to. Nothing was sent.",
            )
        preview = await self._preview(note)
        if isinstance(preview, GateDecision):
            return preview
        token, expires = self.tokens.issue(
            session_id=session.session_id,
            action=call.action,
            region=note.region,
            arguments=call.arguments,
        )
        self._issued.put(token, _Shown.of(preview, expires), self._clock())
        self._record(note, "token-issued")
        minutes = max(1, round(self.tokens.ttl_seconds / 60))
        tool = call.tool or call.action
        where = "" if tool == call.action else f' (action {call.action}; put it inside "arguments")'
        text = "\n".join(
            [
                f"CONFIRMATION REQUIRED: {call.action} was NOT run; nothing was sent.",
                "Show the person the preview below and ask whether to proceed. Only if they say "
                f"yes, call {tool} again with exactly the same arguments plus "
                f'"{TOKEN_ARG}": "{token}"{where} (valid once, for {minutes} min, in this '
                "session). Do not decide for them.",
                "",
                replace(preview, phrase=None).text(),
            ]
        )
        result = tool_error(
            text,
            code="ConfirmationRequired",
            details={
                "Preview": replace(preview, phrase=None).as_dict(),
                TOKEN_ARG: token,
                "ExpiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires)),
            },
        )
        return GateDecision.refuse(result)

    async def _redeem(self, note: GateNote, token: str) -> GateDecision:
        call = note.call
        try:
            self.tokens.redeem(
                token,
                session_id=note.session or "",
                action=call.action,
                region=note.region,
                arguments=call.arguments,
            )
        except TokenRejected as exc:
            return self._refuse(
                note,
                "token-rejected",
                exc.reason,
                f"{call.action} was not run: {exc}. Nothing was sent.",
                code="ConfirmationRejected",
            )
        shown = self._issued.get(token)
        if shown is None:  # a valid token always has its preview; be safe anyway
            return self._refuse(
                note,
                "token-rejected",
                "unknown-preview",
                f"{call.action} was not run: the preview behind this token is "
                "gone; call again without it. Nothing was sent.",
                code="ConfirmationRejected",
            )
        changes = await changed_targets(
            self._reader(note.region), call.action, call.arguments, shown.shown, shown.missing
        )
        if changes:
            return self._changed(note, changes)
        return self._allow(note, "token-confirmed")

    # -- outcomes ---------------------------------------------------------------------

    def _changed(self, note: GateNote, changes: list[str]) -> GateDecision:
        return self._refuse(
            note,
            "refused",
            "targets-changed: " + "; ".join(changes),
            f"{note.call.action} was not run: its targets changed after the "
            f"person confirmed ({'; '.join(changes)}). Nothing was sent; "
            "call again for a fresh preview.",
            code="TargetsChanged",
        )

    def _allow(self, note: GateNote, decision: str) -> GateDecision:
        note.decision = decision
        self._record(note, decision)
        return GateDecision.allow()

    def _refuse(
        self,
        note: GateNote,
        decision: str,
        reason: str | None,
        message: str,
        *,
        code: str = "NotConfirmed",
    ) -> GateDecision:
        note.decision = decision
        self._record(note, decision, reason=reason)
        details = {"Decision": decision}
        if reason:
            details["Reason"] = reason
        return GateDecision.refuse(tool_error(message, code=code, details=details))

    def _record(
        self,
        note: GateNote,
        decision: str,
        *,
        reason: str | None = None,
        outcome: Mapping[str, Any] | None = None,
    ) -> None:
        self.audit.record(
            action=note.call.action,
            region=note.region,
            arguments=note.call.arguments,
            decision=decision,
            client=note.client,
            session=note.session,
            reason=reason,
            outcome=outcome,
        )


def _form_schema(preview: Preview) -> dict[str, Any]:
    """A typed phrase for destructive actions, a yes/no box for the rest."""
    if preview.phrase:
        return {
            "type": "object",
            "properties": {
                PHRASE_FIELD: {
                    "type": "string",
                    "title": "Confirmation phrase",
                    "description": "Type exactly the text shown in backticks at the end of the "
                    "message to run this call.",
                }
            },
            "required": [PHRASE_FIELD],
        }
    return {
        "type": "object",
        "properties": {
            APPROVE_FIELD: {
                "type": "boolean",
                "title": "Run this call",
                "default": False,
                "description": "Tick to run the call exactly as shown.",
            }
        },
        "required": [APPROVE_FIELD],
    }


def _answer_problem(phrase: str | None, content: Mapping[str, Any]) -> str | None:
    """Why an accepted form does not confirm the call, or None when it does."""
    if phrase:
        typed = content.get(PHRASE_FIELD)
        if not isinstance(typed, str) or typed.strip() != phrase:
            return "the confirmation phrase did not match"
        return None
    if content.get(APPROVE_FIELD) is not True:
        return "the person did not tick the approval box"
    return None


class GateAuditor:
    """The pipeline's Auditor: writes the outcome of every call that ran and was either
    gated or mutating, with the gate's decision, the RequestId or the error code.

    Refusals and validation failures are not repeated here: the gate already recorded
    its refusals, and an invalid call never reached the gate or the API.
    """

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def record(self, event: dict[str, Any]) -> None:
        note = _NOTE.get()
        if note is None or note.call.action != event.get("action"):
            return
        _NOTE.set(None)
        status = event.get("outcome")
        if status not in ("ok", "api_error", "error", "cancelled") or event.get("stage") == "gate":
            return
        if not note.gated and catalog.is_read(note.call.action):
            return
        outcome: dict[str, Any] = {"status": status}
        if event.get("request_id"):
            outcome["RequestId"] = event["request_id"]
        if event.get("error_code"):
            outcome["ErrorCode"] = event["error_code"]
        self.audit.record(
            action=note.call.action,
            region=note.region,
            arguments=note.call.arguments,
            decision=note.decision,
            client=note.client,
            session=note.session,
            outcome=outcome,
        )


def make_reader(registry: Registry) -> ReaderFactory:
    """Preview reads through the shared client: read actions via the pipeline's read
    path (which refuses anything else), plus the ``DryRun`` form of a billing action,
    which the API answers without doing anything."""

    def bind(region: str) -> Call:
        async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            target = region or None
            if catalog.is_read(action):
                result: dict[str, Any] = await registry.services["pipeline"].read(
                    action, params, region=target
                )
                return result
            if params.get("DryRun") is True:
                dry: dict[str, Any] = await registry.services["client"]().call(
                    action, params, region=target
                )
                return dry
            raise PermissionError(f"previews never send {action}")

        return call

    return bind


def _client_region(registry: Registry) -> str | None:
    client = registry.services.get("client")
    if client is None:
        return registry.settings.region
    region = getattr(client(), "default_region", None)
    return region if isinstance(region, str) else registry.settings.region


def install(registry: Registry) -> None:
    """Plug the gate, its auditor, ``confirm_token`` and the key-file writer into the
    server. Raises ConfigError for contradictory gate flags (cmd_serve reports it)."""
    from lighthouse_mcp.server.secret_outputs import install as install_secret_outputs

    settings = registry.settings
    policy = policy_from_settings(settings)
    audit = AuditLog(settings.audit_log or default_audit_path())
    try:
        audit.touch()
    except OSError as exc:
        raise ConfigError(
            f"--audit-log: cannot write the audit log {audit.path} "
            f"({exc.strerror or type(exc).__name__}); choose a writable PATH"
        ) from None
    gate = ConfirmationGate(
        policy,
        audit=audit,
        reader=make_reader(registry),
        default_region=lambda: _client_region(registry),
    )
    registry.set_gate(gate)
    registry.set_auditor(GateAuditor(audit))
    registry.add_server_arg(
        ServerArg(
            TOKEN_ARG,
            {
                "type": "string",
                "description": "from a preview the person approved; other args unchanged",
            },
            policy.offers_token,
        )
    )
    install_secret_outputs(registry)
    if policy.mode == "off":
        log.warning(
            "confirmation gate is OFF (--dangerously-skip-confirmation): destructive "
            "and billing actions run without asking"
        )


__all__ = [
    "ConfirmationGate",
    "GateAuditor",
    "GatePolicy",
    "install",
    "make_reader",
    "policy_from_settings",
]
