"""The confirmation gate: destructive and billing calls run only after a person said yes
to a live preview of exactly that call.

`ConfirmationGate.check` picks the mechanism the policy (gate/policy.py) and the
connection allow: a redeemed ``confirm_token`` (gate/tokens.py), an elicitation form
(gate/forms.py) sent as a request or, on 2026-era connections, in an
InputRequiredResult whose request state is a token bound to the call; else it issues a
token. Elicitation fails closed when the client cannot receive it.

Why a typed phrase and a token rather than a boolean: a model can set ``confirm: true``
on its own; it cannot type into the person's elicitation form, and it cannot mint a
token, which is an HMAC under a per-process secret bound to session, action, region and
the canonical arguments. Before a confirmed call goes out, the previewed targets are
looked up again: if one vanished or a missing one appeared, the call is refused.

Every decision is written to the audit log before the gate answers, and the decision
travels in the returned GateDecision so the auditor (gate/audit.py) can record the
outcome of each call that runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import mcp_types as types

from lighthouse_mcp.server.compact import CALL
from lighthouse_mcp.server.gate.audit import AuditLog
from lighthouse_mcp.server.gate.forms import INPUT_KEY, answer_problem, form_schema, input_answer
from lighthouse_mcp.server.gate.policy import TOKEN_ARG, GatePolicy
from lighthouse_mcp.server.gate.tokens import (
    ConfirmationTokens,
    IssuedPreviews,
    Shown,
    TokenRejected,
)
from lighthouse_mcp.server.hooks import GateDecision, PendingCall, SessionInfo
from lighthouse_mcp.server.results import tool_error
from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.previews import Preview, build_preview, changed_targets
from lighthouse_mcp.tools.previews.targets import LookupFailed

log = logging.getLogger("lighthouse_mcp.server")

#: Makes the read-only API call function for previews, bound to one region.
ReaderFactory = Callable[[str], Call]


@dataclass(frozen=True)
class GateNote:
    """The call the gate is deciding, with what the audit records need about it."""

    call: PendingCall
    region: str
    gated: bool
    client: str | None
    session: str | None
    #: why argument rules asked (shown in the preview)
    why: tuple[str, ...] = ()


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
        self._issued = IssuedPreviews()

    def __repr__(self) -> str:
        return f"ConfirmationGate(policy={self.policy!r}, audit={self.audit!r})"

    async def check(self, call: PendingCall, session: SessionInfo) -> GateDecision:
        region = call.region or self._default_region() or ""
        verdict = self.policy.verdict(call.action, call.arguments)
        gated = verdict.decision != "allow"
        note = GateNote(
            call, region, gated, session.client_name, session.session_id, verdict.reasons
        )
        if verdict.decision == "deny":
            return self._refuse(
                note,
                "denied",
                "policy: " + ", ".join(verdict.rules),
                f"{call.action} was not run: the policy denies it "
                f"({'; '.join(verdict.reasons)}). Nobody was asked; nothing was sent.",
                code="DeniedByPolicy",
            )
        if not gated:
            return GateDecision.allow(region=region)
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
        """The live preview; a refusal when it cannot be built (fail closed) or when the
        call is certain to fail (refused before asking: nobody is asked)."""
        try:
            preview = await build_preview(
                self._reader(note.region),
                note.call.action,
                note.region,
                note.call.arguments,
                why=note.why,
            )
        except Exception as exc:
            log.warning("preview of %s failed: %s", note.call.action, type(exc).__name__)
            because = f" ({exc})" if isinstance(exc, LookupFailed) else ""
            return self._refuse(
                note,
                "refused",
                f"preview-failed: {type(exc).__name__}",
                f"{note.call.action} was not run: its preview could not be "
                f"built{because}, so nobody could be asked. Nothing was sent.",
            )
        if preview.refusals:
            return self._refuse(
                note,
                "refused",
                "will-fail: " + "; ".join(preview.refusals),
                f"{note.call.action} was not run and nobody was asked, because it would "
                f"fail: {'; '.join(preview.refusals)}. Nothing was sent.",
                code="WouldFail",
            )
        return preview

    async def _elicit(self, note: GateNote, session: SessionInfo) -> GateDecision:
        call = note.call
        preview = await self._preview(note)
        if isinstance(preview, GateDecision):
            return preview
        try:
            answer = await session.elicit(preview.text(), form_schema(preview))
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
            note, answer.action, answer.content or {}, Shown.of(preview, 0.0)
        )

    async def _input_required(self, note: GateNote, session: SessionInfo) -> GateDecision:
        """2026-era connections: the form travels in an InputRequiredResult and the
        client retries the call with the person's answer and our ``request_state``, a
        confirmation token bound to this exact call (so an answer cannot be replayed
        or carried over to different arguments)."""
        answer = (session.input_responses or {}).get(INPUT_KEY)
        state = session.request_state
        if answer is None or not state:
            preview = await self._preview(note)
            if isinstance(preview, GateDecision):
                return preview
            token, _ = self._issue_token(note, preview)
            form = types.ElicitRequest(
                params=types.ElicitRequestFormParams(
                    message=preview.text(), requested_schema=form_schema(preview)
                )
            )
            return GateDecision.refuse(
                types.InputRequiredResult(input_requests={INPUT_KEY: form}, request_state=token),
                "not-gated",
                region=note.region,
            )
        shown = self._redeem_token(note, state, "confirmation")
        if isinstance(shown, GateDecision):
            return shown
        verdict, content = input_answer(answer)
        return await self._answered(note, verdict, content, shown)

    async def _answered(
        self, note: GateNote, verdict: str, content: Mapping[str, Any], shown: Shown
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
        problem = answer_problem(shown.phrase, content)
        if problem is not None:
            return self._refuse(
                note,
                "declined",
                problem,
                f"{call.action} was not run: {problem}. Nothing was sent.",
            )
        return await self._unchanged(note, shown, "elicited-accept")

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
        token, expires = self._issue_token(note, preview)
        self._record(note, "token-issued")
        minutes = max(1, round(self.tokens.ttl_seconds / 60))
        tool = call.tool or call.action
        # compact mode's call_action carries the action's arguments inside "arguments";
        # other tools (the action's own, run_command) take the token beside theirs
        where = f' (action {call.action}; put it inside "arguments")' if tool == CALL else ""
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
        return GateDecision.refuse(result, "token-issued", region=note.region)

    async def _redeem(self, note: GateNote, token: str) -> GateDecision:
        shown = self._redeem_token(note, token, "token")
        if isinstance(shown, GateDecision):
            return shown
        return await self._unchanged(note, shown, "token-confirmed")

    # -- tokens -----------------------------------------------------------------------

    def _issue_token(self, note: GateNote, preview: Preview) -> tuple[str, float]:
        """A token bound to this call, remembering the preview it confirms."""
        call = note.call
        token, expires = self.tokens.issue(
            session_id=note.session or "",
            action=call.action,
            region=note.region,
            arguments=call.arguments,
        )
        self._issued.put(token, Shown.of(preview, expires), self._clock())
        return token, expires

    def _redeem_token(self, note: GateNote, token: str, what: str) -> Shown | GateDecision:
        """Consume ``token`` for this call: the preview it confirmed, or the refusal.
        ``what`` names it in the refusal ("token", or "confirmation" for the request
        state of an input-required round trip)."""
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
            why = (
                str(exc)
                if what == "token"
                else f"the confirmation does not belong to this call ({exc.reason})"
            )
            return self._refuse(
                note,
                "token-rejected",
                exc.reason,
                f"{call.action} was not run: {why}. Nothing was sent.",
                code="ConfirmationRejected",
            )
        shown = self._issued.get(token)
        if shown is None:  # a valid token always has its preview; be safe anyway
            again = "call again without it" if what == "token" else "call again"
            return self._refuse(
                note,
                "token-rejected",
                "unknown-preview",
                f"{call.action} was not run: the preview behind this {what} "
                f"is gone; {again}. Nothing was sent.",
                code="ConfirmationRejected",
            )
        return shown

    # -- outcomes ---------------------------------------------------------------------

    async def _unchanged(self, note: GateNote, shown: Shown, decision: str) -> GateDecision:
        """Allow the confirmed call only if its targets are still what the person saw."""
        call = note.call
        changes = await changed_targets(
            self._reader(note.region), call.action, call.arguments, shown.shown, shown.missing
        )
        if changes:
            return self._refuse(
                note,
                "refused",
                "targets-changed: " + "; ".join(changes),
                f"{call.action} was not run: its targets changed after the "
                f"person confirmed ({'; '.join(changes)}). Nothing was sent; "
                "call again for a fresh preview.",
                code="TargetsChanged",
            )
        self._record(note, decision)
        return GateDecision.allow(decision, gated=True, region=note.region)

    def _refuse(
        self,
        note: GateNote,
        decision: str,
        reason: str | None,
        message: str,
        *,
        code: str = "NotConfirmed",
    ) -> GateDecision:
        self._record(note, decision, reason=reason)
        details = {"Decision": decision}
        if reason:
            details["Reason"] = reason
        return GateDecision.refuse(
            tool_error(message, code=code, details=details),
            decision,
            gated=note.gated,
            region=note.region,
        )

    def _record(self, note: GateNote, decision: str, *, reason: str | None = None) -> None:
        self.audit.record(
            action=note.call.action,
            region=note.region,
            arguments=note.call.arguments,
            decision=decision,
            client=note.client,
            session=note.session,
            reason=reason,
        )
