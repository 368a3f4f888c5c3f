"""A real `python -m lighthouse_mcp.server --sandbox` subprocess over stdio, driven by the
official MCP client; and `lighthouse-mcp tools` output."""

from __future__ import annotations

import os
import subprocess
import sys

import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from lighthouse_mcp import catalog

pytestmark = pytest.mark.anyio


def _params(*flags: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        env=dict(os.environ),
        args=["-m", "lighthouse_mcp.server", "--sandbox", *flags],
    )


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_subprocess_serves_the_sandbox(mode: str) -> None:
    async with Client(
        _params(), mode=mode, client_info=types.Implementation(name="stdio-e2e", version="1")
    ) as c:
        tools = (await c.list_tools()).tools
        result = await c.call_tool("DescribeInstances", {"Limit": 5})
        bad = await c.call_tool("DescribeInstances", {"Limit": "five"})
    assert len(tools) > len(catalog.action_names())  # + wait_for
    assert not result.is_error
    data = result.structured_content
    assert isinstance(data, dict) and data["TotalCount"] >= 1 and data["RequestId"]
    assert bad.is_error


async def test_stdio_instructions_and_read_only_flag() -> None:
    async with Client(_params("--read-only", "--toolsets", "instance")) as c:
        tools = (await c.list_tools()).tools
        stop = await c.call_tool("StopInstances", {"InstanceIds": ["lhins-00000000"]})
    assert tools and all(t.annotations and t.annotations.read_only_hint for t in tools)
    assert stop.is_error


def test_tools_command_prints_class_and_group() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", "tools", "--toolsets", "firewall"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["TOOL", "CLASS", "GROUP"]
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:]}
    assert rows["DescribeFirewallRules"] == ["read", "firewall"]
    assert rows["DeleteFirewallRules"][1] == "firewall"
    assert "tools" in out.stderr


def test_serve_refuses_an_open_non_loopback_bind() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "lighthouse_mcp.server",
            "--sandbox",
            "--transport",
            "streamable-http",
            "--host",
            "0.0.0.0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "not a loopback address" in out.stderr


def test_bad_flag_value_is_a_clear_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", "--toolsets", "firewal"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "did you mean firewall" in out.stderr
    assert "Traceback" not in out.stderr


def test_tools_command_json_lists_annotations() -> None:
    import json

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "lighthouse_mcp.server",
            "tools",
            "--json",
            "--read-only",
            "--toolsets",
            "keypair",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = json.loads(out.stdout)
    actions = [r for r in rows if r["name"][0].isupper()]
    assert actions and all(r["class"] == "read" and r["group"] == "keypair" for r in actions)
    assert all(r["annotations"]["readOnlyHint"] is True for r in rows)
