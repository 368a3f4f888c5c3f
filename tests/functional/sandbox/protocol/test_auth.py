"""Every AuthFailure path, driven with an independent signer (and the client's own)."""

from __future__ import annotations

import json

import httpx
import pytest

from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.client.signing import TC3Auth
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

from ..conftest import HOST, Api, Clock, tc3_headers

pytestmark = pytest.mark.anyio


async def test_a_correct_signature_is_accepted_and_recorded(api: Api) -> None:
    await api.ok("DescribeZones")
    rec = api.sandbox.requests[-1]
    assert (rec.action, rec.region, rec.secret_id, rec.ok) == (
        "DescribeZones",
        "ap-guangzhou",
        DEFAULT_SECRET_ID,
        True,
    )


async def test_unknown_secret_id(api: Api) -> None:
    code = await api.error("DescribeZones", secret_id="AKIDunknown000000000000000000000000")
    assert code == "AuthFailure.SecretIdNotFound"
    assert api.sandbox.requests[-1].error_code == code


async def test_wrong_secret_key(api: Api) -> None:
    assert await api.error("DescribeZones", secret_key="not-the-key") == (
        "AuthFailure.SignatureFailure"
    )


async def test_body_altered_after_signing(api: Api) -> None:
    signed = json.dumps({"Limit": 1}).encode()
    headers = tc3_headers("DescribeBundles", signed, timestamp=int(api.clock()))
    resp = await api.http.post("/", content=b'{"Limit": 2}', headers=headers)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


async def test_action_header_altered_after_signing(api: Api) -> None:
    headers = tc3_headers("DescribeZones", b"{}", timestamp=int(api.clock()))
    headers["X-TC-Action"] = "DescribeRegions"
    resp = await api.http.post("/", content=b"{}", headers=headers)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


@pytest.mark.parametrize(
    ("skew", "expected"),
    [
        (-299, None),
        (299, None),
        (-301, "AuthFailure.SignatureExpire"),
        (301, "AuthFailure.SignatureExpire"),
    ],
)
async def test_timestamp_skew(api: Api, skew: int, expected: str | None) -> None:
    data = await api.call("DescribeZones", timestamp=int(api.clock()) + skew)
    assert data.get("Error", {}).get("Code") == expected


async def test_credential_date_must_be_the_utc_date_of_the_timestamp(api: Api) -> None:
    # 2019-02-25T16:44:25Z is 2019-02-26 in UTC+8: the docs' own example of this mistake
    api.clock.t = 1551113065
    assert await api.error("DescribeZones", date="2019-02-26") == "AuthFailure.SignatureFailure"
    assert await api.ok("DescribeZones", date="2019-02-25")


@pytest.mark.parametrize(
    "authorization",
    [
        "garbage",
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/lighthouse/tc3_request",
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/lighthouse, SignedHeaders=content-type;host, "
        "Signature=" + "0" * 64,
        "TC3-HMAC-SHA256 Credential=AKID/25-02-2019/lighthouse/tc3_request, "
        "SignedHeaders=content-type;host, Signature=" + "0" * 64,
        "HMAC-SHA1 Credential=AKID/2019-02-25/lighthouse/tc3_request, "
        "SignedHeaders=content-type;host, Signature=" + "0" * 64,
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/lighthouse/tc3_request, "
        "SignedHeaders=content-type;host, Signature=XYZ",
    ],
)
async def test_malformed_authorization(api: Api, authorization: str) -> None:
    headers = tc3_headers("DescribeZones", b"{}", timestamp=int(api.clock()))
    headers["Authorization"] = authorization
    resp = await api.http.post("/", content=b"{}", headers=headers)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


async def test_missing_authorization(api: Api) -> None:
    headers = tc3_headers("DescribeZones", b"{}", timestamp=int(api.clock()))
    del headers["Authorization"]
    resp = await api.http.post("/", content=b"{}", headers=headers)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


@pytest.mark.parametrize("signed", [("content-type",), ("host",), ("host", "x-tc-action")])
async def test_content_type_and_host_must_be_signed(api: Api, signed: tuple[str, ...]) -> None:
    assert await api.error("DescribeZones", signed=signed) == "AuthFailure.InvalidAuthorization"


async def test_signing_more_headers_is_fine(api: Api) -> None:
    await api.ok(
        "DescribeZones",
        signed=(
            "content-type",
            "host",
            "x-tc-action",
            "x-tc-timestamp",
            "x-tc-version",
            "x-tc-region",
        ),
    )


async def test_a_signed_header_absent_from_the_request(api: Api) -> None:
    headers = tc3_headers(
        "DescribeZones",
        b"{}",
        timestamp=int(api.clock()),
        signed=("content-type", "host", "x-tc-language"),
    )
    resp = await api.http.post("/", content=b"{}", headers=headers)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


async def test_scope_service_must_be_lighthouse(api: Api) -> None:
    assert await api.error("DescribeZones", service="cvm") == "AuthFailure.InvalidAuthorization"


async def test_host_is_the_one_received_including_a_loopback_port(clock: Clock) -> None:
    sb = Sandbox(clock=clock)
    async with httpx.AsyncClient(
        transport=sb.transport(), base_url="http://127.0.0.1:8765"
    ) as http:
        headers = tc3_headers("DescribeZones", b"{}", timestamp=int(clock()), host="127.0.0.1:8765")
        ok = await http.post("/", content=b"{}", headers=headers)
        assert "Error" not in ok.json()["Response"]
        headers = tc3_headers(
            "DescribeZones", b"{}", timestamp=int(clock()), host="lighthouse.tencentcloudapi.com"
        )
        headers["Host"] = "127.0.0.1:8765"
        bad = await http.post("/", content=b"{}", headers=headers)
        assert bad.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


async def test_temporary_keys_need_their_token(clock: Clock) -> None:
    sb = Sandbox({"AKIDtemp": "tempkey"}, tokens={"AKIDtemp": "tok-123"}, clock=clock)
    api = Api(sb, clock)
    creds = {"secret_id": "AKIDtemp", "secret_key": "tempkey"}
    assert await api.error("DescribeZones", **creds) == "AuthFailure.TokenFailure"
    assert await api.error("DescribeZones", token="wrong", **creds) == "AuthFailure.TokenFailure"
    await api.ok("DescribeZones", token="tok-123", **creds)
    await api.http.aclose()


async def test_a_token_with_a_long_term_key_is_refused(api: Api) -> None:
    assert await api.error("DescribeZones", token="tok") == "AuthFailure.TokenFailure"


async def test_custom_credentials_replace_the_default_pair(clock: Clock) -> None:
    sb = Sandbox({"AKIDmine": "mykey"}, clock=clock)
    api = Api(sb, clock)
    await api.ok("DescribeZones", secret_id="AKIDmine", secret_key="mykey")
    assert await api.error("DescribeZones") == "AuthFailure.SecretIdNotFound"
    await api.http.aclose()


async def test_the_clients_own_signer_is_accepted(sandbox: Sandbox, clock: Clock) -> None:
    auth = TC3Auth(Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY), clock=clock)
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url=f"http://{HOST}", auth=auth
    ) as http:
        resp = await http.post(
            "/",
            json={"Limit": 1},
            headers={
                "X-TC-Action": "DescribeBundles",
                "X-TC-Version": "2020-03-24",
                "X-TC-Region": "ap-guangzhou",
            },
        )
    body = resp.json()["Response"]
    assert "Error" not in body and len(body["BundleSet"]) == 1


async def test_missing_timestamp_is_a_missing_parameter(api: Api) -> None:
    headers = tc3_headers("DescribeZones", b"{}", timestamp=int(api.clock()))
    del headers["X-TC-Timestamp"]
    resp = await api.http.post("/", content=b"{}", headers=headers)
    assert resp.json()["Response"]["Error"]["Code"] == "MissingParameter"
