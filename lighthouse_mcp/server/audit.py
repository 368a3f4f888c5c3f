"""Append-only JSON Lines audit log of gated decisions and mutating calls.

One record per decision and per outcome, written and flushed (and fsynced) before the
tool returns, so a crash right after a call cannot lose the fact that it ran. Arguments
are stored redacted (catalog.secrets) together with the SHA-256 of their redacted canonical
form, which lets an auditor match the records of one call without keeping the secrets (a
hash over the secrets themselves would let a reader of the log test password guesses).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lighthouse_mcp.catalog.secrets import redact
from lighthouse_mcp.server.confirmation import arguments_hash

#: Decisions a record can carry. A gated call that runs gets two records with the same
#: decision: one when the person decides (no outcome yet), one with the outcome; an
#: ungated mutating call gets one "not-gated" record with its outcome.
DECISIONS = frozenset(
    {
        "elicited-accept",
        "declined",
        "cancelled",
        "token-issued",
        "token-confirmed",
        "token-rejected",
        "refused",
        "not-gated",
    }
)


def state_dir() -> Path:
    """The per-user folder for what the server keeps between runs (audit log, saved keys):
    $XDG_STATE_HOME/lighthouse-mcp, else ~/.local/state/lighthouse-mcp."""
    if sys.platform == "win32":  # pragma: no cover - documented, not tested here
        base = Path(os.environ.get("LOCALAPPDATA", Path.home()))
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "lighthouse-mcp"


def default_audit_path() -> Path:
    """Per-user default: <state dir>/audit.jsonl."""
    return state_dir() / "audit.jsonl"


class AuditLog:
    """Writes one JSON object per line; the file is created 0600 inside a 0700 folder."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()

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
