"""`lighthouse-mcp approvals`: list and answer a running server's pending approvals
(the command lives with the approval channel, in server/approvals/terminal.py)."""

from __future__ import annotations

from lighthouse_mcp.server.approvals.terminal import add_arguments, run

__all__ = ["add_arguments", "run"]
