"""Who is calling: the SessionInfo the pipeline hands to the gate, from the SDK's
request context (client info, capabilities, protocol era, a stable session id)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from lighthouse_mcp.server.hooks import SessionInfo


def session_id(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """A stable id for "this client", which the gate binds confirmations to.

    SSE: the stream's session_id (the query parameter of its message URL). Legacy
    streamable HTTP: the mcp-session-id header. Sessionless (2026-era) HTTP: the
    bearer token's hash, i.e. whoever holds the token. Otherwise the id the server's
    lifespan minted: one per `Server.run`, which is one per stdio process, SSE stream or
    in-memory connection (2026-era requests carry no connection of their own).
    """
    headers = getattr(ctx.request, "headers", None)
    query = getattr(ctx.request, "query_params", None)
    if query is not None and query.get("session_id"):
        # SSE: every stream has its own id in the message URL. It comes before the bearer
        # token, which all of one user's streams share: a token issued in one SSE session
        # must not be redeemed in another.
        return f"sse:{query.get('session_id')}"
    if headers is not None:
        if headers.get("mcp-session-id"):
            return f"http:{headers.get('mcp-session-id')}"
        if headers.get("authorization"):
            digest = hashlib.sha256(str(headers.get("authorization")).encode()).hexdigest()
            return f"bearer:{digest[:32]}"
    state = ctx.lifespan_context
    if isinstance(state, dict) and isinstance(state.get("session_id"), str):
        return str(state["session_id"])
    return None


@asynccontextmanager
async def lifespan(server: Server[Any]) -> AsyncIterator[dict[str, Any]]:
    """Per run of the server (a stdio process, an SSE stream, an in-memory client)."""
    yield {"session_id": uuid.uuid4().hex}


def session_info(
    ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams | None = None
) -> SessionInfo:
    """The caller of one request. Elicitation is offered only where the SDK can send it:
    a handshake-era connection whose client declared the capability."""
    session = ctx.session
    info = session.client_params.client_info if session.client_params else None
    modern = ctx.protocol_version in MODERN_PROTOCOL_VERSIONS
    declared = session.check_client_capability(
        types.ClientCapabilities(elicitation=types.ElicitationCapability())
    )
    can_elicit = not modern and session.can_send_request and declared

    async def elicit(message: str, schema: dict[str, Any]) -> types.ElicitResult:
        return await session.elicit_form(message, schema, related_request_id=ctx.request_id)

    async def progress(done: float, total: float | None, message: str | None) -> None:
        await session.report_progress(done, total, message)

    responses = params.input_responses if params is not None else None
    return SessionInfo(
        session_id=session_id(ctx),
        client_name=info.name if info else None,
        client_version=info.version if info else None,
        protocol_version=ctx.protocol_version,
        can_elicit=bool(can_elicit),
        elicit=elicit,
        can_request_input=bool(modern and declared),
        input_responses=dict(responses) if responses else None,
        request_state=params.request_state if params is not None else None,
        report_progress=progress,
    )
