"""The ``Sandbox``: engine, families and protocol put together, and the request pipeline.

The pipeline runs decode → record → faults → auth → checks → handler: everything
between "bytes arrived" and "a Response dict (or a fault) leaves", with no Starlette in
it, so the order of checks is visible in one function (:meth:`Sandbox.handle`) and
testable without HTTP. ``protocol/app.py`` renders the outcome.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from lighthouse_mcp import catalog

from . import families
from .engine.backend import Backend
from .engine.errors import SandboxError, internal_error, request_limit_exceeded
from .engine.fallback import documented_answer
from .engine.faults import Faults, RateLimiter
from .engine.seed import seed_region
from .engine.state import GLOBAL_REGION
from .protocol import checks, signature_v1, signature_v3, wire
from .protocol.app import SandboxTransport, build_app
from .protocol.outcome import Outcome, RecordedRequest, error_envelope, fault_code

log = logging.getLogger("lighthouse_mcp.sandbox")

#: The documented default credential pair of the sandbox. Public on purpose: it only
#: opens the local emulator. Override with options or TENCENTCLOUD_SECRET_ID/KEY.
DEFAULT_SECRET_ID = "AKIDLIGHTHOUSESANDBOX000000000000000"
DEFAULT_SECRET_KEY = "LighthouseSandboxDefaultSecretKey"


def _rate_limit(action: str) -> int | None:
    try:
        return catalog.action(action)["rate_limit"]
    except KeyError:
        return None


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
        creds = dict(credentials) if credentials else {DEFAULT_SECRET_ID: DEFAULT_SECRET_KEY}
        tokens = tokens or {}
        self.keys = {sid: signature_v3.Key(sid, key, tokens.get(sid)) for sid, key in creds.items()}
        self.clock = clock
        self.backend = Backend(
            families.registry().handlers,
            clock=clock,
            delay=delay,
            seeders=[seed_region] if seed else [],
        )
        self.faults = Faults()
        self.rate_limiter = RateLimiter(_rate_limit, clock)
        self.rate_limiter.enabled = enforce_rate_limits
        self.nonces = signature_v1.NonceLedger()
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

    def handle(self, request: signature_v3.ReceivedRequest) -> Outcome:
        """Answer one API request (never raises for a client-caused problem)."""
        request_id = str(uuid.uuid4())
        incoming: wire.Incoming | SandboxError
        try:
            incoming = wire.decode(request)
            action, region = incoming.action, incoming.region
            if action and incoming.service != catalog.SERVICE:
                action = catalog.tool_name(incoming.service, action)
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
            record.error_code = fault_code(fault)
            if fault.kind in ("http_error", "drop", "malformed"):
                return Outcome(fault=fault, delay=decision.delay, request_id=request_id)
            error = (
                request_limit_exceeded(record.action or "this action")
                if fault.kind == "throttle"
                else internal_error()
            )
            return Outcome(
                error_envelope(error, request_id), delay=decision.delay, request_id=request_id
            )
        answer = self._answer(request, incoming, record)
        if fault is not None:  # processed, then the answer is lost on the way back
            record.fault = fault.kind
            return Outcome(fault=fault, delay=decision.delay, request_id=request_id)
        return Outcome(answer, delay=decision.delay, request_id=request_id)

    def _answer(
        self,
        request: signature_v3.ReceivedRequest,
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
            answer = error_envelope(exc, record.request_id)
        except Exception:  # a handler bug must still answer like the API does
            log.exception("sandbox handler failed for %s", record.action)
            record.error_code = "InternalError"
            answer = error_envelope(internal_error(), record.request_id)
        log.info(
            "%s %s %s",
            record.action,
            record.region or "-",
            "ok" if record.ok else record.error_code,
        )
        return answer

    def _run(
        self,
        request: signature_v3.ReceivedRequest,
        incoming: wire.Incoming,
        record: RecordedRequest,
    ) -> dict[str, Any]:
        if incoming.v1 is not None:
            key = signature_v1.verify(incoming.v1, self.keys, self.clock(), self.nonces)
        else:
            key = signature_v3.verify(request, self.keys, self.clock())
        record.secret_id = key.secret_id
        service = incoming.service
        entry = checks.check_envelope(
            incoming.action, incoming.version, incoming.region, incoming.language, service
        )
        name = catalog.tool_name(service, entry["name"])  # the handlers' key
        body = wire.action_params(incoming, entry)
        record.params = body if isinstance(body, dict) else None
        region = record.region if checks.region_required(entry) else GLOBAL_REGION
        assert region is not None  # check_envelope guarantees it for regional actions
        if not self.rate_limiter.allow(key.secret_id, region, name):
            raise request_limit_exceeded(entry["name"])
        checked = checks.check_body(entry, body, structure=wire.structures_of(service))
        applied = self.backend.apply_due()
        result = self.backend.call(
            name,
            checked,
            account=key.secret_id,
            region=region,
            request_id=record.request_id,
            fallback=documented_answer,
        )
        if applied or not catalog.is_read(name):  # reads change nothing to save
            self._save()
        return result

    def _save(self) -> None:
        if self.state_file is not None:
            self.backend.save(self.state_file)
