"""--compact mode reaches the tat and monitor actions through the meta-tools (search,
describe, call), and keeps run_command and instance_metrics beside them."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from tests.e2e.gate.helpers import CLIENT, REGION, never_asked

pytestmark = pytest.mark.anyio


async def test_compact_mode_finds_describes_and_calls_other_services(tmp_path: Path) -> None:
    settings = Settings(
        sandbox=True, region=REGION, compact=True, audit_log=tmp_path / "audit.jsonl"
    )
    server = build_server(settings, sandbox=Sandbox(delay=0))
    async with Client(
        server, mode="legacy", elicitation_callback=never_asked, client_info=CLIENT
    ) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        found = await c.call_tool("search_actions", {"query": "monitor data"})
        described = await c.call_tool("describe_action", {"action": "tat_RunCommand"})
        data = await c.call_tool(
            "call_action",
            {
                "action": "monitor_GetMonitorData",
                "arguments": {
                    "Namespace": "QCE/LIGHTHOUSE",
                    "MetricName": "CpuUsage",
                    "Instances": [
                        {"Dimensions": [{"Name": "InstanceId", "Value": "lhins-demo0001"}]}
                    ],
                },
            },
        )
    assert {"run_command", "instance_metrics", "call_action"} <= names
    assert not any(n.startswith(("tat_", "monitor_")) for n in names)
    assert "monitor_GetMonitorData" in str(found.content[0])
    assert not described.is_error and "Content" in str(described.content[0])
    assert not data.is_error, data.content
    assert (data.structured_content or {})["DataPoints"][0]["Values"]
