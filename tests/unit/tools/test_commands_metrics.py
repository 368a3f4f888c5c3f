"""The pure parts of run_command and instance_metrics: shells, base64, the agent check's
advice, head-and-tail cutting, and metric summaries."""

from __future__ import annotations

import pytest

from lighthouse_mcp.tools import commands, metrics


def test_shell_by_platform_and_base64_round_trip() -> None:
    assert commands.command_type("WINDOWS") == "POWERSHELL"
    assert commands.command_type("LINUX_UNIX") == commands.command_type(None) == "SHELL"
    text = "echo 你好\nuptime"
    assert commands.decode(commands.encode(text)) == text
    assert commands.decode("") == "" and "\ufffd" in commands.decode("/w==")


@pytest.mark.parametrize(
    ("instance", "agent", "advice"),
    [
        (None, None, "no such instance"),
        ({"InstanceState": "STOPPED"}, None, "StartInstances"),
        ({"InstanceState": "REBOOTING"}, None, "wait until it is RUNNING"),
        ({"InstanceState": "RUNNING"}, None, "not installed"),
        ({"InstanceState": "RUNNING"}, {"AgentStatus": "Offline"}, "RebootInstances"),
    ],
)
def test_agent_problem_says_what_to_do(
    instance: dict[str, str] | None, agent: dict[str, str] | None, advice: str
) -> None:
    problem = commands.agent_problem(instance, agent)
    assert problem is not None and advice in problem


def test_agent_online_is_no_problem() -> None:
    assert commands.agent_problem({"InstanceState": "RUNNING"}, {"AgentStatus": "Online"}) is None


def test_cut_keeps_head_and_tail_and_counts_what_went() -> None:
    short = "x" * 100
    assert commands.cut(short) == (short, None)
    text = "".join(f"{i:05d}\n" for i in range(5000))  # 30,000 characters
    kept, note = commands.cut(text, head=60, tail=120)
    assert kept.startswith("00000\n") and kept.endswith("04999\n")
    assert "00500" not in kept and note is not None
    assert f"{len(text) - 180} in the middle were cut" in note
    assert f"[... {len(text) - 180} characters" in kept


def test_task_result_decodes_and_notes_tat_drops() -> None:
    task = {
        "InstanceId": "lhins-a",
        "TaskStatus": "SUCCESS",
        "TaskResult": {"ExitCode": 0, "Output": commands.encode("ok\n"), "Dropped": 10},
    }
    row = commands.task_result(task, {"lhins-a": "web"})
    assert row["Output"] == "ok\n" and row["ExitCode"] == 0 and row["InstanceName"] == "web"
    assert any("10 more bytes" in n for n in row["Notes"])
    running = commands.task_result({**task, "TaskStatus": "RUNNING"}, {})
    assert running["ExitCode"] is None


def test_summary_min_avg_max_last_peak_and_traffic() -> None:
    table = metrics.by_key()
    out = metrics.summarise(table["bandwidth_out"], [0.0, 300.0, 600.0], [1.0, 4.0, 2.0], 300)
    assert (out["Min"], out["Avg"], out["Max"], out["Last"]) == (1.0, 2.333, 4.0, 2.0)
    assert out["PeakAt"] == "1970-01-01T00:05:00Z" and out["Points"] == 3
    assert out["TrafficMB"] == round((1 + 4 + 2) * 300 / 8, 1)
    assert "Series" not in out
    cpu = metrics.summarise(table["CpuUsage"], [], [], 300, points=True)
    assert cpu["Points"] == 0 and "not running" in cpu["Note"] and "TrafficMB" not in cpu


def test_window_defaults_and_errors() -> None:
    assert metrics.window(None, None, 10_000.0, 300) == (10_000.0 - 3600, 10_000.0)
    start, end = metrics.window("2026-12-04T10:00:00+08:00", "2026-12-04T03:00:00Z", 0, 60)
    assert end - start == 3600
    with pytest.raises(ValueError, match="ISO 8601"):
        metrics.window("yesterday", None, 0, 60)
    with pytest.raises(ValueError, match="before"):
        metrics.window("2026-12-04T10:00:00Z", "2026-12-04T09:00:00Z", 0, 60)


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("uptime", True),
        ("uptime\ndf  -h\n", True),
        ("df -h", True),
        ("df -h /", False),
        ("uptime; rm -rf /", False),
        ("uptime && reboot", False),
        ("uptime | sh", False),
        ("df -h > /etc/motd", False),
        ("uptime $(reboot)", False),
        ("uptime `reboot`", False),
        ("uptime\nreboot", False),
        ("", False),
    ],
)
def test_command_in_lets_only_the_listed_plain_commands_through(text: str, matches: bool) -> None:
    assert commands.command_in(commands.encode(text), ["uptime", "df -h"]) is matches


def test_command_in_refuses_content_that_is_not_base64() -> None:
    assert commands.command_in("uptime", ["uptime"]) is False
