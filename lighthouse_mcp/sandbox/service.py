"""The request pipeline and the ``Sandbox`` object: decode → record → faults → auth → checks
→ handler.

This is everything between "bytes arrived" and "a Response dict (or a fault) leaves", with
no Starlette in it, so the order of checks is visible in one function
(:meth:`Sandbox.handle`) and testable without HTTP. ``app.py`` renders the outcome.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from lighthouse_mcp import catalog

from . import auth, auth_v1, params, wire
from .app import SandboxTransport, build_app
from .backend import Backend
from .errors import SandboxError, internal_error, request_limit_exceeded
from .fallback import documented_answer
from .families import load_families
from .faults import Fault, Faults, RateLimiter
from .seed import seed_region

log = logging.getLogger("lighthouse_mcp.sandbox")

#: The documented default credential pair of the sandbox. Public on purpose: it only
#: opens the local emulator. Override with options or TENCENTCLOUD_SECRET_ID/KEY.
DEFAULT_SECRET_ID = "AKIDLIGHTHOUSESANDBOX000000000000000"
DEFAULT_SECRET_KEY = "LighthouseSandboxDefaultSecretKey"

#: State of actions that take no Region (account-global resources such as firewall
#: templates) lives under this pseudo-region.
GLOBAL_REGION = "global"


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
        from lighthouse_mcp.catalog.secrets import redact

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


def _rate_limit(action: str) -> int | None:
    try:
        return catalog.action(action)["rate_limit"]
    except KeyError:
        return None


def _is_read(action: str) -> bool:
    """Read actions need no state save; the overlay decides, the name prefix is a fallback."""
    try:
        return catalog.is_read(action)
    except (KeyError, FileNotFoundError):
        return action.startswith(("Describe", "Inquire", "Get"))


class Sandbox:
    """A local Lighthouse: state, credentials, faults, request log, and the ASGI app.

    ``credentials`` maps SecretId -> SecretKey (default: the documented pair);
    ``tokens`` maps SecretId -> X-TC-Token for keys that are temporary.
    """

    def __init__(
        self,
        credentials: Mapping[str, str] | None = None,
        *,
        delay: float = 0.2,
        clock: Callable[[], float] = time.time,
        state_file: Path | None = None,
        seed: bool = True,
        enforce_rate_limits: bool = False,
        tokens: Mapping[str, str] | None = None,
        admin_token: str | None = None,
    ) -> None:
        load_families()
        creds = dict(credentials) if credentials else {DEFAULT_SECRET_ID: DEFAULT_SECRET_KEY}
        tokens = tokens or {}
        self.keys = {sid: auth.Key(sid, key, tokens.get(sid)) for sid, key in creds.items()}
        self.clock = clock
        self.backend = Backend(clock=clock, delay=delay, seeders=[seed_region] if seed else [])
        self.faults = Faults()
        self.rate_limiter = RateLimiter(_rate_limit, clock)
        self.rate_limiter.enabled = enforce_rate_limits
        self.nonces = auth_v1.NonceLedger()
        self.requests: list[RecordedRequest] = []
        self.state_file = state_file
        self.admin_token = admin_token
        if state_file is not None and state_file.exists():
            self.backend.load(state_file)
        self.app = build_app(self)

    def __repr__(self) -> str:
        return f"Sandbox(accounts={sorted(self.keys)!r}, requests={len(self.requests)})"

    @property
    def enforce_rate_limits(self) -> bool:
        return self.rate_limiter.enabled

    @enforce_rate_limits.setter
    def enforce_rate_limits(self, value: bool) -> None:
        self.rate_limiter.enabled = value

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport into this sandbox, in process (no sockets)."""
        return SandboxTransport(self.app)

    def reset(self) -> None:
        """Back to the seeded start: state, request log, faults and rate windows."""
        self.backend.reset()
        self.requests.clear()
        self.faults.clear()
        self.rate_limiter.reset()
        self.nonces.clear()
        self._save()

    # -- the pipeline ------------------------------------------------------------------

    def handle(self, request: auth.ReceivedRequest) -> Outcome:
        """Answer one API request (never raises for a client-caused problem)."""
        request_id = str(uuid.uuid4())
        incoming: wire.Incoming | SandboxError
        try:
            incoming = wire.decode(request)
            action, region = incoming.action, incoming.region
        except Exception as exc:  # answered below, after the log and the faults
            if not isinstance(exc, SandboxError):
                log.exception("sandbox could not decode a request")
            incoming = exc if isinstance(exc, SandboxError) else internal_error()
            action, region = request.headers.get("x-tc-action"), request.headers.get("x-tc-region")
        record = RecordedRequest(
            action=action,
            region=region,
            params=None,
            secret_id=None,
            request_id=request_id,
            at=self.clock(),
        )
        self.requests.append(record)
        decision = self.faults.decide(record.action)
        fault = decision.fault
        if fault is not None and not fault.after:
            record.fault = fault.kind
            record.error_code = _fault_code(fault)
            if fault.kind in ("http_error", "drop", "malformed"):
                return Outcome(fault=fault, delay=decision.delay, request_id=request_id)
            error = (
                request_limit_exceeded(record.action or "this action")
                if fault.kind == "throttle"
                else internal_error()
            )
            return Outcome(_error(error, request_id), delay=decision.delay, request_id=request_id)
        answer = self._answer(request, incoming, record)
        if fault is not None:  # processed, then the answer is lost on the way back
            record.fault = fault.kind
            return Outcome(fault=fault, delay=decision.delay, request_id=request_id)
        return Outcome(answer, delay=decision.delay, request_id=request_id)

    def _answer(
        self,
        request: auth.ReceivedRequest,
        incoming: wire.Incoming | SandboxError,
        record: RecordedRequest,
    ) -> dict[str, Any]:
        """The API envelope for one request, success or error (logged without params)."""
        try:
            if isinstance(incoming, SandboxError):
                raise incoming
            body = self._run(request, incoming, record)
            record.ok = True
            answer = {"Response": {**body, "RequestId": record.request_id}}
        except SandboxError as exc:
            record.error_code = exc.code
            answer = _error(exc, record.request_id)
        except Exception:  # a handler bug must still answer like the API does
            log.exception("sandbox handler failed for %s", record.action)
            record.error_code = "InternalError"
            answer = _error(internal_error(), record.request_id)
        log.info(
            "%s %s %s",
            record.action,
            record.region or "-",
            "ok" if record.ok else record.error_code,
        )
        return answer

    def _run(
        self, request: auth.ReceivedRequest, incoming: wire.Incoming, record: RecordedRequest
    ) -> dict[str, Any]:
        if incoming.v1 is not None:
            key = auth_v1.verify(incoming.v1, self.keys, self.clock(), self.nonces)
        else:
            key = auth.verify(request, self.keys, self.clock())
        record.secret_id = key.secret_id
        entry = params.check_envelope(
            incoming.action, incoming.version, incoming.region, incoming.language
        )
        body = wire.action_params(incoming, entry)
        record.params = body if isinstance(body, dict) else None
        region = record.region if params.region_required(entry) else GLOBAL_REGION
        assert region is not None  # check_envelope guarantees it for regional actions
        if not self.rate_limiter.allow(key.secret_id, region, entry["name"]):
            raise request_limit_exceeded(entry["name"])
        checked = params.check_body(entry, body)
        applied = self.backend.apply_due()
        result = self.backend.call(
            entry["name"],
            checked,
            account=key.secret_id,
            region=region,
            request_id=record.request_id,
            fallback=documented_answer,
        )
        if applied or not _is_read(entry["name"]):
            self._save()
        return result

    def _save(self) -> None:
        if self.state_file is not None:
            self.backend.save(self.state_file)


def _error(exc: SandboxError, request_id: str) -> dict[str, Any]:
    return {
        "Response": {
            "Error": {"Code": exc.code, "Message": exc.message},
            "RequestId": request_id,
        }
    }


def _fault_code(fault: Fault) -> str:
    return {
        "throttle": "RequestLimitExceeded",
        "internal_error": "InternalError",
        "http_error": f"HTTP{fault.status}",
        "drop": "ConnectionDropped",
        "malformed": "MalformedBody",
    }.get(fault.kind, fault.kind)
