"""Baseline for bench_cold_start: the smallest useful MCPServer on the same SDK (one tool)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

server = MCPServer("baseline")


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


if __name__ == "__main__":
    server.run("stdio")
