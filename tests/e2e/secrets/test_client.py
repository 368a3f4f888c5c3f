"""The shared client with canary credentials and canary parameters, on every failure path.

Nothing the client logs (at DEBUG, httpx and httpcore included) and nothing an exception
it raises says (str, repr, args, notes, chained causes) may contain the SecretKey, the
session token or a secret parameter value: not on success, not on an auth failure, not
when the upstream answers garbage or echoes the request back, not on retries, not when
the endpoint is unreachable.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

import httpx
import pytest

from lighthouse_mcp.client import Credentials, LighthouseClient, LighthouseError
from lighthouse_mcp.sandbox import Fault, Sandbox
from tests.e2e.secrets.canaries import (
    BAD_PASSWORD,
    ENV_VALUE,
    PASSWORD,
    SECRET_ID,
    SECRET_KEY,
    SESSION_TOKEN,
    assert_clean,
    log_text,
)

pytestmark = pytest.mark.anyio
CREDS = Credentials(SECRET_ID, SECRET_KEY, SESSION_TOKEN)
RESET = {"InstanceIds": ["lhins-demo0001"], "Password": PASSWORD}


async def _no_sleep(_: float) -> None:
    return None


def client(transport: httpx.AsyncBaseTransport, **options: Any) -> LighthouseClient:
    base: dict[str, Any] = {
        "credentials": CREDS,
        "region": "ap-guangzhou",
        "endpoint": "http://upstream.test",
        "transport": transport,
        "sleep": _no_sleep,
        "rate_limits": False,
    }
    base.update(options)
    return LighthouseClient(**base)


def assert_exception_clean(exc: BaseException) -> None:
    rendered = "".join(traceback.format_exception(exc))
    assert_clean(
        "an exception (str/repr/traceback)",
        str(exc),
        repr(exc),
        repr(exc.args),
        rendered,
        repr(vars(exc)),
    )


async def _failing_call(c: LighthouseClient, action: str, params: dict[str, Any]) -> None:
    with pytest.raises(LighthouseError) as info:
        await c.call(action, params)
    assert_exception_clean(info.value)


def sandbox() -> Sandbox:
    return Sandbox({SECRET_ID: SECRET_KEY}, tokens={SECRET_ID: SESSION_TOKEN}, delay=0)


async def test_success_and_api_errors(all_logs: pytest.LogCaptureFixture) -> None:
    sb = sandbox()
    async with client(sb.transport()) as c:
        await c.call("ResetInstancesPassword", RESET)
        await _failing_call(c, "ResetInstancesPassword", {**RESET, "Password": BAD_PASSWORD})
        # a wrong type reaches the sandbox's own parameter check (no local validation here)
        await _failing_call(c, "ResetInstancesPassword", {**RESET, "Password": [PASSWORD]})
        await _failing_call(
            c,
            "ModifyDockerContainer",
            {
                "InstanceId": "lhins-demo0001",
                "ContainerId": "lhdc-00000000",
                "Envs": [{"Key": "K", "Value": 7, "Extra": ENV_VALUE}],
            },
        )
        await _failing_call(
            c,
            "RunDockerContainers",
            {
                "InstanceId": "lhins-demo0001",
                "Containers": [
                    {"ContainerImage": "x", "Envs": [{"Key": "K", "Value": [ENV_VALUE]}]}
                ],
            },
        )
        assert_clean("the client's repr", repr(c), c.credentials_source)
    assert any(r.params and r.params.get("Password") == PASSWORD for r in sb.requests)
    assert_clean("the log", log_text(all_logs.records))


async def test_auth_failures(all_logs: pytest.LogCaptureFixture) -> None:
    wrong_key = Sandbox({SECRET_ID: "another-key"}, tokens={SECRET_ID: SESSION_TOKEN}, delay=0)
    wrong_token = Sandbox({SECRET_ID: SECRET_KEY}, tokens={SECRET_ID: "other"}, delay=0)
    for sb in (wrong_key, wrong_token):
        async with client(sb.transport()) as c:
            await _failing_call(c, "ResetInstancesPassword", RESET)
    assert_clean("the log", log_text(all_logs.records))


async def test_faults_and_retries(all_logs: pytest.LogCaptureFixture) -> None:
    sb = sandbox()
    async with client(sb.transport(), max_attempts=3) as c:
        for kind in ("http_error", "malformed", "drop", "internal_error", "throttle"):
            sb.faults.clear()
            sb.faults.rules.append(Fault(kind))
            await _failing_call(c, "DescribeInstances", {"InstanceIds": ["lhins-demo0001"]})
            await _failing_call(c, "ResetInstancesPassword", RESET)
    assert any("retrying" in r.getMessage() for r in all_logs.records)
    assert_clean("the log", log_text(all_logs.records))


def _echo(request: httpx.Request) -> str:
    """Everything a careless upstream could repeat: the body and every header."""
    headers = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
    return f"{request.content.decode()} | {headers} | {SECRET_KEY}"


async def test_upstream_that_echoes_the_request(all_logs: pytest.LogCaptureFixture) -> None:
    """A gateway or a verbose API error repeating the request (and, worst case, the key)
    must not carry the password, the token or the key into the exception or the log."""

    def api_error(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "Response": {
                    "Error": {"Code": "InvalidParameterValue", "Message": _echo(request)},
                    "RequestId": "r-1",
                }
            },
        )

    def not_api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text=_echo(request))

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(_echo(request), request=request)

    env_params = {
        "InstanceId": "lhins-demo0001",
        "ContainerId": "lhdc-00000000",
        "Envs": [{"Key": "K", "Value": ENV_VALUE}],
    }
    for handler in (api_error, not_api, broken):
        async with client(httpx.MockTransport(handler), max_attempts=2) as c:
            await _failing_call(c, "ResetInstancesPassword", RESET)
            await _failing_call(c, "ModifyDockerContainer", env_params)
    assert_clean("the log", log_text(all_logs.records))


async def test_unreachable_endpoint(all_logs: pytest.LogCaptureFixture) -> None:
    async with LighthouseClient(
        credentials=CREDS,
        region="ap-guangzhou",
        endpoint="http://127.0.0.1:9",
        max_attempts=2,
        sleep=_no_sleep,
    ) as c:
        await _failing_call(c, "ResetInstancesPassword", RESET)
        await _failing_call(c, "DescribeInstances", {})
    assert_clean("the log", log_text(all_logs.records))


def test_credentials_never_render() -> None:
    assert_clean(
        "Credentials str/repr",
        str(CREDS),
        repr(CREDS),
        f"{CREDS}",
        json.dumps({"c": CREDS}, default=repr),
    )
