"""Baseline for bench_stdio and bench_memory: the smallest useful MCPServer (one tool)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

server = MCPServer("baseline")


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


if __name__ == "__main__":
    server.run("stdio")
