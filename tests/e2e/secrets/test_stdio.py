"""The real server process (`python -m lighthouse_mcp.server`, stdio) with canary
credentials in its environment and an endpoint that cannot be reached, then one that
answers garbage: its stderr (where the operator's log goes) and every tool result stay
clean, while the password and key really were handed to it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.e2e.secrets import canaries as cn
from tests.e2e.secrets.test_mcp_tools import CLIENT

pytestmark = pytest.mark.anyio
RESET = {"InstanceIds": ["lhins-demo0001"], "Password": cn.PASSWORD}


async def test_server_process_stderr_and_results(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TENCENTCLOUD_SECRET_ID": cn.SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": cn.SECRET_KEY,
        "TENCENTCLOUD_TOKEN": cn.SESSION_TOKEN,
        "LIGHTHOUSE_MCP_ENDPOINT": "http://127.0.0.1:9",
        "HOME": str(tmp_path),
    }
    params = StdioServerParameters(
        command=sys.executable,
        env=env,
        args=[
            "-m",
            "lighthouse_mcp.server",
            "--region",
            "ap-guangzhou",
            "--audit-log",
            str(tmp_path / "audit.jsonl"),
            "--key-dir",
            str(tmp_path / "keys"),
            "--policy",
            str(cn.password_reset_runs(tmp_path)),
        ],
    )
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as errlog:
        async with Client(
            stdio_client(params, errlog=errlog), mode="legacy", client_info=CLIENT
        ) as c:
            results = [
                await c.call_tool("ResetInstancesPassword", RESET),
                await c.call_tool("ResetInstancesPassword", {**RESET, "Password": [cn.PASSWORD]}),
                await c.call_tool("DescribeInstances", {"Limit": 1}),
            ]
    assert all(r.is_error for r in results)
    assert "cannot connect" in results[0].content[0].text  # type: ignore[union-attr]
    for r in results:
        cn.assert_clean(
            "a tool result", [getattr(b, "text", "") for b in r.content], r.structured_content or {}
        )
    text = stderr.read_text()
    assert "retrying" in text  # the read was retried and logged: the check can fail
    cn.assert_clean("the server's stderr", text)
    cn.assert_clean("the audit log", (tmp_path / "audit.jsonl").read_text())
