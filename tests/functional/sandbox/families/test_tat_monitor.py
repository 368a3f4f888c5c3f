"""TAT and Cloud Monitor in the sandbox, signed independently for their own services
(tests/support/sandbox_api.py) on a fake clock: the agent follows the instance's state,
tasks go through the documented states with their timing, command output is what the
diagnostics print, and metric series follow the instance's state and bundle."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.support.sandbox_api import Api, Clock

pytestmark = pytest.mark.anyio

RUNNING, STOPPED = "lhins-demo0001", "lhins-demo0002"
TAT = {"service": "tat", "version": "2020-10-28"}
MONITOR = {"service": "monitor", "version": "2018-07-24"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def run(api: Api, command: str, **extra: Any) -> str:
    started = await api.ok(
        "RunCommand", {"InstanceIds": [RUNNING], "Content": b64(command), **extra}, **TAT
    )
    return str(started["InvocationId"])


async def task_of(api: Api, invocation: str) -> dict[str, Any]:
    found = await api.ok(
        "DescribeInvocationTasks",
        {"Filters": [{"Name": "invocation-id", "Values": [invocation]}]},
        **TAT,
    )
    (task,) = found["InvocationTaskSet"]
    return dict(task)


def output(task: dict[str, Any]) -> str:
    return base64.b64decode(task["TaskResult"]["Output"]).decode()


async def test_tasks_go_pending_running_then_success_with_the_output(
    api: Api, clock: Clock
) -> None:
    invocation = await run(api, "uptime\nfree -m\ncat /etc/os-release")
    assert (await task_of(api, invocation))["TaskStatus"] == "PENDING"
    clock.advance(5)
    assert (await task_of(api, invocation))["TaskStatus"] == "RUNNING"
    (inv,) = (await api.ok("DescribeInvocations", {"InvocationIds": [invocation]}, **TAT))[
        "InvocationSet"
    ]
    assert inv["InvocationStatus"] == "RUNNING" and inv["InstanceKind"] == "LIGHTHOUSE"
    clock.advance(5)
    task = await task_of(api, invocation)
    assert task["TaskStatus"] == "SUCCESS" and task["TaskResult"]["ExitCode"] == 0
    text = output(task)
    assert "load average" in text and text.count("\n") >= 8
    assert "Mem:" in text and "ID=centos" in text
    assert task["StartTime"] <= task["EndTime"] and task["CommandDocument"]["Username"] == "root"


async def test_sleep_past_the_timeout_is_timeout(api: Api, clock: Clock) -> None:
    invocation = await run(api, "sleep 30", Timeout=10)
    clock.advance(5 + 10 + 5)
    task = await task_of(api, invocation)
    assert task["TaskStatus"] == "TIMEOUT"
    (inv,) = (await api.ok("DescribeInvocations", {"InvocationIds": [invocation]}, **TAT))[
        "InvocationSet"
    ]
    assert inv["InvocationStatus"] == "TIMEOUT"


async def test_restart_changes_what_status_says(api: Api, clock: Clock) -> None:
    clock.advance(3600)
    await run(api, "systemctl restart nginx")
    clock.advance(60)
    invocation = await run(api, "systemctl status nginx")
    clock.advance(10)
    assert "; 1 min ago" in output(await task_of(api, invocation))


async def test_unknown_command_127_and_unknown_unit(api: Api, clock: Clock) -> None:
    invocation = await run(api, "systemctl status nosuch; nosuchcommand")
    clock.advance(10)
    task = await task_of(api, invocation)
    assert task["TaskStatus"] == "FAILED" and task["TaskResult"]["ExitCode"] == 127
    assert "Unit nosuch.service could not be found." in output(task)
    assert "bash: line 1: nosuchcommand: command not found" in output(task)


async def test_agent_follows_the_instance_and_refusals_name_the_cause(api: Api) -> None:
    agents = await api.ok("DescribeAutomationAgentStatus", {}, **TAT)
    by_id = {a["InstanceId"]: a for a in agents["AutomationAgentSet"]}
    assert by_id[RUNNING]["AgentStatus"] == "Online" and by_id[STOPPED]["AgentStatus"] == "Offline"
    assert by_id[RUNNING]["Environment"] == "Linux"
    online = await api.ok(
        "DescribeAutomationAgentStatus",
        {"Filters": [{"Name": "agent-status", "Values": ["Online"]}]},
        **TAT,
    )
    assert [a["InstanceId"] for a in online["AutomationAgentSet"]] == [RUNNING]
    refused = await api.error(
        "RunCommand", {"InstanceIds": [STOPPED], "Content": b64("uptime")}, **TAT
    )
    assert refused == "ResourceUnavailable.InstanceStateNotRunning"
    missing = await api.error(
        "RunCommand", {"InstanceIds": ["lhins-zzzzzzzz"], "Content": b64("uptime")}, **TAT
    )
    assert missing == "ResourceNotFound.InstanceNotFound"
    bad = await api.error("RunCommand", {"InstanceIds": [RUNNING], "Content": "%%%"}, **TAT)
    assert bad == "InvalidParameterValue.InvalidContent"
    wrong_shell = await api.error(
        "RunCommand",
        {"InstanceIds": [RUNNING], "Content": b64("Get-Date"), "CommandType": "POWERSHELL"},
        **TAT,
    )
    assert wrong_shell.startswith("InvalidParameterValue")


async def test_cancel_before_start(api: Api, clock: Clock) -> None:
    invocation = await run(api, "uptime")
    await api.ok("CancelInvocation", {"InvocationId": invocation}, **TAT)
    clock.advance(60)
    assert (await task_of(api, invocation))["TaskStatus"] == "CANCELLED"


async def test_metrics_deterministic_and_empty_while_stopped(api: Api, clock: Clock) -> None:
    params = {
        "Namespace": "QCE/LIGHTHOUSE",
        "MetricName": "MemUsage",
        "Period": 300,
        "Instances": [
            {"Dimensions": [{"Name": "InstanceId", "Value": i}]} for i in (RUNNING, STOPPED)
        ],
        "SpecifyStatistics": 7,
    }
    first = await api.ok("GetMonitorData", params, **MONITOR)
    again = await api.ok("GetMonitorData", params, **MONITOR)
    assert first["DataPoints"] == again["DataPoints"]
    running, stopped = first["DataPoints"]
    assert 12 <= len(running["Values"]) <= 13 and all(10 < v < 96 for v in running["Values"])
    assert all(
        lo <= avg <= hi
        for lo, avg, hi in zip(
            running["MinValues"], running["AvgValues"], running["MaxValues"], strict=True
        )
    )
    assert stopped["Values"] == []
    # stop it: from then on, nothing
    await api.ok("StopInstances", {"InstanceIds": [RUNNING]})
    clock.advance(60)
    after = await api.ok("GetMonitorData", params, **MONITOR)
    assert after["DataPoints"][0]["Values"] == []
    wrong = await api.error("GetMonitorData", {**params, "Namespace": "QCE/CVM"}, **MONITOR)
    assert wrong == "InvalidParameterValue"
    period = await api.error("GetMonitorData", {**params, "Period": 7}, **MONITOR)
    assert period == "InvalidParameterValue"


async def test_bandwidth_stays_under_the_bundle_cap(api: Api) -> None:
    described = await api.ok("DescribeInstances", {"InstanceIds": [RUNNING]})
    cap = described["InstanceSet"][0]["InternetAccessible"]["InternetMaxBandwidthOut"]
    data = await api.ok(
        "GetMonitorData",
        {
            "Namespace": "QCE/LIGHTHOUSE",
            "MetricName": "LighthouseOuttraffic",
            "Period": 60,
            "Instances": [{"Dimensions": [{"Name": "InstanceId", "Value": RUNNING}]}],
        },
        **MONITOR,
    )
    values = data["DataPoints"][0]["Values"]
    assert values and max(values) <= cap and min(values) > 0


async def test_the_same_action_name_is_routed_by_service(api: Api) -> None:
    lighthouse = await api.ok("DescribeRegions", {})
    tat = await api.ok("DescribeRegions", {}, **TAT)
    assert "RegionSet" in lighthouse and "RegionSet" in tat
    assert lighthouse != tat
    version = await api.error("DescribeRegions", {}, service="tat", version="2020-03-24")
    assert version == "NoSuchVersion"
    unknown = await api.error("DescribeInstances", {}, **TAT)
    assert unknown == "InvalidAction"
    other = await api.error("DescribeRegions", {}, service="cvm", version="2017-03-12")
    assert other == "AuthFailure.InvalidAuthorization"
