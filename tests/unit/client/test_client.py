"""LighthouseClient against httpx.MockTransport: headers, errors, retries, secrets."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lighthouse_mcp.client import (
    AuthError,
    BadResponseError,
    ConfigurationError,
    Credentials,
    InvalidInputError,
    LighthouseClient,
    NetworkError,
    NotFoundError,
    RequestTimeoutError,
    ServerError,
    ThrottledError,
)
from lighthouse_mcp.client.retry import RetryPolicy

SECRET = "sk-TOP-SECRET-0123456789abcdef"
TOKEN = "tk-TOP-SECRET-token-987654321"
CREDS = Credentials("AKIDexample00000000000000", SECRET)

Handler = Callable[[httpx.Request], httpx.Response]


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"Response": {"RequestId": "req-1", "TotalCount": 0}})


def api_error(code: str, message: str = "msg") -> httpx.Response:
    return httpx.Response(
        200,
        json={"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-err"}},
    )


class Recorder:
    """Answers with scripted responses (the last one repeats) and records requests."""

    def __init__(self, *answers: Handler | httpx.Response | Exception) -> None:
        self.answers = list(answers) or [ok]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def make(recorder: Recorder, **kwargs: Any) -> tuple[LighthouseClient, list[float]]:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    kwargs.setdefault("credentials", CREDS)
    kwargs.setdefault("region", "ap-guangzhou")
    client = LighthouseClient(
        transport=httpx.MockTransport(recorder),
        env={},
        sleep=fake_sleep,
        rng=random.Random(1),
        rate_limits=False,
        **kwargs,
    )
    return client, slept


@pytest.mark.anyio
async def test_headers_body_and_response() -> None:
    rec = Recorder()
    client, _ = make(rec, language="en-US", clock=lambda: 1700000000.0)
    async with client:
        result = await client.call("DescribeInstances", {"Limit": 1, "InstanceName": "未命名"})
    assert result == {"RequestId": "req-1", "TotalCount": 0}
    (req,) = rec.requests
    assert req.method == "POST" and str(req.url) == "https://lighthouse.tencentcloudapi.com/"
    h = req.headers
    assert h["X-TC-Action"] == "DescribeInstances"
    assert h["X-TC-Version"] == "2020-03-24"
    assert h["X-TC-Region"] == "ap-guangzhou"
    assert h["X-TC-Timestamp"] == "1700000000"
    assert h["X-TC-Language"] == "en-US"
    assert h["Content-Type"] == "application/json"
    assert "X-TC-Token" not in h
    assert h["User-Agent"].startswith("tencent-lighthouse-mcp/")
    assert h["Authorization"].startswith(
        "TC3-HMAC-SHA256 Credential=AKIDexample00000000000000/2023-11-14/lighthouse/tc3_request"
    )
    assert json.loads(req.content) == {"Limit": 1, "InstanceName": "未命名"}
    assert "未命名".encode() in req.content  # sent as UTF-8, not \u escapes


@pytest.mark.anyio
async def test_token_region_override_and_client_info() -> None:
    rec = Recorder()
    client, _ = make(rec, credentials=Credentials("AKIDtmp", SECRET, TOKEN), region=None)
    client.set_client_info("Claude Desktop (mac)", "1.2.3")
    async with client:
        await client.call("DescribeRegions", {})
        await client.call("DescribeInstances", {}, region="ap-shanghai-fsi")
    first, second = rec.requests
    assert first.headers["X-TC-Token"] == TOKEN
    assert "X-TC-Region" not in first.headers
    assert first.headers["User-Agent"].endswith(" mcp-client/Claude-Desktop-mac/1.2.3")
    assert second.url.host == "lighthouse.ap-shanghai-fsi.tencentcloudapi.com"
    assert second.headers["X-TC-Region"] == "ap-shanghai-fsi"


@pytest.mark.anyio
async def test_endpoint_from_env_and_default_region_from_env() -> None:
    rec = Recorder()
    client = LighthouseClient(
        credentials=CREDS,
        transport=httpx.MockTransport(rec),
        rate_limits=False,
        env={
            "LIGHTHOUSE_MCP_ENDPOINT": "http://127.0.0.1:8900",
            "TENCENTCLOUD_REGION": "ap-beijing",
        },
    )
    async with client:
        await client.call("DescribeInstances")
    assert str(rec.requests[0].url) == "http://127.0.0.1:8900/"
    assert rec.requests[0].headers["X-TC-Region"] == "ap-beijing"
    assert "/lighthouse/tc3_request" in rec.requests[0].headers["Authorization"]
    assert client.default_region == "ap-beijing"
    assert "explicit configuration" in client.credentials_source


def test_bad_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="language"):
        LighthouseClient(credentials=CREDS, language="fr-FR", env={})
    with pytest.raises(ConfigurationError, match="endpoint"):
        LighthouseClient(credentials=CREDS, endpoint="ftp://x", env={})


@pytest.mark.anyio
async def test_api_error_is_grouped_and_complete() -> None:
    client, slept = make(Recorder(api_error("ResourceNotFound.InstanceIdNotFound", "lhins-x")))
    async with client:
        with pytest.raises(NotFoundError) as info:
            await client.call("StopInstances", {"InstanceIds": ["lhins-x"]})
    err = info.value
    assert (err.code, err.request_id, err.action, err.region) == (
        "ResourceNotFound.InstanceIdNotFound",
        "req-err",
        "StopInstances",
        "ap-guangzhou",
    )
    assert err.attempts == 1 and slept == []


@pytest.mark.anyio
async def test_invalid_action_and_unserialisable_params_are_refused_before_sending() -> None:
    rec = Recorder()
    client, _ = make(rec)
    async with client:
        with pytest.raises(InvalidInputError, match="not an action name"):
            await client.call("describe instances\r\nX-Evil: 1", {})
        with pytest.raises(InvalidInputError, match="JSON"):
            await client.call("DescribeInstances", {"Limit": object()})
        with pytest.raises(InvalidInputError, match="not a region id"):
            await client.call("DescribeInstances", {}, region="ap-guangzhou\r\nX-Evil: 1")
    assert rec.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [
        api_error("InternalError"),
        api_error("RequestLimitExceeded"),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.ReadTimeout("read timeout"),
        httpx.RemoteProtocolError("peer closed"),
        httpx.ConnectError("refused"),
    ],
    ids=["InternalError", "RequestLimitExceeded", "502", "ReadTimeout", "reset", "connect"],
)
async def test_reads_retry_transient_failures(failure: httpx.Response | Exception) -> None:
    rec = Recorder(failure, failure, ok)
    client, slept = make(rec)
    async with client:
        assert (await client.call("DescribeInstances", {}))["RequestId"] == "req-1"
    assert len(rec.requests) == 3 and len(slept) == 2
    throttled = isinstance(failure, httpx.Response) and b"RequestLimitExceeded" in failure.content
    assert all(0 <= s <= (2.0 if throttled else 0.5) for s in slept)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (api_error("InternalError"), ServerError),
        (api_error("RequestLimitExceeded"), ThrottledError),
        (httpx.Response(503, text="busy"), BadResponseError),
        (httpx.ReadTimeout("read timeout"), RequestTimeoutError),
        (httpx.RemoteProtocolError("peer closed"), NetworkError),
    ],
    ids=["InternalError", "RequestLimitExceeded", "503", "ReadTimeout", "reset"],
)
async def test_writes_are_never_resent_once_they_may_have_arrived(
    failure: httpx.Response | Exception, error: type[Exception]
) -> None:
    rec = Recorder(failure, ok)
    client, slept = make(rec)
    async with client:
        with pytest.raises(error) as info:
            await client.call("StopInstances", {"InstanceIds": ["lhins-1"]})
    assert len(rec.requests) == 1 and slept == []
    if isinstance(failure, Exception):
        assert "may or may not have been executed" in str(info.value)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("t"), httpx.PoolTimeout("p")]
)
async def test_writes_retry_only_failures_before_sending(failure: Exception) -> None:
    rec = Recorder(failure, ok)
    client, _ = make(rec)
    async with client:
        await client.call("StopInstances", {"InstanceIds": ["lhins-1"]})
    assert len(rec.requests) == 2


@pytest.mark.anyio
async def test_create_instances_gets_one_client_token_reused_by_retries() -> None:
    rec = Recorder(httpx.ReadTimeout("t"), api_error("InternalError"), ok)
    client, _ = make(rec)
    async with client:
        await client.call("CreateInstances", {"BundleId": "b", "BlueprintId": "bp"})
        await client.call("CreateInstances", {"BundleId": "b", "ClientToken": "mine"})
    bodies = rec.bodies()
    tokens = [b["ClientToken"] for b in bodies[:3]]
    assert len(set(tokens)) == 1 and len(tokens[0]) == 36  # uuid4, reused by both retries
    assert bodies[3]["ClientToken"] == "mine"
    assert len(rec.requests) == 4  # the token made the retries of a write safe


@pytest.mark.anyio
async def test_attempts_are_bounded() -> None:
    rec = Recorder(api_error("InternalError"))
    client, slept = make(rec, max_attempts=3)
    async with client:
        with pytest.raises(ServerError) as info:
            await client.call("DescribeInstances", {})
    assert len(rec.requests) == 3 and len(slept) == 2 and info.value.attempts == 3


@pytest.mark.anyio
async def test_total_time_is_bounded() -> None:
    now = [0.0]
    rec = Recorder(api_error("InternalError"))

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    client = LighthouseClient(
        credentials=CREDS,
        transport=httpx.MockTransport(rec),
        env={},
        rate_limits=False,
        retry=RetryPolicy(max_attempts=100, base_delay=1.0, max_delay=1.0, max_total=3.0),
        monotonic=lambda: now[0],
        sleep=sleep,
        rng=random.Random(3),
    )
    async with client:
        with pytest.raises(ServerError):
            await client.call("DescribeInstances", {})
    assert now[0] <= 3.0
    assert 3 <= len(rec.requests) < 100


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "match"),
    [
        (httpx.Response(200, text="not json"), "HTTP 200 .* is not a Tencent Cloud API answer"),
        (
            httpx.Response(404, text="<h1>Not Found</h1>", headers={"content-type": "text/html"}),
            "text/html",
        ),
        (httpx.Response(200, json={"Result": 1}), "not a Tencent Cloud API answer"),
        (httpx.Response(500, json={"Response": {"RequestId": "r"}}), "no Error"),
    ],
)
async def test_bad_responses_are_distinct(answer: httpx.Response, match: str) -> None:
    client, _ = make(Recorder(answer))
    async with client:
        with pytest.raises(BadResponseError, match=match):
            await client.call("StopInstances", {})


@pytest.mark.anyio
async def test_secrets_never_reach_error_text() -> None:
    echo = api_error("AuthFailure.SignatureFailure", f"bad key {SECRET} token {TOKEN}")
    client, _ = make(Recorder(echo), credentials=Credentials("AKIDx", SECRET, TOKEN))
    async with client:
        with pytest.raises(AuthError) as info:
            await client.call("DescribeInstances", {})
    text = str(info.value) + repr(info.value) + info.value.message
    assert SECRET not in text and TOKEN not in text and "***" in text

    junk = httpx.Response(502, text=f"proxy saw {SECRET}")
    client, _ = make(Recorder(junk), credentials=Credentials("AKIDx", SECRET))
    async with client:
        with pytest.raises(BadResponseError) as bad:
            await client.call("StopInstances", {})
    assert SECRET not in str(bad.value)
    assert SECRET not in repr(client.__dict__)


@pytest.mark.anyio
async def test_credentials_error_is_raised_before_sending(tmp_path: Any) -> None:
    from lighthouse_mcp.client import CredentialChain, CredentialsError

    rec = Recorder()
    client, _ = make(rec, credentials=CredentialChain(env={}, home=tmp_path))
    async with client:
        with pytest.raises(CredentialsError, match="TENCENTCLOUD_SECRET_ID"):
            await client.call("DescribeInstances", {})
    assert rec.requests == []


@pytest.mark.anyio
async def test_throttled_reads_back_off_on_the_one_second_window() -> None:
    rec = Recorder(api_error("RequestLimitExceeded"), api_error("RequestLimitExceeded"), ok)
    client, slept = make(rec)
    async with client:
        await client.call("DescribeInstances", {})
    assert len(slept) == 2
    assert max(slept) > 0.5  # jitter over [0, 1 s] and [0, 2 s], not the 0.25 s base


@pytest.mark.anyio
async def test_retries_are_logged_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    echo = api_error("InternalError", f"backend saw {SECRET}")
    client, _ = make(Recorder(echo, ok), credentials=Credentials("AKIDx", SECRET, TOKEN))
    with caplog.at_level("WARNING", logger="lighthouse_mcp.client"):
        async with client:
            await client.call("DescribeInstances", {})
    (record,) = caplog.records
    text = record.getMessage()
    assert "DescribeInstances attempt 1/4 failed" in text and "InternalError" in text
    assert SECRET not in text and TOKEN not in text
