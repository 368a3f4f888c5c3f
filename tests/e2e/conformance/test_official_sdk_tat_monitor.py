"""TAT and Cloud Monitor through Tencent's official SDK (``CommonClient``: its own TC3
signer for the ``tat`` and ``monitor`` scopes, its own ``requests`` transport) against a
real ``lighthouse-mcp sandbox`` process: the one endpoint answers all three services,
routed by the service each request is signed for."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from .test_official_sdk_vs_sandbox import (
    REGION,
    SETTLE_SECONDS,
    SandboxProcess,
    sandbox,  # noqa: F401  (the module-scoped sandbox process fixture)
)

RUNNING, STOPPED = "lhins-demo0001", "lhins-demo0002"


def common(process: SandboxProcess, service: str, version: str) -> CommonClient:
    profile = ClientProfile(
        httpProfile=HttpProfile(
            protocol="http", endpoint=f"{process.host}:{process.port}", reqTimeout=10
        )
    )
    credential = Credential(process.secret_id, process.secret_key)
    return CommonClient(service, version, credential, REGION, profile)


def call(client: CommonClient, action: str, params: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = client.call_json(action, params)
    return dict(answer["Response"])


def test_tat_agent_run_command_and_tasks(sandbox: SandboxProcess) -> None:  # noqa: F811
    tat = common(sandbox, "tat", "2020-10-28")
    agents = call(tat, "DescribeAutomationAgentStatus", {"InstanceIds": [RUNNING, STOPPED]})
    status = {a["InstanceId"]: a["AgentStatus"] for a in agents["AutomationAgentSet"]}
    assert status == {RUNNING: "Online", STOPPED: "Offline"}
    content = base64.b64encode(b"uname -a\nnot-a-command").decode()
    started = call(tat, "RunCommand", {"InstanceIds": [RUNNING], "Content": content})
    assert started["InvocationId"].startswith("inv-") and started["CommandId"].startswith("cmd-")
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        tasks = call(
            tat,
            "DescribeInvocationTasks",
            {"Filters": [{"Name": "invocation-id", "Values": [started["InvocationId"]]}]},
        )["InvocationTaskSet"]
        if tasks and tasks[0]["TaskStatus"] not in ("PENDING", "RUNNING"):
            break
        assert time.monotonic() < deadline, tasks
        time.sleep(0.1)
    (task,) = tasks
    output = base64.b64decode(task["TaskResult"]["Output"]).decode()
    assert task["TaskStatus"] == "FAILED" and task["TaskResult"]["ExitCode"] == 127
    assert output.startswith("Linux ") and "not-a-command: command not found" in output
    (invocation,) = call(tat, "DescribeInvocations", {"InvocationIds": [started["InvocationId"]]})[
        "InvocationSet"
    ]
    assert invocation["InvocationStatus"] == "FAILED"
    with pytest.raises(TencentCloudSDKException) as info:
        call(tat, "RunCommand", {"InstanceIds": [STOPPED], "Content": content})
    assert info.value.code == "ResourceUnavailable.InstanceStateNotRunning"
    # TAT's own DescribeRegions, not Lighthouse's: same endpoint, other service
    assert call(tat, "DescribeRegions", {})["RegionSet"]


def test_monitor_metrics_and_descriptions(sandbox: SandboxProcess) -> None:  # noqa: F811
    monitor = common(sandbox, "monitor", "2018-07-24")
    described = call(monitor, "DescribeBaseMetrics", {"Namespace": "QCE/LIGHTHOUSE"})
    names = {m["MetricName"] for m in described["MetricSet"]}
    assert {"CpuUsage", "MemUsage", "LighthouseOuttraffic"} <= names
    data = call(
        monitor,
        "GetMonitorData",
        {
            "Namespace": "QCE/LIGHTHOUSE",
            "MetricName": "CpuUsage",
            "Period": 60,
            "Instances": [
                {"Dimensions": [{"Name": "InstanceId", "Value": iid}]} for iid in (RUNNING, STOPPED)
            ],
        },
    )
    running, stopped = data["DataPoints"]
    assert len(running["Values"]) >= 50 and all(0 <= v <= 100 for v in running["Values"])
    assert stopped["Values"] == [] and stopped["Timestamps"] == []
    with pytest.raises(TencentCloudSDKException) as info:
        call(
            monitor,
            "GetMonitorData",
            {"Namespace": "QCE/LIGHTHOUSE", "MetricName": "Nope", "Instances": []},
        )
    assert info.value.code.startswith("InvalidParameter")
