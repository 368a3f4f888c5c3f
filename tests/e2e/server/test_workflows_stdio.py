"""wait_for over a real stdio subprocess (`python -m lighthouse_mcp.server --sandbox`):
progress notifications travel as JSON-RPC messages with the client's progress token, and
the structured result passes the client's outputSchema check."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

pytestmark = pytest.mark.anyio


async def test_wait_for_over_stdio_reports_progress() -> None:
    params = StdioServerParameters(
        command=sys.executable,
        env=dict(os.environ),
        args=[
            "-m",
            "lighthouse_mcp.server",
            "--sandbox",
            "--region",
            "ap-guangzhou",
            "--read-only",
        ],
    )
    events: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        events.append((progress, total, message))

    async with Client(params) as client:
        listed = (await client.call_tool("DescribeInstances", {})).structured_content or {}
        states: dict[str, Any] = {
            i["InstanceId"]: i["InstanceState"] for i in listed["InstanceSet"]
        }
        iid = next(i for i, s in states.items() if s == "STOPPED")
        # --read-only: StartInstances is not offered, so the STOPPED instance stays put and a
        # wait for STOPPED settles at once while a wait for RUNNING runs into its timeout.
        done = await client.call_tool(
            "wait_for",
            {"resource": "instance", "ids": [iid], "target_state": "STOPPED"},
            progress_callback=on_progress,
        )
        late = await client.call_tool(
            "wait_for",
            {"resource": "instance", "ids": [iid], "target_state": "RUNNING", "timeout_seconds": 2},
            progress_callback=on_progress,
        )
    assert not done.is_error and (done.structured_content or {})["Done"] is True
    result = late.structured_content or {}
    assert result["Done"] is False and result["Resources"][0]["Status"] == "timeout"
    assert events[0] == (1.0, 1.0, "1/1 settled after 0s; now: STOPPED")
    assert len(events) >= 3 and all(e[:2] == (0.0, 1.0) for e in events[1:])
