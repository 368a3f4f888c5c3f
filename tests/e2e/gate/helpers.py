"""Shared set-up for the gate's end-to-end tests: a sandbox-backed server with only the
gate feature, the official MCP client, and readers for what reached the sandbox and
what the audit log says."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import mcp_types as types
from mcp.client import Client
from mcp.client.context import ClientRequestContext
from mcp.client.session import ElicitationFnT

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import Feature, LighthouseServer, build_server
from lighthouse_mcp.server.approvals import ApprovalService
from lighthouse_mcp.server.config import Settings

GATE_ONLY = (Feature.GATE,)
CLIENT = types.Implementation(name="gate-e2e", version="1")
REGION = "ap-guangzhou"


def gate_server(sb: Sandbox, tmp_path: Path, **settings: Any) -> LighthouseServer:
    base: dict[str, Any] = {
        "sandbox": True,
        "region": REGION,
        "audit_log": tmp_path / "audit.jsonl",
        "key_dir": tmp_path / "keys",
    }
    base.update(settings)
    return build_server(Settings(**base), sandbox=sb, features=GATE_ONLY)


def connect(
    sb: Sandbox,
    tmp_path: Path,
    person: ElicitationFnT | None = None,
    **settings: Any,
) -> Client:
    """The official client, handshake era, to a gate-only server on ``sb``; ``person``
    answers elicitations (None: the client declares none)."""
    server = gate_server(sb, tmp_path, **settings)
    return Client(server, mode="legacy", elicitation_callback=person, client_info=CLIENT)


def mutations(sb: Sandbox, action: str | None = None) -> list[Any]:
    """Requests that reached the sandbox and could change something (dry runs excluded)."""
    return [
        r
        for r in sb.requests
        if not catalog.is_read(str(r.action))
        and not (r.params or {}).get("DryRun")
        and (action is None or r.action == action)
    ]


def audit(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def error_code(result: types.CallToolResult) -> str | None:
    code = (result.structured_content or {}).get("Error", {}).get("Code")
    return str(code) if code is not None else None


def phrase_in(message: str) -> str:
    """The text the message asks the person to type (the last backticked span)."""
    found: list[str] = re.findall(r"`([^`]+)`", message)
    assert found, message
    return found[-1]


class Person:
    """An elicitation callback standing in for the person: answers as told and keeps
    every message it was shown."""

    def __init__(
        self, how: str = "accept", *, typed: str | None = None, approve: bool = True
    ) -> None:
        self.how, self.typed, self.approve = how, typed, approve
        self.seen: list[types.ElicitRequestParams] = []
        self.before_answer: Callable[[], Awaitable[None]] | None = None

    async def __call__(
        self, context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        self.seen.append(params)
        if self.before_answer is not None:
            await self.before_answer()
        if self.how != "accept":
            return types.ElicitResult(action=self.how)  # type: ignore[arg-type]
        schema = getattr(params, "requested_schema", {}) or {}
        if "confirm" in schema.get("properties", {}):
            typed = self.typed if self.typed is not None else phrase_in(params.message)
            return types.ElicitResult(action="accept", content={"confirm": typed})
        return types.ElicitResult(action="accept", content={"approve": self.approve})


async def never_asked(
    context: ClientRequestContext, params: types.ElicitRequestParams
) -> types.ElicitResult:
    raise AssertionError(f"the person was asked: {params.message}")


def ids(result: types.CallToolResult, set_field: str, id_field: str) -> list[str]:
    assert not result.is_error, result.content
    items = (result.structured_content or {}).get(set_field) or []
    return [str(item[id_field]) for item in items]


def approvals_of(server: LighthouseServer) -> tuple[ApprovalService, list[str]]:
    """The server's approval service with its links collected instead of opened in a
    browser or printed: the list stands for the person's own channel."""
    service = server.registry.approvals
    assert service is not None
    links: list[str] = []
    service.opener, service.announce_to = links.append, io.StringIO()
    return service, links
