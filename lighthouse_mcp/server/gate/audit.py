"""The audit trail: an append-only JSON Lines log of gate decisions and mutating calls.

One record per decision and per outcome, written and flushed (and fsynced) before the
tool returns, so a crash right after a call cannot lose the fact that it ran. Arguments
are stored redacted (catalog.secrets) together with the SHA-256 of their redacted canonical
form, which lets an auditor match the records of one call without keeping the secrets (a
hash over the secrets themselves would let a reader of the log test password guesses).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog.secrets import redact
from lighthouse_mcp.server.config import state_dir
from lighthouse_mcp.server.gate.tokens import arguments_hash
from lighthouse_mcp.server.hooks import GatedCall
from lighthouse_mcp.server.principals import current_principal

#: Decisions a record can carry. A gated call that runs gets two records with the same
#: decision: one when the person decides (no outcome yet), one with the outcome; an
#: ungated mutating call gets one "not-gated" record with its outcome. Who said yes is
#: in the name: a person through elicitation (``elicited-accept``), on the approval page
#: (``page-approved``) or with ``lighthouse-mcp approvals`` (``terminal-approved``); or
#: the model relaying a yes nobody here saw (``model-relayed``, --confirm-mode token).
DECISIONS = frozenset(
    {
        "elicited-accept",
        "page-approved",
        "terminal-approved",
        "model-relayed",
        "declined",
        "expired",
        "cancelled",
        "token-issued",
        "token-rejected",
        "refused",
        "not-gated",
    }
)


def default_audit_path() -> Path:
    """Per-user default: <state dir>/audit.jsonl."""
    return state_dir() / "audit.jsonl"


class AuditLog:
    """Writes one JSON object per line; the file is created 0600 inside a 0700 folder."""

    def __init__(
        self, path: Path | None, mirror: Callable[[Mapping[str, Any]], None] | None = None
    ) -> None:
        self._path = path
        self._lock = threading.Lock()
        #: Also hands every record to this (the shared store's audit stream), after
        #: the file has it.
        self.mirror = mirror

    def __repr__(self) -> str:
        return f"AuditLog(path={str(self._path)!r})"

    @property
    def path(self) -> Path | None:
        return self._path

    def record(
        self,
        *,
        action: str,
        region: str,
        arguments: Mapping[str, Any],
        decision: str,
        client: str | None,
        outcome: Mapping[str, Any] | None = None,
        reason: str | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        """Append one record and return it (tests read it back field by field)."""
        if decision not in DECISIONS:
            raise ValueError(f"unknown audit decision {decision!r}")
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "action": action,
            "region": region,
            "arguments": redact(dict(arguments)),
            "arguments_sha256": arguments_hash(action, region, arguments),
            "decision": decision,
            "client": client,
        }
        principal = current_principal.get()
        if principal is not None:
            entry["principal"] = principal
        if session is not None:
            entry["session"] = session
        if reason is not None:
            entry["reason"] = reason
        if outcome is not None:
            entry["outcome"] = redact(dict(outcome))
        self._append(entry)
        return entry

    def touch(self) -> None:
        """Create the folder and file now, so a path that cannot be written stops the
        server at start rather than failing every gated call later (raises OSError)."""
        self._write(b"")

    def _append(self, entry: Mapping[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        self._write(line.encode("utf-8"))
        if self.mirror is not None:
            self.mirror(entry)

    def _write(self, data: bytes) -> None:
        if self._path is None:
            return
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if data:
                    os.write(fd, data)
                    os.fsync(fd)
            finally:
                os.close(fd)


class GateAuditor:
    """The pipeline's Auditor: writes the outcome of every call that ran and was either
    gated or mutating, with the gate's decision, the RequestId or the error code.

    Refusals and validation failures are not repeated here: the gate already recorded
    its refusals, and an invalid call never reached the gate or the API.
    """

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def __repr__(self) -> str:
        return f"GateAuditor(audit={self.audit!r})"

    def record(self, event: dict[str, Any], gated: GatedCall | None = None) -> None:
        if gated is None or gated.call.action != event.get("action"):
            return
        status = event.get("outcome")
        if status not in ("ok", "api_error", "error", "cancelled") or event.get("stage") == "gate":
            return
        decision, call = gated.decision, gated.call
        if not decision.gated and catalog.is_read(call.action):
            return
        outcome: dict[str, Any] = {"status": status}
        if event.get("request_id"):
            outcome["RequestId"] = event["request_id"]
        if event.get("error_code"):
            outcome["ErrorCode"] = event["error_code"]
        self.audit.record(
            action=call.action,
            region=decision.region,
            arguments=call.arguments,
            decision=decision.decision,
            client=gated.session.client_name,
            session=gated.session.session_id,
            outcome=outcome,
        )
