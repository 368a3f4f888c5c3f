"""Helpers for the end-to-end server tests: a connected official MCP client over an
in-process sandbox, and a tool result's text and structured data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import Any

import mcp_types as types
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import Feature, build_server
from lighthouse_mcp.server.config import Settings


@asynccontextmanager
async def connect(
    sb: Sandbox, features: Collection[Feature], **settings: Any
) -> AsyncIterator[Client]:
    server = build_server(Settings(sandbox=True, **settings), sandbox=sb, features=features)
    async with Client(server) as client:
        yield client
    await server.aclose()


def text(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


def data(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    assert isinstance(result.structured_content, dict)
    return result.structured_content
