"""The out-of-band approval channel: a person approves a gated call in a browser page
served by this server on loopback, or with `lighthouse-mcp approvals` in a terminal;
the model never sees the link or takes part in the answer.

- store.py: pending requests and decisions (ApprovalStore protocol, in-memory store)
- service.py: ApprovalService.ask(), what the gate awaits; answers from page/terminal
- page.py: the ASGI app (page + terminal endpoint), mountable into the HTTP app
- loopback.py: ApprovalServer, the app on its own loopback port (stdio)
- control.py, terminal.py: the control file and the `approvals` command
"""

from __future__ import annotations

from lighthouse_mcp.server.approvals.service import (
    ApprovalAsk,
    ApprovalService,
    ApprovalUnavailable,
)
from lighthouse_mcp.server.approvals.store import (
    ApprovalRequest,
    ApprovalStore,
    Decision,
    MemoryApprovalStore,
)

__all__ = [
    "ApprovalAsk",
    "ApprovalRequest",
    "ApprovalService",
    "ApprovalStore",
    "ApprovalUnavailable",
    "Decision",
    "MemoryApprovalStore",
]
