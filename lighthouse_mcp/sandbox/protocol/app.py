"""The HTTP face of the sandbox: ``/`` speaks the Lighthouse API, ``/admin/*`` steers it.

Every documented request shape reaches ``/`` (TC3 POST JSON or GET, signature v1 GET or
form POST; ``wire.py`` tells them apart); other methods get ``UnsupportedProtocol``.

Answers are HTTP 200 with ``{"Response": ...}`` for successes and API errors alike, as the
real service does. Injected faults are acted out here because only the HTTP layer can
send a 5xx, a non-JSON body, or cut the connection.

Admin endpoints (loopback clients only, or any client presenting the configured
``X-Sandbox-Admin-Token``): ``POST /admin/reset``; ``GET /admin/faults`` and
``POST /admin/faults`` (``{"add": [fault, ...]}``, ``{"clear": true}``,
``{"enforce_rate_limits": bool}``); ``GET /admin/requests`` (secrets redacted).

"Loopback" includes every web page the person's browser has open, so the admin doors
also refuse what only a browser sends (see ``_admin_refusal``): an ``Origin`` other than
the sandbox's own, ``Sec-Fetch-Site`` cross-site or same-site, a ``Host`` that is not a
loopback name (DNS rebinding), and a POST whose ``Content-Type`` is not
``application/json``, a type a page cannot send cross-origin without a CORS preflight
(which the sandbox never grants: it answers no OPTIONS and sends no CORS headers).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import Any, Protocol

import anyio
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..engine.faults import Fault, Faults
from . import signature_v3
from .outcome import Outcome, RecordedRequest

ADMIN_TOKEN_HEADER = "x-sandbox-admin-token"


class Emulator(Protocol):
    """What the HTTP face drives: the pipeline and the admin switches (``Sandbox`` is one)."""

    admin_token: str | None
    faults: Faults
    requests: list[RecordedRequest]
    enforce_rate_limits: bool

    def handle(self, request: signature_v3.ReceivedRequest) -> Outcome: ...

    def reset(self) -> None: ...


class ConnectionDropped(Exception):
    """Raised inside the app to cut the connection mid-response (the ``drop`` fault).

    Over uvicorn the server closes the socket after the response has started, so the
    client sees an incomplete message; in process :class:`SandboxTransport` turns it into
    the ``httpx.RemoteProtocolError`` a real dropped connection produces.
    """


class SandboxTransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` that surfaces a dropped connection as a transport error."""

    def __init__(self, app: Any) -> None:
        super().__init__(app=app, client=("127.0.0.1", 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response.", request=request
            ) from None


def fault_as_httpx(fault: Fault, request_id: str) -> httpx.Response:
    """An injected fault as the ``httpx.Response`` a client would have received (for the
    in-process way in, which has no HTTP); a dropped connection raises
    ``httpx.RemoteProtocolError`` as :class:`SandboxTransport` does."""
    rendered = _fault_response(fault, request_id)
    if isinstance(rendered, _DroppedResponse):
        raise httpx.RemoteProtocolError("Server disconnected without sending a complete response.")
    return httpx.Response(
        rendered.status_code, content=bytes(rendered.body), headers=dict(rendered.headers)
    )


def build_app(sandbox: Emulator) -> Starlette:
    async def api(request: Request) -> Response:
        received = signature_v3.ReceivedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
        )
        outcome = sandbox.handle(received)
        if outcome.delay:
            await anyio.sleep(outcome.delay)
        if outcome.fault is not None:
            return _fault_response(outcome.fault, outcome.request_id)
        return JSONResponse(outcome.response, headers={"X-TC-RequestId": outcome.request_id})

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                _apply_fault_changes(sandbox, await request.json())
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(
            {"faults": sandbox.faults.to_json(), "enforce_rate_limits": sandbox.enforce_rate_limits}
        )

    async def requests(request: Request) -> Response:
        return JSONResponse({"requests": [r.to_json() for r in sandbox.requests]})

    routes = [
        # other methods reach the pipeline too, to get the documented UnsupportedProtocol
        Route("/", api, methods=["POST", "GET", "PUT", "DELETE", "PATCH"]),
        Route("/admin/reset", _admin(sandbox, reset), methods=["POST"]),
        Route("/admin/faults", _admin(sandbox, faults), methods=["GET", "POST"]),
        Route("/admin/requests", _admin(sandbox, requests), methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _admin(sandbox: Emulator, endpoint: Any) -> Any:
    """Wrap an admin endpoint: refused with 403 and the reason (``_admin_refusal``)."""

    async def guarded(request: Request) -> Response:
        refusal = _admin_refusal(request, sandbox.admin_token)
        if refusal is not None:
            return JSONResponse({"error": refusal}, status_code=403)
        response: Response = await endpoint(request)
        return response

    return guarded


#: Host names a loopback client legitimately uses for the sandbox.
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
#: Sec-Fetch-Site values of a request a page on another site (or origin) started.
_FOREIGN_FETCH = frozenset({"cross-site", "same-site"})


def _admin_refusal(request: Request, token: str | None) -> str | None:
    """Why this admin request is refused, or None.

    Allowed: a client presenting the admin token, or a loopback client naming the
    sandbox by a loopback Host. Either way, nothing a web page can send: a page the
    person visits runs on the same machine (a loopback client), so an Origin that is not
    the sandbox's own, a cross-site Sec-Fetch-Site, or a POST in a form-like content
    type (text/plain, form encodings: sent cross-origin without a preflight) is refused.
    """
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    if origin is not None and origin.lower() != own:
        return f"admin endpoints refuse cross-origin requests (Origin {origin!r} is not {own})"
    if request.headers.get("sec-fetch-site", "").lower() in _FOREIGN_FETCH:
        return "admin endpoints refuse requests a page on another site started"
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return "admin POST requests must have Content-Type: application/json"
    given = request.headers.get(ADMIN_TOKEN_HEADER)
    if token is not None and given is not None:
        if hmac.compare_digest(given, token):
            return None
        return "wrong admin token"
    host = request.client.host if request.client else ""
    if not _is_loopback(host):
        return "admin endpoints answer loopback clients or the admin token only"
    if not _is_loopback(request.url.hostname or "") and (
        (request.url.hostname or "").lower() not in _LOOPBACK_NAMES
    ):
        return f"admin endpoints answer a loopback Host only, not {request.url.hostname!r}"
    return None


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _apply_fault_changes(sandbox: Emulator, body: Any) -> None:
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object with add, clear or enforce_rate_limits")
    unknown = set(body) - {"add", "clear", "enforce_rate_limits"}
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    new = [Fault.from_json(f) for f in body.get("add", [])]  # validate all before changing
    flag = body.get("enforce_rate_limits")
    if flag is not None and not isinstance(flag, bool):
        raise ValueError("enforce_rate_limits must be true or false")
    if body.get("clear"):
        sandbox.faults.clear()
    sandbox.faults.rules.extend(new)
    if flag is not None:
        sandbox.enforce_rate_limits = flag


def _fault_response(fault: Fault, request_id: str) -> Response:
    if fault.kind == "http_error":
        text = f"<html><body><h1>{fault.status}</h1>upstream unavailable</body></html>"
        return Response(text, status_code=fault.status, media_type="text/html")
    if fault.kind == "malformed":
        truncated = json.dumps({"Response": {"RequestId": request_id}})[:-7]
        return Response(truncated, media_type="application/json")
    return _DroppedResponse()


class _DroppedResponse(Response):
    """Starts a response promising a body, then cuts the connection (raises)."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")],
            }
        )
        raise ConnectionDropped("fault injection: connection dropped")
