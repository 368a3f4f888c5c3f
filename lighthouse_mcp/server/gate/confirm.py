"""The confirmation gate: destructive and billing calls run only after a person said yes
to a live preview of exactly that call.

`ConfirmationGate.check` picks the mechanism the policy (gate/policy.py) and the
connection allow:

- an elicitation form (gate/forms.py), sent as a request or, on 2026-era connections,
  in an InputRequiredResult whose ``request_state`` is a token bound to the call and to
  that round trip (never usable as a ``confirm_token``);
- the approval page or ``lighthouse-mcp approvals`` (server/approvals/): the call waits
  for the person's answer, reporting progress, cancellable, bounded by a timeout;
- in ``--confirm-mode token`` only, a ``confirm_token`` the model relays
  (gate/tokens.py): recorded as ``model-relayed``, never as a person's approval.

When no channel to a person exists the call is refused with the options named. A
preview that cannot be built (a lookup failed) asks nobody and runs nothing. Before a
confirmed call goes out, the previewed targets are looked up again: if one vanished or
a missing one appeared, the call is refused.

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

import anyio
import mcp_types as types

from lighthouse_mcp.server.approvals import ApprovalAsk, ApprovalService, ApprovalUnavailable
from lighthouse_mcp.server.config import DEFAULT_APPROVAL_TIMEOUT
from lighthouse_mcp.server.gate.audit import AuditLog
from lighthouse_mcp.server.gate.forms import INPUT_KEY, answer_problem, form_schema, input_answer
from lighthouse_mcp.server.gate.policy import TOKEN_ARG, GatePolicy
from lighthouse_mcp.server.gate.tokens import (
    ConfirmationTokens,
    IssuedPreviews,
    Purpose,
    Shown,
    TokenRejected,
)
from lighthouse_mcp.server.hooks import GateDecision, PendingCall, SessionInfo
from lighthouse_mcp.server.results import tool_error
from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.previews import LookupFailed, Preview, build_preview, changed_targets

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
        approvals: ApprovalService | None = None,
        approval_timeout: float = DEFAULT_APPROVAL_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy
        self.audit = audit
        #: The approval page/terminal channel (modes auto and browser); None elsewhere.
        self.approvals = approvals
        self.approval_timeout = approval_timeout
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
                "refused",
                "denied by policy: " + ", ".join(verdict.rules),
                f"{call.action} was not run: the policy denies it "
                f"({'; '.join(verdict.reasons)}). Nobody was asked; nothing was sent.",
                code="DeniedByPolicy",
            )
        if not gated:
            return GateDecision.allow(region=region)
        mode = self.policy.mode
        if mode == "token":  # opt-in: the model relays the person's yes
            token = call.server_args.get(TOKEN_ARG)
            if token is not None:
                return await self._redeem(note, str(token))
            return await self._issue(note, session)
        # No other mode offers confirm_token (policy.offers_token), so validation has
        # already refused one given here as an unknown argument.
        if mode in ("auto", "elicit") and session.can_elicit:
            return await self._elicit(note, session)
        if mode in ("auto", "elicit") and session.can_request_input:
            return await self._input_required(note, session)
        if (
            mode in ("auto", "browser")
            and self.approvals is not None
            and await self.approvals.ready()
        ):
            return await self._out_of_band(note, session, self.approvals)
        return self._no_channel(note)

    def _no_channel(self, note: GateNote) -> GateDecision:
        """Nobody can be asked: refuse, and say what would make asking possible."""
        action = note.call.action
        if self.policy.mode == "elicit":
            why = (
                "this server confirms gated actions through MCP elicitation only "
                "(--confirm-mode elicit) and this client cannot receive elicitation"
            )
            reason = "client-cannot-elicit"
        elif self.policy.mode == "browser":
            why = (
                "this server confirms gated actions on its approval page only "
                "(--confirm-mode browser) and no approval page is being served here"
            )
            reason = "no-approval-page"
        else:
            why = (
                "a person must approve it, and this client cannot show an approval form "
                "(MCP elicitation) while this server serves no approval page"
            )
            reason = "no-approval-channel"
        options = (
            "Options for the person running the server: use an MCP client that supports "
            "elicitation; or run lighthouse-mcp over stdio or HTTP, where it serves its "
            "approval page (answered in the browser or with `lighthouse-mcp approvals`); "
            "or opt in to --confirm-mode token, where the assistant relays their yes."
        )
        return self._refuse(
            note, "refused", reason, f"{action} was not run: {why}. Nothing was sent. {options}"
        )

    # -- mechanisms -------------------------------------------------------------------

    async def _preview(self, note: GateNote) -> Preview | GateDecision:
        """The live preview, or a refusal when it cannot be built (fail closed).

        Every mechanism calls this, and only this, right before a person would be asked
        (or a model-relayed token issued): the one place for checks that refuse a call
        before anyone is asked."""
        try:
            preview = await build_preview(
                self._reader(note.region),
                note.call.action,
                note.region,
                note.call.arguments,
                why=note.why,
            )
        except Exception as exc:
            # LookupFailed says which lookup and the API's error code; anything else only
            # its type (its text is not ours to show).
            why = str(exc) if isinstance(exc, LookupFailed) else type(exc).__name__
            log.warning("preview of %s failed: %s", note.call.action, why)
            return self._refuse(
                note,
                "refused",
                f"preview-failed: {why}",
                f"{note.call.action} was not run: its preview could not be built ({why}), "
                "so nobody was asked to approve it. Nothing was sent; try again later.",
                code="PreviewFailed",
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

    async def _out_of_band(
        self, note: GateNote, session: SessionInfo, approvals: ApprovalService
    ) -> GateDecision:
        """Ask on the approval page / terminal and wait for the answer. The link goes to
        the person only (stderr, their browser), never into anything the model reads."""
        call = note.call
        preview = await self._preview(note)
        if isinstance(preview, GateDecision):
            return preview
        ask = ApprovalAsk(
            action=call.action,
            region=note.region,
            arguments=call.arguments,
            preview=replace(preview, phrase=None).text(),
            phrase=preview.phrase,
            session=note.session,
            client=note.client,
        )
        try:
            decision = await approvals.ask(
                ask, timeout=self.approval_timeout, progress=session.report_progress
            )
        except ApprovalUnavailable:
            return self._no_channel(note)
        except anyio.get_cancelled_exc_class():
            self._record(note, "cancelled", reason="call-cancelled-while-waiting")
            raise
        where = "on the approval page" if decision.by == "page" else "in the terminal"
        if decision.verdict == "approved":
            approved = "page-approved" if decision.by == "page" else "terminal-approved"
            return await self._unchanged(note, Shown.of(preview, 0.0), approved)
        if decision.verdict == "declined":
            return self._refuse(
                note,
                "declined",
                decision.by,
                f"The person declined {call.action} {where}. Nothing was sent; do not "
                "retry unless they ask for it.",
            )
        if decision.verdict == "expired":
            minutes = max(1, round(self.approval_timeout / 60))
            return self._refuse(
                note,
                "expired",
                "no-answer",
                f"Nobody approved {call.action} within {minutes} min, so the request "
                "expired. Nothing was sent; call again only if the person still wants it.",
                code="ApprovalExpired",
            )
        return self._refuse(
            note,
            "cancelled",
            decision.by,
            f"The approval request for {call.action} was withdrawn. Nothing was sent.",
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
            token, _ = self._issue_token(note, preview, "input-state")
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
        shown = self._redeem_token(note, state, "input-state")
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
        token, expires = self._issue_token(note, preview, "relay")
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
                "session). Do not decide for them: this server (--confirm-mode token) "
                "relies on you to relay their answer and records the call as model-relayed, "
                "not as approved by a person.",
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
                "Confirmation": "model-relayed",
            },
        )
        return GateDecision.refuse(result, "token-issued", region=note.region)

    async def _redeem(self, note: GateNote, token: str) -> GateDecision:
        shown = self._redeem_token(note, token, "relay")
        if isinstance(shown, GateDecision):
            return shown
        return await self._unchanged(note, shown, "model-relayed")

    # -- tokens -----------------------------------------------------------------------

    def _issue_token(self, note: GateNote, preview: Preview, purpose: Purpose) -> tuple[str, float]:
        """A token bound to this call and mechanism, remembering the preview it confirms."""
        call = note.call
        token, expires = self.tokens.issue(
            session_id=note.session or "",
            action=call.action,
            region=note.region,
            arguments=call.arguments,
            purpose=purpose,
        )
        previewed = (call.action, note.region, dict(call.arguments))
        self._issued.put(token, Shown.of(preview, expires, previewed), self._clock())
        return token, expires

    def _redeem_token(self, note: GateNote, token: str, purpose: Purpose) -> Shown | GateDecision:
        """Consume ``token`` for this call: the preview it confirmed, or the refusal.
        ``purpose`` is the mechanism asking: "relay" for a ``confirm_token``,
        "input-state" for the request state of an input-required round trip; a token
        issued for the other one is refused."""
        call = note.call
        what = "token" if purpose == "relay" else "confirmation"
        try:
            self.tokens.redeem(
                token,
                session_id=note.session or "",
                action=call.action,
                region=note.region,
                arguments=call.arguments,
                purpose=purpose,
            )
        except TokenRejected as exc:
            why = (
                str(exc)
                if what == "token"
                else f"the confirmation does not belong to this call ({exc.reason})"
            )
            issued = self._issued.get(token) if exc.reason == "other-call" else None
            differs = issued.differences(call.action, note.region, call.arguments) if issued else []
            if differs:
                why = (
                    f"the {TOKEN_ARG if what == 'token' else 'confirmation'} was issued for a "
                    f"different call; what differs: {', '.join(differs)}. A confirmed call "
                    "must be repeated exactly as previewed"
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
        try:
            changes = await changed_targets(
                self._reader(note.region), call.action, call.arguments, shown.shown, shown.missing
            )
        except Exception as exc:  # the re-check cannot say: fail closed
            why = str(exc) if isinstance(exc, LookupFailed) else type(exc).__name__
            return self._refuse(
                note,
                "refused",
                f"recheck-failed: {why}",
                f"{call.action} was not run: its targets could not be checked again before "
                f"sending ({why}). Nothing was sent; call again later for a fresh preview.",
                code="PreviewFailed",
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
