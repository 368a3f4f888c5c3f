"""Serving the MCP server over stdio, SSE or streamable HTTP.

HTTP transports sit behind `GuardMiddleware`: a browser Origin that is not allowed gets
403 (and, on a loopback bind, a Host that is not loopback too: DNS-rebinding
protection), a request without the bearer token gets 401. The token is compared in
constant time. On loopback a token is generated and printed once when none is
configured; a non-loopback bind without one refuses to start unless the operator says
--dangerously-allow-unauthenticated.

The approval page (server/approvals/, modes auto and browser) is served beside the MCP
endpoint: under stdio on a loopback port of its own, started in the background; under
HTTP in the same app at /approvals/, outside the bearer-token guard (the person's browser
has no token; the page has its own checks: a secret per-request link, a single-use
nonce, same-origin POSTs, and on a loopback bind the same Host check). Either way a
control file lets `lighthouse-mcp approvals` answer from a terminal.

Each transport's own modules (starlette, uvicorn, the SDK's SSE and stdio servers) are
imported inside the function that serves it: a stdio server, the common case, does not
load the HTTP stack before it answers (the approval page's follows in the background).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import anyio

from lighthouse_mcp.server.config import ConfigError, Settings
from lighthouse_mcp.server.principals import (
    PrincipalsError,
    current_principal,
    load_principals,
    principal_for,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from lighthouse_mcp.server.app import LighthouseServer
    from lighthouse_mcp.server.approvals import ApprovalService

log = logging.getLogger("lighthouse_mcp.server")

MCP_PATH = "/mcp"
#: Where the approval page lives in the HTTP app (outside the bearer-token guard).
APPROVALS_PATH = "/approvals"
SSE_PATH = "/sse"
MESSAGES_PATH = "/messages/"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
#: Seconds a connection may take to send a request's headers (first byte to blank line).
HEADER_TIMEOUT = 10.0
#: A streamable HTTP session with no request for this long is closed (the SDK's default
#: is 30 minutes).
SESSION_IDLE_TIMEOUT = 10 * 60.0
#: Open streamable HTTP sessions at most; an initialize past it is refused (503).
MAX_SESSIONS = 64


@dataclass(frozen=True)
class HttpAuth:
    """The resolved HTTP access policy. ``token`` None means unauthenticated (opted in)."""

    token: str | None
    generated: bool
    allowed_origins: tuple[str, ...]
    check_host: bool
    #: token SHA-256 -> principal (``--tokens-file``); empty: the one token above.
    principals: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # never show the token
        return (
            f"HttpAuth(token={'set' if self.token else None}, generated={self.generated}, "
            f"allowed_origins={self.allowed_origins}, check_host={self.check_host}, "
            f"principals={len(self.principals)})"
        )


def resolve_auth(settings: Settings) -> HttpAuth:
    """Decide the token and origins for an HTTP transport, refusing unsafe setups."""
    token, generated = settings.auth_token, False
    principals: dict[str, str] = {}
    if settings.tokens_file is not None:
        try:
            principals = load_principals(settings.tokens_file)
        except PrincipalsError as exc:
            raise ConfigError(str(exc)) from None
    if token is None and not settings.allow_unauthenticated and not principals:
        if not settings.is_loopback:
            raise ConfigError(
                f"--host {settings.host} is not a loopback address and no auth token is set: "
                "set LIGHTHOUSE_MCP_AUTH_TOKEN or --auth-token (or, only on a trusted network, "
                "--dangerously-allow-unauthenticated)"
            )
        token, generated = secrets.token_urlsafe(32), True
    if settings.allow_unauthenticated and settings.auth_token is None:
        token = None
    loopback_origins = tuple(
        f"{scheme}://{name}" for scheme in ("http", "https") for name in LOOPBACK_NAMES
    )
    return HttpAuth(
        token=token,
        generated=generated,
        allowed_origins=loopback_origins + settings.allowed_origins,
        check_host=settings.is_loopback,
        principals=principals,
    )


def _origin_allowed(origin: str, allowed: Iterable[str]) -> bool:
    """Exact match, or a loopback/allowed origin with any port."""
    for item in allowed:
        if origin == item or (origin.startswith(item + ":") and origin[len(item) + 1 :].isdigit()):
            return True
    return False


def _host_is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in LOOPBACK_NAMES


_CORS_PREFLIGHT = [
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    (
        b"access-control-allow-headers",
        b"authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id",
    ),
    (b"access-control-max-age", b"600"),
]
_CORS_EXPOSE = (b"access-control-expose-headers", b"mcp-session-id, www-authenticate")


class GuardMiddleware:
    """ASGI middleware: Origin/Host check (403), then bearer token (401).

    The bearer scheme word is matched in any case (RFC 7235). WebSocket upgrades are
    refused before the app sees them (no transport here speaks WebSocket), so a
    cross-origin upgrade gets a clean 403, not an error inside the SDK's handlers. The
    other bounds on what a client can hold: ``HEADER_TIMEOUT`` (slow_header_guard),
    ``SESSION_IDLE_TIMEOUT`` and ``MAX_SESSIONS`` (one bearer token serves the process,
    so the session count is the count per token).

    A browser client on an allowed Origin also gets CORS: its preflight (which carries
    no token) is answered here, and responses name the Origin so the page can read them.
    """

    def __init__(self, app: ASGIApp, auth: HttpAuth) -> None:
        self.app = app
        self.auth = auth
        self._expected = auth.token.encode() if auth.token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await _refuse_websocket(receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        origin = headers.get("origin")
        if origin is not None and not _origin_allowed(
            origin.decode("latin-1"), self.auth.allowed_origins
        ):
            await _reply(send, 403, b"Forbidden: Origin not allowed")
            return
        host = headers.get("host", b"").decode("latin-1")
        if self.auth.check_host and not _host_is_loopback(host):
            await _reply(send, 403, b"Forbidden: Host not allowed")
            return
        cors = (
            [(b"access-control-allow-origin", origin), (b"vary", b"Origin"), _CORS_EXPOSE]
            if origin
            else []
        )
        if origin and scope.get("method") == "OPTIONS":
            await _reply(send, 204, b"", cors + _CORS_PREFLIGHT)
            return
        presented = _bearer(headers.get("authorization", b""))
        principal = principal_for(presented, self.auth.principals) if presented else None
        if (
            principal is None
            and (self._expected is not None or self.auth.principals)
            and not (self._expected is not None and hmac.compare_digest(presented, self._expected))
        ):
            await _reply(
                send,
                401,
                b"Unauthorized: bearer token required",
                [*cors, (b"www-authenticate", b'Bearer realm="lighthouse-mcp"')],
            )
            return
        current_principal.set(principal)
        if not cors:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *cors]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _bearer(value: bytes) -> bytes:
    """The credentials of an ``Authorization: Bearer <token>`` header (scheme in any
    case, RFC 7235 §2.1), or b"" for any other header."""
    scheme, _, token = value.strip().partition(b" ")
    return token.strip(b" ") if scheme.lower() == b"bearer" else b""


async def _refuse_websocket(receive: Receive, send: Send) -> None:
    """Close a WebSocket handshake before accepting it: the server answers HTTP 403."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


async def _reply(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ] + (extra or [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


#: Library loggers that write whole HTTP message bodies at DEBUG: tool arguments going in
#: (passwords) and tool results coming out. Their lower levels are dropped (see below).
BODY_LOGGERS = ("mcp.server.sse", "sse_starlette.sse")


class _NoBodies(logging.Filter):
    """Drops a body logger's DEBUG records; its warnings and errors still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


_NO_BODIES = _NoBodies()


def quiet_body_loggers() -> None:
    """Keep message bodies out of the log whatever level the host application chooses.

    A filter, not a level: a level is reset by anyone who configures logging (an embedding
    app, ``logging.basicConfig(level=DEBUG)``, a test harness), a filter on the logger is
    not. Idempotent.
    """
    for name in BODY_LOGGERS:
        logger = logging.getLogger(name)
        if _NO_BODIES not in logger.filters:
            logger.addFilter(_NO_BODIES)


def _no_sdk_host_check() -> Any:
    """GuardMiddleware owns Origin/Host checks (one policy for both HTTP transports)."""
    from mcp.server.transport_security import TransportSecuritySettings

    return TransportSecuritySettings(enable_dns_rebinding_protection=False)


class WithApprovals:
    """ASGI: ``/approvals/...`` goes to the approval page, everything else (lifespan
    included) to the guarded MCP app. The page is not behind the bearer token, so the
    Host check for loopback binds (DNS rebinding) is repeated here."""

    def __init__(self, guarded: ASGIApp, service: ApprovalService, auth: HttpAuth) -> None:
        from starlette.applications import Starlette
        from starlette.routing import Mount

        from lighthouse_mcp.server.approvals.page import approval_app

        self.guarded = guarded
        self.service = service
        self.auth = auth
        #: The bearer secret of the terminal endpoint, for the control file.
        self.control_secret = secrets.token_urlsafe(32)
        page = approval_app(service, control_secret=self.control_secret)
        self.page = Starlette(routes=[Mount(APPROVALS_PATH, app=page)])

    def __repr__(self) -> str:  # never the control secret
        return f"WithApprovals(service={self.service!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(APPROVALS_PATH + "/"):
            await self.guarded(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        host = headers.get("host", b"").decode("latin-1")
        if self.auth.check_host and not _host_is_loopback(host):
            await _reply(send, 403, b"Forbidden: Host not allowed")
            return
        await self.page(scope, receive, send)


def _with_approvals(server: LighthouseServer, guarded: ASGIApp, auth: HttpAuth) -> ASGIApp:
    service = server.registry.approvals
    return guarded if service is None else WithApprovals(guarded, service, auth)


def streamable_http_app(server: LighthouseServer, auth: HttpAuth) -> ASGIApp:
    quiet_body_loggers()
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=_no_sdk_host_check(),
        session_idle_timeout=SESSION_IDLE_TIMEOUT,
        max_sessions=MAX_SESSIONS,
    )
    return _with_approvals(server, GuardMiddleware(app, auth), auth)


def sse_app(server: LighthouseServer, auth: HttpAuth) -> ASGIApp:
    from mcp.server.sse import SseServerTransport
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Mount, Route

    quiet_body_loggers()
    sse = SseServerTransport(MESSAGES_PATH, security_settings=_no_sdk_host_check())

    async def connect(request: Request) -> Response:
        async with sse.connect_sse(request.scope, request.receive, request._send) as (read, write):
            await server.run(read, write, server.create_initialization_options())
        return Response()

    app = Starlette(
        routes=[
            Route(SSE_PATH, endpoint=connect, methods=["GET"]),
            Mount(MESSAGES_PATH, app=sse.handle_post_message),
        ]
    )
    return _with_approvals(server, GuardMiddleware(app, auth), auth)


def announce(settings: Settings, auth: HttpAuth, out: TextIO | None = None) -> None:
    """Tell the operator where to connect; the generated token is printed here, once."""
    out = out or sys.stderr
    path = MCP_PATH if settings.transport == "streamable-http" else SSE_PATH
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(
        f"lighthouse-mcp: serving {settings.transport} on http://{host}:{settings.port}{path}",
        file=out,
    )
    if auth.principals:
        print(
            f"lighthouse-mcp: {len(auth.principals)} principals' bearer tokens accepted "
            "(--tokens-file)",
            file=out,
        )
    elif auth.token is None:
        print(
            "lighthouse-mcp: WARNING: no auth token; anyone who can reach this port can use "
            "your cloud account",
            file=out,
        )
    elif auth.generated:
        print(
            f"lighthouse-mcp: auth token (shown once): {auth.token}\n"
            f"lighthouse-mcp: send it as 'Authorization: Bearer <token>'",
            file=out,
        )
    out.flush()


async def serve_stdio(server: LighthouseServer) -> None:
    from mcp.server.stdio import stdio_server

    service = server.registry.approvals
    async with stdio_server() as (read, write):
        if service is None:
            await server.run(
                ParseErrorReplies(read, write), write, server.create_initialization_options()
            )
            return
        async with anyio.create_task_group() as tg:
            service.expect()  # a gated call arriving first waits for the page (service.ready)
            tg.start_soon(_serve_approval_page, service)
            await server.run(
                ParseErrorReplies(read, write), write, server.create_initialization_options()
            )
            tg.cancel_scope.cancel()


PARSE_ERROR = -32700


class ParseErrorReplies:
    """The stdio read stream, answering each line that is not readable JSON with a
    JSON-RPC -32700 error instead of passing the parse exception on.

    The SDK's stdio reader (mcp 2.x, ``mcp.server.stdio``) hands a line it cannot parse
    to the session as an exception, and the session only logs it: a client that sent a
    lone surrogate, a 5,000-digit integer or 300 levels of nesting (all valid to some JSON
    parsers, refused by the SDK's) waits for ever. The reply carries the request's id when
    a lenient parse can still find one, so the waiting request ends; otherwise null, as
    JSON-RPC 2.0 says. See docs/upstream/mcp-stdio-parse-error.md.
    """

    def __init__(self, inner: Any, write: Any) -> None:
        self._inner = inner
        self._write = write

    @property
    def last_context(self) -> Any:
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> Any:
        while True:
            item = await self._inner.receive()
            line = _unparsed_line(item)
            if line is None:
                return item
            await self._write.send(_parse_error_reply(line))

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> ParseErrorReplies:
        return self

    async def __anext__(self) -> Any:
        import anyio

        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> ParseErrorReplies:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _unparsed_line(item: Any) -> str | None:
    """The raw line of a parse failure from the SDK's reader, else None."""
    from pydantic import ValidationError

    if not isinstance(item, ValidationError):
        return None
    errors = item.errors(include_url=False)
    if not errors or errors[0]["type"] != "json_invalid":
        return None
    line = errors[0].get("input")
    return line if isinstance(line, str) else ""


def _parse_error_reply(line: str) -> Any:
    import json

    import mcp_types as types
    from mcp.shared.message import SessionMessage

    request_id: str | int | None = None
    try:
        data = json.loads(
            line, parse_int=lambda digits: int(digits) if len(digits) < 100 else digits
        )
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        found = data.get("id")
        if (
            isinstance(found, str | int)
            and not isinstance(found, bool)
            and (len(str(found)) <= 200)
        ):
            request_id = found
    error = types.JSONRPCError(
        jsonrpc="2.0",
        id=request_id,
        error=types.ErrorData(
            code=PARSE_ERROR,
            message=(
                "Parse error: the line is not JSON this server can read (malformed, a lone "
                "surrogate, nesting deeper than 200 levels or a number of more than 4,300 "
                "digits)"
            ),
        ),
    )
    return SessionMessage(error)


async def _serve_approval_page(service: ApprovalService) -> None:
    """The approval page on its own loopback port until cancelled. Failing to serve it
    is not fatal: gated calls are then refused with the options named. Its imports
    (uvicorn, starlette) load in a worker thread, so the MCP handshake is not kept
    waiting for them (bench/bench_cold_start.py)."""
    import importlib

    loopback = await anyio.to_thread.run_sync(
        importlib.import_module, "lighthouse_mcp.server.approvals.loopback"
    )
    ApprovalServer = loopback.ApprovalServer
    try:
        async with ApprovalServer(service):
            await anyio.sleep_forever()
    except OSError as exc:
        service.detach()  # gated calls stop waiting for it and are refused with the options
        log.warning("the approval page could not be served: %s", exc.strerror or exc)


def http_base_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


async def serve_http(server: LighthouseServer, settings: Settings) -> None:
    import uvicorn

    from lighthouse_mcp.server.approvals.control import write_control

    auth = resolve_auth(settings)
    app = (
        streamable_http_app(server, auth)
        if settings.transport == "streamable-http"
        else sse_app(server, auth)
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        lifespan="on",
        http=slow_header_guard(),
    )
    announce(settings, auth)
    control: Path | None = None
    if isinstance(app, WithApprovals):
        base = http_base_url(settings) + APPROVALS_PATH
        app.service.attach(base)
        control = write_control(base, app.control_secret)
    try:
        await uvicorn.Server(config).serve()
    finally:
        if control is not None:
            control.unlink(missing_ok=True)


def slow_header_guard(timeout: float = HEADER_TIMEOUT) -> type[Any]:
    """uvicorn's h11 protocol, closing a connection whose request headers take longer
    than ``timeout`` seconds (uvicorn's keep-alive timer stops at the first byte, so a
    client sending a header byte now and then would otherwise hold it for ever)."""
    import asyncio

    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class SlowHeaderGuard(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return SlowHeaderGuard


async def serve(server: LighthouseServer, settings: Settings) -> None:
    """Run until the client disconnects (stdio) or the process is stopped (HTTP)."""
    try:
        if settings.transport == "stdio":
            await serve_stdio(server)
        else:
            await serve_http(server, settings)
    finally:
        await server.aclose()
