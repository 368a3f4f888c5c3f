"""Golden vectors for services besides Lighthouse: requests signed by Tencent's official
SDK (``CommonClient`` of tencentcloud-sdk-python-common) for ``tat`` and ``monitor``
verify under the project's verifier (the sandbox's ``signature_v3.verify``), and the
project's signer (``TC3Auth``) produces the SDK's exact Authorization for the same
request. A fixed clock makes the vectors literal."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from tencentcloud.common import abstract_client
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from lighthouse_mcp.client import Credentials, LighthouseClient
from lighthouse_mcp.client.signing import TC3Auth
from lighthouse_mcp.sandbox.engine.errors import AuthFailure
from lighthouse_mcp.sandbox.protocol import signature_v3

SECRET_ID, SECRET_KEY = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
NOW = 1796395800  # 2026-12-04T15:30:00Z
KEYS = {SECRET_ID: signature_v3.Key(SECRET_ID, SECRET_KEY)}

#: (service, version, action, parameters, the SDK's signature at NOW)
CASES: list[tuple[str, str, str, dict[str, Any], str]] = [
    (
        "tat",
        "2020-10-28",
        "RunCommand",
        {"InstanceIds": ["lhins-demo0001"], "Content": "dXB0aW1l", "CommandType": "SHELL"},
        "2249b77f1d375117baee617afe5cf3a650bd32b26515580c1c078f911be9610f",
    ),
    (
        "monitor",
        "2018-07-24",
        "GetMonitorData",
        {
            "Namespace": "QCE/LIGHTHOUSE",
            "MetricName": "CpuUsage",
            "Instances": [{"Dimensions": [{"Name": "InstanceId", "Value": "lhins-demo0001"}]}],
            "Period": 300,
        },
        "3946ad5612d44fd05e00c622b63071b1a602e3fa102ea74fd9fcd0c020c48ccd",
    ),
]


def sdk_signed(service: str, version: str, action: str, params: dict[str, Any]) -> RequestInternal:
    """The request the SDK would send (nothing is sent): TC3, POST JSON, its own host."""
    profile = ClientProfile(httpProfile=HttpProfile(reqMethod="POST"))
    client = CommonClient(
        service, version, Credential(SECRET_ID, SECRET_KEY), "ap-guangzhou", profile
    )
    req = RequestInternal(client._get_endpoint(), "POST", "/", header={})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(abstract_client.time, "time", lambda: float(NOW))
        client._build_req_inter(action, params, req)
    return req


def received(req: RequestInternal) -> signature_v3.ReceivedRequest:
    body = req.data.encode("utf-8") if isinstance(req.data, str) else req.data
    return signature_v3.ReceivedRequest(
        "POST", "/", "", {k.lower(): str(v) for k, v in req.header.items()}, body
    )


@pytest.mark.parametrize(("service", "version", "action", "params", "signature"), CASES)
def test_sdk_signed_requests_verify_under_the_project_verifier(
    service: str, version: str, action: str, params: dict[str, Any], signature: str
) -> None:
    req = sdk_signed(service, version, action, params)
    assert req.header["Authorization"].endswith(f"Signature={signature}")  # the golden value
    assert req.header["Host"] == f"{service}.tencentcloudapi.com"
    assert f"/{service}/tc3_request" in req.header["Authorization"]
    incoming = received(req)
    assert signature_v3.signed_service(incoming.headers) == service
    assert signature_v3.verify(incoming, KEYS, NOW).secret_id == SECRET_ID
    # the verifier can fail: the same bytes under the wrong service, or a changed body
    wrong = dict(incoming.headers)
    wrong["authorization"] = wrong["authorization"].replace(f"/{service}/", "/lighthouse/")
    with pytest.raises(AuthFailure, match="SignatureFailure"):
        signature_v3.verify(
            signature_v3.ReceivedRequest("POST", "/", "", wrong, incoming.body), KEYS, NOW
        )
    with pytest.raises(AuthFailure, match="SignatureFailure"):
        signature_v3.verify(
            signature_v3.ReceivedRequest("POST", "/", "", incoming.headers, incoming.body + b" "),
            KEYS,
            NOW,
        )


@pytest.mark.parametrize(("service", "version", "action", "params", "_sig"), CASES)
def test_project_signer_matches_the_sdk_byte_for_byte(
    service: str, version: str, action: str, params: dict[str, Any], _sig: str
) -> None:
    req = sdk_signed(service, version, action, params)
    body = req.data.encode("utf-8")
    ours = httpx.Request(
        "POST",
        f"https://{req.header['Host']}/",
        content=body,
        headers={"Content-Type": req.header["Content-Type"], "X-TC-Timestamp": str(NOW)},
    )
    auth = TC3Auth(
        Credentials(SECRET_ID, SECRET_KEY),
        service=service,
        clock=lambda: float(NOW),
        signed_headers=("content-type", "host"),  # what the SDK signs
    )
    signed = next(auth.auth_flow(ours))
    assert signed.headers["Authorization"] == req.header["Authorization"]


@pytest.mark.anyio
@pytest.mark.parametrize(("service", "version", "action", "params", "_sig"), CASES)
async def test_client_sends_each_service_to_its_host_with_its_version_and_scope(
    service: str, version: str, action: str, params: dict[str, Any], _sig: str
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"Response": {"RequestId": "r-1"}})

    async with LighthouseClient(
        credentials=Credentials(SECRET_ID, SECRET_KEY),
        region="ap-guangzhou",
        transport=httpx.MockTransport(answer),
        env={},
        clock=lambda: float(NOW),
    ) as client:
        await client.call(action, params, service=service)
        await client.call("DescribeInstances", {})
    tat_like, lighthouse = seen
    assert tat_like.url.host == f"{service}.tencentcloudapi.com"
    assert tat_like.headers["X-TC-Version"] == version
    assert f"/{service}/tc3_request" in tat_like.headers["Authorization"]
    assert json.loads(tat_like.content) == params
    incoming = signature_v3.ReceivedRequest(
        "POST", "/", "", {k.lower(): v for k, v in tat_like.headers.items()}, tat_like.content
    )
    assert signature_v3.verify(incoming, KEYS, NOW).secret_id == SECRET_ID
    # the same client, the same credentials: Lighthouse keeps its own host and scope
    assert lighthouse.url.host == "lighthouse.tencentcloudapi.com"
    assert "/lighthouse/tc3_request" in lighthouse.headers["Authorization"]
