"""run_command and instance_metrics through the official MCP client against the sandbox,
with the real gate: the person sees the command, nothing runs when they decline, output
and exit codes come back decoded; metrics come back as figures; the tat and monitor
toolsets list the services' actions."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import Feature, LighthouseServer
from tests.e2e.gate.helpers import CLIENT, Person, audit, gate_server, never_asked

pytestmark = pytest.mark.anyio

RUNNING, STOPPED = "lhins-demo0001", "lhins-demo0002"


def _server(sb: Sandbox, tmp_path: Path, **settings: Any) -> LighthouseServer:
    """Every feature (the gate, waits, ops, ...), as `lighthouse-mcp --sandbox` serves."""
    return gate_server(sb, tmp_path, features=tuple(Feature), **settings)


def _runs(sb: Sandbox) -> list[Any]:
    return [r for r in sb.requests if r.action == "tat_RunCommand"]


async def test_run_command_asks_with_the_command_shown_then_returns_output(
    tmp_path: Path,
) -> None:
    sb, person = Sandbox(delay=0.05), Person("accept")
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    command = "uptime\ndf -h\nsystemctl status nginx"
    async with Client(
        _server(sb, tmp_path), mode="legacy", elicitation_callback=person, client_info=CLIENT
    ) as c:
        result = await c.call_tool(
            "run_command",
            {"instance_ids": [RUNNING], "command": command, "timeout_seconds": 30},
            progress_callback=on_progress,
        )
    assert not result.is_error, result.content
    (asked,) = person.seen
    # the exact command text, the instance by name, the user and the timeout
    assert '"uptime\\ndf -h\\nsystemctl status nginx"' in asked.message
    assert RUNNING in asked.message and "lighthouse-test" in asked.message
    assert "root" in asked.message and "30 s" in asked.message
    (sent,) = _runs(sb)
    assert base64.b64decode((sent.params or {})["Content"]).decode() == command
    assert (sent.params or {})["CommandType"] == "SHELL"
    data = result.structured_content or {}
    (row,) = data["Results"]
    assert data["Done"] is True and row["TaskStatus"] == "SUCCESS" and row["ExitCode"] == 0
    assert "load average" in row["Output"] and "/dev/vda2" in row["Output"]
    assert "nginx.service" in row["Output"] and "active (running)" in row["Output"]
    text = result.content[0]
    assert isinstance(text, types.TextContent) and "exit code 0" in text.text
    assert seen and seen[-1][0] == seen[-1][1] == 1
    decisions = [r.get("decision") for r in audit(tmp_path) if r["action"] == "tat_RunCommand"]
    assert "elicited-accept" in decisions


async def test_declined_runs_nothing(tmp_path: Path) -> None:
    sb, person = Sandbox(delay=0.05), Person("decline")
    async with Client(
        _server(sb, tmp_path), mode="legacy", elicitation_callback=person, client_info=CLIENT
    ) as c:
        result = await c.call_tool(
            "run_command", {"instance_ids": [RUNNING], "command": "systemctl restart nginx"}
        )
    assert result.is_error
    assert "declined" in str(result.content[0]).lower()
    assert person.seen and "systemctl restart nginx" in person.seen[0].message
    assert _runs(sb) == []


async def test_unknown_command_exits_127_and_stopped_instance_is_explained(
    tmp_path: Path,
) -> None:
    sb = Sandbox(delay=0.05)
    async with Client(
        _server(sb, tmp_path), mode="legacy", elicitation_callback=Person(), client_info=CLIENT
    ) as c:
        missing = await c.call_tool(
            "run_command", {"instance_ids": [RUNNING], "command": "frobnicate --now"}
        )
        stopped = await c.call_tool("run_command", {"instance_ids": [STOPPED], "command": "uptime"})
    (row,) = (missing.structured_content or {})["Results"]
    assert row["ExitCode"] == 127 and row["TaskStatus"] == "FAILED"
    assert "frobnicate: command not found" in row["Output"]
    assert stopped.is_error
    message = str(stopped.content[0])
    assert "STOPPED" in message and "StartInstances" in message
    assert len(_runs(sb)) == 1  # the stopped instance was never sent a command


async def test_long_output_keeps_head_and_tail_with_a_note(tmp_path: Path) -> None:
    sb = Sandbox(delay=0.05)
    command = "echo first-line\njournalctl -u nginx -n 300\necho last-line"
    async with Client(
        _server(sb, tmp_path), mode="legacy", elicitation_callback=Person(), client_info=CLIENT
    ) as c:
        result = await c.call_tool("run_command", {"instance_ids": [RUNNING], "command": command})
    (row,) = (result.structured_content or {})["Results"]
    assert row["Output"].startswith("first-line\n")
    assert row["Output"].endswith("last-line\n")
    assert "characters" in row["Output"] and "cut ...]" in row["Output"]
    assert len(row["Output"]) < 7000
    assert any("were cut" in n for n in row["Notes"])


async def test_instance_metrics_returns_figures_and_nothing_while_stopped(
    tmp_path: Path,
) -> None:
    sb = Sandbox(delay=0.05)
    async with Client(
        _server(sb, tmp_path), mode="legacy", elicitation_callback=never_asked, client_info=CLIENT
    ) as c:
        result = await c.call_tool(
            "instance_metrics",
            {"instance_ids": [RUNNING, STOPPED], "fields": ["Max", "Avg", "Series", "TrafficMB"]},
        )
    assert not result.is_error, result.content
    running, stopped = (result.structured_content or {})["Instances"]
    by_key = {m["Key"]: m for m in running["Metrics"]}
    assert set(by_key) == {"cpu", "memory", "disk", "bandwidth_in", "bandwidth_out"}
    cpu = by_key["cpu"]
    assert cpu["Unit"] == "%" and 0 < cpu["Avg"] <= cpu["Max"] <= 100
    assert cpu["Points"] == len(cpu["Series"]) >= 12
    assert by_key["bandwidth_out"]["TrafficMB"] > 0
    assert "Min" not in cpu  # fields chose what to return
    assert all(m["Points"] == 0 and "not running" in m["Note"] for m in stopped["Metrics"])


async def test_toolsets_list_the_services_actions_and_the_default_stays_lean(
    tmp_path: Path,
) -> None:
    sb = Sandbox(delay=0)
    async with Client(_server(sb, tmp_path), client_info=CLIENT) as c:
        default = {t.name for t in (await c.list_tools()).tools}
    async with Client(_server(sb, tmp_path, toolsets=("tat", "monitor")), client_info=CLIENT) as c:
        services = {t.name for t in (await c.list_tools()).tools}
        regions = await c.call_tool("tat_DescribeRegions", {})
    assert {"run_command", "instance_metrics"} <= default
    assert not any(n.startswith(("tat_", "monitor_")) for n in default)
    expected = set(catalog.action_names("tat")) | set(catalog.action_names("monitor"))
    assert expected <= services and "DescribeInstances" not in services
    assert "tat_RunCommand" in services and "monitor_GetMonitorData" in services
    assert not regions.is_error and (regions.structured_content or {}).get("RegionSet")


async def test_token_mode_runs_only_when_repeated_with_the_token(tmp_path: Path) -> None:
    sb = Sandbox(delay=0.05)
    args = {"instance_ids": [RUNNING], "command": "df -h"}
    async with Client(_server(sb, tmp_path, confirm_mode="token"), client_info=CLIENT) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        first = await c.call_tool("run_command", args)
        held = len(_runs(sb))
        token = (first.structured_content or {})["Error"]["confirm_token"]
        second = await c.call_tool("run_command", {**args, "confirm_token": token})
    assert "confirm_token" in tools["run_command"].input_schema["properties"]
    assert first.is_error and held == 0
    text = str(first.content[0])
    assert '"df -h"' in text and "call run_command again" in text and "inside" not in text
    assert not second.is_error, second.content
    (row,) = (second.structured_content or {})["Results"]
    assert row["ExitCode"] == 0 and "/dev/vda2" in row["Output"]
    assert len(_runs(sb)) == 1


async def test_a_policy_rule_lets_listed_read_only_commands_run_without_asking(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "version": 1,
                "rules": [
                    {
                        "id": "read-only-diagnostics",
                        "actions": ["tat_RunCommand"],
                        "decision": "allow",
                        "reason": "uptime and df -h change nothing",
                        "when": {"Content": {"command_in": ["uptime", "df -h"]}},
                        "overrides": ["remote-command"],
                    }
                ],
            }
        )
    )
    sb = Sandbox(delay=0.05)
    server = _server(sb, tmp_path, policy=policy)
    async with Client(
        server, mode="legacy", elicitation_callback=never_asked, client_info=CLIENT
    ) as c:
        listed = await c.call_tool(
            "run_command", {"instance_ids": [RUNNING], "command": "uptime\ndf -h"}
        )
    assert not listed.is_error, listed.content
    assert len(_runs(sb)) == 1
    person = Person("decline")
    async with Client(
        _server(sb, tmp_path, policy=policy),
        mode="legacy",
        elicitation_callback=person,
        client_info=CLIENT,
    ) as c:
        chained = await c.call_tool(
            "run_command", {"instance_ids": [RUNNING], "command": "uptime; reboot"}
        )
    assert chained.is_error and person.seen and "uptime; reboot" in person.seen[0].message
    assert len(_runs(sb)) == 1  # the chained command was not sent


async def test_instance_metrics_names_an_unknown_metric(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(_server(sb, tmp_path), client_info=CLIENT) as c:
        result = await c.call_tool(
            "instance_metrics", {"instance_ids": [RUNNING], "metrics": ["cpu", "gpu"]}
        )
        read = [r for r in sb.requests if r.action == "monitor_GetMonitorData"]
        by_name = await c.call_tool(
            "instance_metrics", {"instance_ids": [RUNNING], "metrics": ["LighthouseOuttraffic"]}
        )
    assert result.is_error
    text = str(result.content[0])
    assert "metrics: 'gpu' unknown" in text and "bandwidth_out" in text
    assert [m["Key"] for m in (by_name.structured_content or {})["Instances"][0]["Metrics"]] == [
        "bandwidth_out"
    ]
    assert read == []  # nothing was read for the call with an unknown metric


@pytest.mark.parametrize(
    ("settings", "offered"),
    [
        ({"toolsets": ("instance",)}, {"run_command", "instance_metrics"}),
        ({"read_only": True}, {"instance_metrics"}),
        # the instances by name and state are read with DescribeInstances: without it,
        # neither tool is offered (the exposure flags bound every surface)
        ({"toolsets": ("disk",)}, set()),
        ({"exclude_tools": ("DescribeInstances",)}, set()),
    ],
)
async def test_the_ops_tools_keep_the_exposure_bounds(
    tmp_path: Path, settings: dict[str, Any], offered: set[str]
) -> None:
    sb = Sandbox(delay=0)
    async with Client(_server(sb, tmp_path, **settings), client_info=CLIENT) as c:
        names = {t.name for t in (await c.list_tools()).tools}
    assert names & {"run_command", "instance_metrics"} == offered
