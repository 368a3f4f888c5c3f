"""The issue's acceptance walk, over real HTTP against `lighthouse-mcp sandbox`.

A request signer written here from the docs (not the project's client) creates an
instance, stops and starts it, adds a firewall rule, snapshots it, isolates and
terminates it, and meets the documented errors for a bad signature, an unknown
parameter, a missing parameter, a wrong type and a wrong state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import tc3_headers


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    env = {
        **os.environ,
        "TENCENTCLOUD_SECRET_ID": "AKIDacceptance",
        "TENCENTCLOUD_SECRET_KEY": "acceptance-key",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--port", "0", "--delay", "0.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    try:
        yield first.rsplit(" ", 1)[1].rstrip("/")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def call(url: str, action: str, params: dict[str, Any], **sign: Any) -> dict[str, Any]:
    body = json.dumps(params).encode()
    sign.setdefault("secret_id", "AKIDacceptance")
    sign.setdefault("secret_key", "acceptance-key")
    headers = tc3_headers(
        action, body, timestamp=int(time.time()), host=url.removeprefix("http://"), **sign
    )
    response = httpx.post(url + "/", content=body, headers=headers, timeout=10)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()["Response"]
    assert data["RequestId"]
    return data


def ok(url: str, action: str, params: dict[str, Any]) -> dict[str, Any]:
    data = call(url, action, params)
    assert "Error" not in data, (action, data.get("Error"))
    return data


def code(url: str, action: str, params: dict[str, Any], **sign: Any) -> str:
    data = call(url, action, params, **sign)
    assert "Error" in data, (action, data)
    return str(data["Error"]["Code"])


def wait_state(url: str, instance_id: str, state: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = ok(url, "DescribeInstances", {"InstanceIds": [instance_id]})["InstanceSet"]
        if (
            found
            and found[0]["InstanceState"] == state
            and found[0].get("LatestOperationState") != "OPERATING"
        ):
            return dict(found[0])
        assert time.monotonic() < deadline, f"{instance_id} never reached {state}: {found}"
        time.sleep(0.05)


def test_instance_lifecycle_walk(url: str) -> None:
    created = ok(
        url,
        "CreateInstances",
        {
            "BundleId": "bundle2022_gen_02",
            "BlueprintId": "lhbp-5e8807lo",
            "InstanceChargePrepaid": {"Period": 1},
            "InstanceName": "acceptance",
        },
    )
    (iid,) = created["InstanceIdSet"]
    pending = ok(url, "DescribeInstances", {"InstanceIds": [iid]})["InstanceSet"][0]
    assert pending["InstanceState"] == "PENDING"
    wait_state(url, iid, "RUNNING")

    ok(url, "StopInstances", {"InstanceIds": [iid]})
    assert code(url, "StartInstances", {"InstanceIds": [iid]}) in (
        "UnsupportedOperation.InvalidInstanceState",
        "OperationDenied.InstanceOperationInProgress",
        "UnsupportedOperation.LatestOperationUnfinished",
    )  # still STOPPING: wrong state
    wait_state(url, iid, "STOPPED")
    ok(url, "StartInstances", {"InstanceIds": [iid]})
    wait_state(url, iid, "RUNNING")

    before = ok(url, "DescribeFirewallRules", {"InstanceId": iid})
    ok(
        url,
        "CreateFirewallRules",
        {
            "InstanceId": iid,
            "FirewallRules": [{"Protocol": "TCP", "Port": "8080", "CidrBlock": "10.0.0.0/8"}],
        },
    )
    after = ok(url, "DescribeFirewallRules", {"InstanceId": iid})
    assert after["TotalCount"] == before["TotalCount"] + 1
    assert any(r["Port"] == "8080" for r in after["FirewallRuleSet"])

    snap = ok(url, "CreateInstanceSnapshot", {"InstanceId": iid, "SnapshotName": "walk"})
    assert snap["SnapshotId"].startswith("lhsnap-")

    assert code(url, "TerminateInstances", {"InstanceIds": [iid]}).startswith(
        ("UnsupportedOperation", "OperationDenied")
    )  # only SHUTDOWN instances terminate
    deadline = time.monotonic() + 10
    while "Error" in (data := call(url, "IsolateInstances", {"InstanceIds": [iid]})):
        assert time.monotonic() < deadline, data  # the snapshot may still be in progress
        time.sleep(0.05)
    wait_state(url, iid, "SHUTDOWN")
    ok(url, "TerminateInstances", {"InstanceIds": [iid]})
    deadline = time.monotonic() + 10
    while ok(url, "DescribeInstances", {"InstanceIds": [iid]})["InstanceSet"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_documented_errors(url: str) -> None:
    assert code(url, "DescribeInstances", {}, secret_key="wrong") == (
        "AuthFailure.SignatureFailure"
    )
    assert code(url, "DescribeInstances", {"Nope": 1}) == "UnknownParameter"
    assert code(url, "StopInstances", {}) == "MissingParameter"
    assert code(url, "DescribeInstances", {"Limit": "20"}) == "InvalidParameter"
    assert code(url, "StartInstances", {"InstanceIds": ["lhins-demo0001"]}) == (
        "UnsupportedOperation.InvalidInstanceState"
    )  # the seeded instance is RUNNING
