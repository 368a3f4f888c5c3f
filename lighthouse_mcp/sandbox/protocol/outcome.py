"""What one request leaves behind: the answer to send, the log entry, the error envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lighthouse_mcp.catalog.secrets import redact

from ..engine.errors import SandboxError
from ..engine.faults import Fault


@dataclass
class RecordedRequest:
    """One request that reached the sandbox (tests count and inspect these)."""

    action: str | None
    region: str | None
    params: dict[str, Any] | None
    secret_id: str | None
    ok: bool = False
    error_code: str | None = None
    request_id: str = ""
    fault: str | None = None  # the injected fault's kind, if one answered
    at: float = 0.0

    def __repr__(self) -> str:  # params may hold passwords: never print them
        state = "ok" if self.ok else f"error={self.error_code}"
        return f"RecordedRequest({self.action}, region={self.region}, {state})"

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "region": self.region,
            "params": redact(self.params),
            "secret_id": self.secret_id,
            "ok": self.ok,
            "error_code": self.error_code,
            "request_id": self.request_id,
            "fault": self.fault,
            "at": self.at,
        }


@dataclass
class Outcome:
    """What to send back: an API envelope, or a fault the HTTP layer must act out."""

    response: dict[str, Any] | None = None  # {"Response": {...}}
    fault: Fault | None = None
    delay: float = 0.0
    request_id: str = ""


def error_envelope(exc: SandboxError, request_id: str) -> dict[str, Any]:
    """The API's answer for an error: HTTP 200 with ``Response.Error``."""
    return {
        "Response": {
            "Error": {"Code": exc.code, "Message": exc.message},
            "RequestId": request_id,
        }
    }


def fault_code(fault: Fault) -> str:
    """What the request log records as the error of an injected fault."""
    return {
        "throttle": "RequestLimitExceeded",
        "internal_error": "InternalError",
        "http_error": f"HTTP{fault.status}",
        "drop": "ConnectionDropped",
        "malformed": "MalformedBody",
    }.get(fault.kind, fault.kind)
