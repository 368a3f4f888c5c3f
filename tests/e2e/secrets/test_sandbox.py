"""The sandbox's own answers, request log and command-line banner, seen without this
project's client in between (its scrubbing would hide a sandbox that echoes secrets).

Requests are signed by hand (client.signing.TC3Auth over plain httpx), as an official SDK
or curl would send them; the raw answer bytes, /admin/requests, the sandbox's log at DEBUG
and the banner of `lighthouse-mcp sandbox` must not contain a canary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from lighthouse_mcp.client import Credentials
from lighthouse_mcp.client.signing import TC3Auth
from lighthouse_mcp.sandbox import Sandbox
from tests.e2e.secrets import canaries as cn

pytestmark = pytest.mark.anyio
INSTANCE = "lhins-demo0001"


async def _send(http: httpx.AsyncClient, action: str, params: dict[str, Any]) -> str:
    response = await http.post(
        "/",
        json=params,
        headers={
            "X-TC-Action": action,
            "X-TC-Version": "2020-03-24",
            "X-TC-Region": "ap-guangzhou",
        },
    )
    return response.text


#: Requests whose answer is built from a secret parameter: wrong types, a password the
#: complexity rules refuse, env values of the wrong type, and plain successes.
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("ResetInstancesPassword", {"InstanceIds": [INSTANCE], "Password": cn.PASSWORD}),
    ("ResetInstancesPassword", {"InstanceIds": [INSTANCE], "Password": cn.BAD_PASSWORD}),
    ("ResetInstancesPassword", {"InstanceIds": [INSTANCE], "Password": [cn.PASSWORD]}),
    ("ResetInstancesPassword", {"InstanceIds": [INSTANCE], "Password": {"p": cn.PASSWORD}}),
    (
        "ResetInstance",
        {
            "InstanceId": INSTANCE,
            "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": [cn.PASSWORD]},
        },
    ),
    (
        "ResetInstance",
        {
            "InstanceId": INSTANCE,
            "LoginConfiguration": {"AutoGeneratePassword": "YES", "Password": cn.PASSWORD},
        },
    ),
    (
        "ModifyDockerContainer",
        {
            "InstanceId": INSTANCE,
            "ContainerId": "lhdc-00000000",
            "Envs": [{"Key": "K", "Value": [cn.ENV_VALUE]}],
        },
    ),
    (
        "RunDockerContainers",
        {
            "InstanceId": INSTANCE,
            "Containers": [
                {"ContainerImage": "nginx", "Envs": [{"Key": "K", "Value": {"v": cn.ENV_VALUE}}]}
            ],
        },
    ),
]


async def test_answers_and_request_log_never_echo_secrets(
    all_logs: pytest.LogCaptureFixture,
) -> None:
    sb = Sandbox({cn.SECRET_ID: cn.SECRET_KEY}, tokens={cn.SECRET_ID: cn.SESSION_TOKEN}, delay=0)
    auth = TC3Auth(Credentials(cn.SECRET_ID, cn.SECRET_KEY, cn.SESSION_TOKEN))
    async with httpx.AsyncClient(
        transport=sb.transport(), base_url="http://127.0.0.1", auth=auth
    ) as http:
        answers = [await _send(http, action, params) for action, params in REQUESTS]
        requests = (await http.get("/admin/requests", auth=None)).text
    for (action, _), answer in zip(REQUESTS, answers, strict=True):
        cn.assert_clean(f"the sandbox's answer to {action}", answer)
    errors = [json.loads(a)["Response"].get("Error", {}).get("Code") for a in answers]
    assert errors[0] is None and errors[1] == "InvalidParameterValue.InvalidPassword"
    assert all(code is not None for code in errors[2:]), errors
    cn.assert_clean("/admin/requests", requests)
    assert '"Password": "<redacted>"' in requests.replace('":"', '": "')
    cn.assert_clean(
        "the sandbox's repr and its records' reprs",
        repr(sb),
        [repr(r) for r in sb.requests],
        repr(sb.keys),
    )
    cn.assert_clean("the log", cn.log_text(all_logs.records))
    # the canary did arrive: the checks above could have failed
    assert any(r.params and r.params.get("Password") == cn.PASSWORD for r in sb.requests)


def test_banner_never_prints_a_key_from_the_environment() -> None:
    env = {
        **os.environ,
        "TENCENTCLOUD_SECRET_ID": cn.SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": cn.SECRET_KEY,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--port", "0", "--verbose"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            banner.append(line)
            if line.startswith("Press Ctrl+C") or not line:
                break
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    text = "".join(banner) + out
    assert cn.SECRET_ID in text and "SecretKey: (as given by environment; not shown)" in text
    cn.assert_clean("the sandbox banner (stdout)", text)
    cn.assert_clean("the sandbox's stderr", err)
