"""A sandbox-backed server and an official MCP client kept open in a blocking portal, so
synchronous hypothesis tests can make many calls through one session; plus the checks
every answer must pass (no traceback, no internal names, no file paths)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mcp_types as types
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import Feature, LighthouseServer, build_server
from lighthouse_mcp.server.config import Settings

#: What must never reach a client: a traceback, a source path, an internal exception name.
LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|lighthouse_mcp\.|/work/|/home/|/usr/lib"
    r"|\b(KeyError|TypeError|ValueError|AttributeError|IndexError|RecursionError"
    r"|UnicodeEncodeError|UnicodeDecodeError|AssertionError|RuntimeError|JSONDecodeError"
    r"|ValidationError|NameError)\b"
)


@dataclass
class Session:
    """One open MCP client session against a server over an in-process sandbox."""

    portal: BlockingPortal
    client: Client
    sandbox: Sandbox
    server: LighthouseServer

    def call(self, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        result: types.CallToolResult = self.portal.call(self.client.call_tool, name, arguments)
        return result


@contextmanager
def session(
    tmp_path: Path, *, features: tuple[Feature, ...] = (), **settings: Any
) -> Iterator[Session]:
    base: dict[str, Any] = {
        "sandbox": True,
        "region": "ap-guangzhou",
        "audit_log": tmp_path / "audit.jsonl",
        "key_dir": tmp_path / "keys",
    }
    base.update(settings)
    sb = Sandbox(delay=0)
    server = build_server(Settings(**base), sandbox=sb, features=features)
    with start_blocking_portal(backend="asyncio") as portal:
        client = Client(server, client_info=types.Implementation(name="proof", version="1"))
        with portal.wrap_async_context_manager(client):
            yield Session(portal, client, sb, server)
        portal.call(server.aclose)


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, types.TextContent))


def error_code(result: types.CallToolResult) -> str | None:
    code = (result.structured_content or {}).get("Error", {}).get("Code")
    return str(code) if code is not None else None


def assert_no_leak(result: types.CallToolResult) -> None:
    """Error texts must not carry internals. Successful results are API data (which may
    legitimately contain anything a user named a resource), so only errors are checked."""
    if result.is_error:
        text = text_of(result)
        found = LEAKS.search(text)
        assert found is None, f"internal detail {found.group(0)!r} leaked: {text[:500]}"
