"""The ``Sandbox``: engine, families and protocol put together, and the request pipeline.

The pipeline runs decode → record → faults → auth → checks → handler: everything
between "bytes arrived" and "a Response dict (or a fault) leaves", with no Starlette in
it, so the order of checks is visible in one function (:meth:`Sandbox.handle`) and
testable without HTTP. ``protocol/app.py`` renders the outcome.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anyio
import httpx

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import API_VERSION
from lighthouse_mcp.client.signing import SigningKey

from . import families
from .engine.backend import Backend
from .engine.errors import AuthFailure, SandboxError, internal_error, request_limit_exceeded
from .engine.fallback import documented_answer
from .engine.faults import Faults, RateLimiter
from .engine.seed import seed_region
from .engine.state import GLOBAL_REGION
from .protocol import checks, signature_v1, signature_v3, wire
from .protocol.app import SandboxTransport, build_app, fault_as_httpx
from .protocol.outcome import Outcome, RecordedRequest, error_envelope, fault_code

log = logging.getLogger("lighthouse_mcp.sandbox")

#: The documented default credential pair of the sandbox. Public on purpose: it only
#: opens the local emulator. Override with options or TENCENTCLOUD_SECRET_ID/KEY.
DEFAULT_SECRET_ID = "AKIDLIGHTHOUSESANDBOX000000000000000"
DEFAULT_SECRET_KEY = "LighthouseSandboxDefaultSecretKey"
#: How many requests ``Sandbox.requests`` keeps (the newest): a long-running sandbox,
#: or a server with the sandbox in process, must not grow with every call.
DEFAULT_REQUEST_LOG_SIZE = 1000


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
        request_log_size: int = DEFAULT_REQUEST_LOG_SIZE,
    ) -> None:
        if request_log_size < 1:
            raise ValueError(f"request_log_size must be at least 1, not {request_log_size}")
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
        #: The newest ``request_log_size`` requests, oldest first.
        self.requests: list[RecordedRequest] = []
        self.request_log_size = request_log_size
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

    def _log(self, record: RecordedRequest) -> None:
        self.requests.append(record)
        excess = len(self.requests) - self.request_log_size
        if excess > 0:
            del self.requests[:excess]

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport into this sandbox, in process (no sockets)."""
        return SandboxTransport(self.app)

    def exchange(self) -> SandboxExchange:
        """The in-process way in without HTTP, for ``LighthouseClient(direct=...)``."""
        return SandboxExchange(self)

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
        incoming: wire.Incoming | SandboxError
        try:
            incoming = wire.decode(request)
            action, region = incoming.action, incoming.region
        except Exception as exc:  # answered below, after the log and the faults
            if not isinstance(exc, SandboxError):
                log.exception("sandbox could not decode a request")
            incoming = exc if isinstance(exc, SandboxError) else internal_error()
            action, region = request.headers.get("x-tc-action"), request.headers.get("x-tc-region")

        def authenticate(inc: wire.Incoming) -> signature_v3.Key:
            if inc.v1 is not None:
                return signature_v1.verify(inc.v1, self.keys, self.clock(), self.nonces)
            return signature_v3.verify(request, self.keys, self.clock())

        return self._pipeline(incoming, action, region, authenticate)

    def handle_direct(
        self,
        action: str,
        region: str | None,
        body: bytes,
        *,
        secret_id: str,
        secret_key: str,
        token: str | None = None,
        language: str | None = None,
    ) -> Outcome:
        """Answer one TC3 JSON call handed over in process (no HTTP, no signature).

        The same pipeline as :meth:`handle` from the request log on: faults, the
        envelope and parameter checks, rate limits, the handler. Instead of verifying a
        signature, the caller shows the key itself: an unknown SecretId, a wrong
        SecretKey or a token that does not match fail with the same AuthFailure codes.
        """
        incoming = wire.Incoming("tc3", action, API_VERSION, region, language, json_body=body)

        def authenticate(inc: wire.Incoming) -> signature_v3.Key:
            key = signature_v3.key_of(self.keys, secret_id)
            if not hmac.compare_digest(key.secret_key.encode(), secret_key.encode()):
                raise AuthFailure(
                    "AuthFailure.SignatureFailure",
                    "The SecretKey does not match the SecretId (in-process call).",
                )
            signature_v3.check_token(key, token)
            return key

        return self._pipeline(incoming, action, region, authenticate)

    def _pipeline(
        self,
        incoming: wire.Incoming | SandboxError,
        action: str | None,
        region: str | None,
        authenticate: Callable[[wire.Incoming], signature_v3.Key],
    ) -> Outcome:
        request_id = str(uuid.uuid4())
        record = RecordedRequest(
            action=action,
            region=region,
            params=None,
            secret_id=None,
            request_id=request_id,
            at=self.clock(),
        )
        self._log(record)
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
        answer = self._answer(incoming, record, authenticate)
        if fault is not None:  # processed, then the answer is lost on the way back
            record.fault = fault.kind
            return Outcome(fault=fault, delay=decision.delay, request_id=request_id)
        return Outcome(answer, delay=decision.delay, request_id=request_id)

    def _answer(
        self,
        incoming: wire.Incoming | SandboxError,
        record: RecordedRequest,
        authenticate: Callable[[wire.Incoming], signature_v3.Key],
    ) -> dict[str, Any]:
        """The API envelope for one request, success or error (logged without params)."""
        try:
            if isinstance(incoming, SandboxError):
                raise incoming
            body = self._run(incoming, record, authenticate)
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
        incoming: wire.Incoming,
        record: RecordedRequest,
        authenticate: Callable[[wire.Incoming], signature_v3.Key],
    ) -> dict[str, Any]:
        key = authenticate(incoming)
        record.secret_id = key.secret_id
        entry = checks.check_envelope(
            incoming.action, incoming.version, incoming.region, incoming.language
        )
        body = wire.action_params(incoming, entry)
        record.params = body if isinstance(body, dict) else None
        region = record.region if checks.region_required(entry) else GLOBAL_REGION
        assert region is not None  # check_envelope guarantees it for regional actions
        if not self.rate_limiter.allow(key.secret_id, region, entry["name"]):
            raise request_limit_exceeded(entry["name"])
        checked = checks.check_body(entry, body)
        applied = self.backend.apply_due()
        result = self.backend.call(
            entry["name"],
            checked,
            account=key.secret_id,
            region=region,
            request_id=record.request_id,
            fallback=documented_answer,
        )
        if applied or not catalog.is_read(entry["name"]):  # reads change nothing to save
            self._save()
        return result

    def _save(self) -> None:
        if self.state_file is not None:
            self.backend.save(self.state_file)


class SandboxExchange:
    """The in-process way into a sandbox for ``LighthouseClient(direct=...)``: the call's
    JSON body goes to :meth:`Sandbox.handle_direct`, with no HTTP request to build,
    sign, route and parse on either side (``client.DirectExchange``).

    The answer is handed back as a fresh JSON copy, as if it had crossed the wire: the
    caller may change it without touching the sandbox's state, and it holds only JSON
    types. Faults are acted out as over HTTP: a 5xx or cut body as that response, a
    dropped connection as ``httpx.RemoteProtocolError``, after the same delay.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    async def __call__(
        self,
        action: str,
        region: str | None,
        body: bytes,
        *,
        credentials: SigningKey,
        language: str | None,
    ) -> dict[str, Any] | httpx.Response:
        outcome = self._sandbox.handle_direct(
            action,
            region,
            body,
            secret_id=credentials.secret_id,
            secret_key=credentials.secret_key,
            token=credentials.token,
            language=language,
        )
        if outcome.delay:
            await anyio.sleep(outcome.delay)
        if outcome.fault is not None:
            return fault_as_httpx(outcome.fault, outcome.request_id)
        copy: dict[str, Any] = json.loads(json.dumps(outcome.response, ensure_ascii=False))
        return copy
