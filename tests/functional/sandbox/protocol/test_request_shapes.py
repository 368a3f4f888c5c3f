"""Every documented request shape, through signed HTTP requests into the sandbox.

TC3-HMAC-SHA256 over GET (parameters flattened into the query, which is the canonical
query string) and signature v1 (HmacSHA1 / HmacSHA256, every parameter in the GET query
or the form POST body). The signers here are written from the docs, separately from the
sandbox's verifiers, so a shared mistake would not cancel out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.sandbox.engine.faults import Fault
from lighthouse_mcp.sandbox.protocol import wire

from ..conftest import HOST, Api, Clock

pytestmark = pytest.mark.anyio

FORM = "application/x-www-form-urlencoded"
_nonces = itertools.count(1000)


def flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A JSON body as form pairs: dotted paths, 0-based indices, true/false."""
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in flat(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in flat(v, f"{prefix}.{i}")]
    if isinstance(value, bool):
        return [(prefix, str(value).lower())]
    return [(prefix, str(value))]


def encode(pairs: list[tuple[str, str]]) -> str:
    """RFC 3986 percent-encoding of the values (the 签名方法 page), keys as they are."""
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in pairs)


def tc3_get_headers(
    action: str,
    query: str,
    timestamp: int,
    *,
    content_type: str = FORM,
    region: str = "ap-guangzhou",
    secret_key: str = DEFAULT_SECRET_KEY,
) -> dict[str, str]:
    """签名方法 v3 for a GET: the query is the canonical query string, the payload empty."""
    creq = "\n".join(
        [
            "GET",
            "/",
            query,
            f"content-type:{content_type}\nhost:{HOST}\n",
            "content-type;host",
            hashlib.sha256(b"").hexdigest(),
        ]
    )
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{day}/lighthouse/tc3_request"
    sts = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(creq.encode()).hexdigest()}"
    key = ("TC3" + secret_key).encode()
    for part in (day, "lighthouse", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "Host": HOST,
        "X-TC-Action": action,
        "X-TC-Version": "2020-03-24",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Region": region,
        "Authorization": f"TC3-HMAC-SHA256 Credential={DEFAULT_SECRET_ID}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}",
    }


def v1_pairs(
    method: str,
    action: str,
    params: Mapping[str, Any],
    timestamp: int,
    *,
    sign_method: str | None = "HmacSHA256",
    region: str | None = "ap-guangzhou",
    secret_id: str = DEFAULT_SECRET_ID,
    secret_key: str = DEFAULT_SECRET_KEY,
    **common: str,
) -> list[tuple[str, str]]:
    """签名方法 (v1): common parameters in the form, sorted raw pairs, base64 HMAC."""
    pairs = dict(flat(dict(params)))
    pairs.update(
        Action=action,
        Version="2020-03-24",
        Timestamp=str(timestamp),
        Nonce=str(next(_nonces)),
        SecretId=secret_id,
        **common,
    )
    if region is not None:
        pairs["Region"] = region
    if sign_method is not None:
        pairs["SignatureMethod"] = sign_method
    text = f"{method}{HOST}/?" + "&".join(f"{k}={pairs[k]}" for k in sorted(pairs))
    digest = hashlib.sha256 if sign_method == "HmacSHA256" else hashlib.sha1
    pairs["Signature"] = base64.b64encode(
        hmac.new(secret_key.encode(), text.encode(), digest).digest()
    ).decode()
    return list(pairs.items())


async def tc3_get(
    api: Api, action: str, params: Mapping[str, Any] | None = None, **sign: Any
) -> dict[str, Any]:
    query = encode(flat(dict(params or {})))
    headers = tc3_get_headers(action, query, int(api.clock()), **sign)
    return response_of(await api.http.get(f"/?{query}", headers=headers))


async def v1(
    api: Api, method: str, action: str, params: Mapping[str, Any] | None = None, **sign: Any
) -> dict[str, Any]:
    pairs = v1_pairs(method, action, params or {}, int(api.clock()), **sign)
    return response_of(await send_v1(api, method, pairs))


async def send_v1(api: Api, method: str, pairs: list[tuple[str, str]]) -> httpx.Response:
    if method == "GET":
        return await api.http.get(f"/?{encode(pairs)}")
    return await api.http.post("/", content=encode(pairs), headers={"Content-Type": FORM})


def response_of(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["Response"]
    assert data["RequestId"]
    return data


def code(data: dict[str, Any]) -> str:
    assert "Error" in data, data
    value: str = data["Error"]["Code"]
    return value


LISTING = {
    "Offset": 0,
    "Limit": 10,
    "Filters": [
        {"Name": "instance-state", "Values": ["RUNNING", "STOPPED"]},
        {
            "Name": "zone",
            "Values": ["ap-guangzhou-3", "ap-guangzhou-4", "ap-guangzhou-6", "ap-guangzhou-7"],
        },
    ],
}


# -- TC3 over GET ------------------------------------------------------------------------------


async def test_tc3_get_answers_like_a_json_post(api: Api) -> None:
    by_get = await tc3_get(api, "DescribeInstances", LISTING)
    by_post = await api.ok("DescribeInstances", LISTING)
    assert by_get["TotalCount"] == by_post["TotalCount"] == 2
    assert by_get["InstanceSet"] == by_post["InstanceSet"]
    ids = await tc3_get(api, "DescribeInstances", {"InstanceIds": ["lhins-demo0002"]})
    assert [i["InstanceId"] for i in ids["InstanceSet"]] == ["lhins-demo0002"]
    one = await tc3_get(
        api,
        "DescribeInstances",
        {
            "Limit": 1,
            "Filters": [
                {"Name": "instance-name", "Values": [by_post["InstanceSet"][1]["InstanceName"]]}
            ],
        },
    )
    assert [i["InstanceId"] for i in one["InstanceSet"]] == [
        by_post["InstanceSet"][1]["InstanceId"]
    ]


async def test_tc3_get_signs_the_query_as_sent(api: Api) -> None:
    query = encode(flat({"Limit": 1}))
    headers = tc3_get_headers("DescribeInstances", query, int(api.clock()))
    resp = await api.http.get("/?Limit=100", headers=headers)  # altered in transit
    assert code(response_of(resp)) == "AuthFailure.SignatureFailure"


async def test_tc3_get_parameters_are_checked_like_json_ones(api: Api) -> None:
    assert code(await tc3_get(api, "DescribeInstances", {"Limit": 101})) == (
        "InvalidParameterValue.OutOfRange"
    )
    data = await tc3_get(api, "DescribeInstances", {"Limit": "many"})
    assert code(data) == "InvalidParameter" and "`Limit`" in data["Error"]["Message"]
    assert code(await tc3_get(api, "DescribeInstances", {"Nope": 1})) == "UnknownParameter"
    data = response_of(
        await api.http.get(
            "/?InstanceIds.1=lhins-demo0001",
            headers=tc3_get_headers(
                "DescribeInstances", "InstanceIds.1=lhins-demo0001", int(api.clock())
            ),
        )
    )
    assert (
        code(data) == "InvalidParameter"
        and "`InstanceIds.0` is missing" in (data["Error"]["Message"])
    )


async def test_tc3_get_needs_the_form_content_type(api: Api) -> None:
    data = await tc3_get(api, "DescribeRegions", content_type="application/json")
    assert code(data) == "InvalidParameter"


async def test_a_get_over_32_kb_is_refused(api: Api) -> None:
    names = [f"n{i:05d}" + "x" * 40 for i in range(700)]
    data = await tc3_get(
        api, "DescribeInstances", {"Filters": [{"Name": "instance-name", "Values": names}]}
    )
    assert code(data) == "RequestSizeLimitExceeded"


async def test_a_tc3_form_post_is_refused_with_what_to_send_instead(api: Api) -> None:
    data = (await api.raw("DescribeRegions", body=b"", content_type=FORM)).json()["Response"]
    assert code(data) == "InvalidParameter"
    assert "signature method v1" in data["Error"]["Message"]


# -- signature v1 ----------------------------------------------------------------------------


@pytest.mark.parametrize("sign_method", ["HmacSHA256", "HmacSHA1", None])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_v1_reads_and_writes(
    api: Api, clock: Clock, method: str, sign_method: str | None
) -> None:
    listed = await v1(api, method, "DescribeInstances", LISTING, sign_method=sign_method)
    assert listed["InstanceSet"] == (await api.ok("DescribeInstances", LISTING))["InstanceSet"]
    stopped = await v1(
        api, method, "StopInstances", {"InstanceIds": ["lhins-demo0001"]}, sign_method=sign_method
    )
    assert "Error" not in stopped, stopped
    clock.advance(60)
    state = await v1(api, method, "DescribeInstances", {"InstanceIds": ["lhins-demo0001"]})
    assert state["InstanceSet"][0]["InstanceState"] == "STOPPED"


async def test_v1_is_recorded_with_its_action_region_and_params(api: Api, sandbox: Sandbox) -> None:
    await v1(api, "POST", "DescribeInstances", {"Limit": 3})
    last = sandbox.requests[-1]
    assert (last.action, last.region, last.params, last.secret_id, last.ok) == (
        "DescribeInstances",
        "ap-guangzhou",
        {"Limit": 3},
        DEFAULT_SECRET_ID,
        True,
    )


async def test_v1_failure_codes(api: Api, clock: Clock) -> None:
    assert code(await v1(api, "POST", "DescribeRegions", secret_key="wrong")) == (
        "AuthFailure.SignatureFailure"
    )
    assert code(await v1(api, "GET", "DescribeRegions", secret_id="AKID" + "0" * 32)) == (
        "AuthFailure.SecretIdNotFound"
    )
    stale = v1_pairs("POST", "DescribeRegions", {}, int(clock()) - 3600)
    assert code(response_of(await send_v1(api, "POST", stale))) == "AuthFailure.SignatureExpire"
    pairs = v1_pairs("POST", "DescribeRegions", {}, int(clock()))
    assert "Error" not in response_of(await send_v1(api, "POST", pairs))
    assert code(response_of(await send_v1(api, "POST", pairs))) == (
        "AuthFailure.SignatureFailure"
    )  # the very same request again: a replay
    no_signature = [
        (k, v) for k, v in v1_pairs("GET", "DescribeRegions", {}, int(clock())) if k != "Signature"
    ]
    assert code(response_of(await send_v1(api, "GET", no_signature))) == "MissingParameter"


async def test_v1_common_parameters(api: Api) -> None:
    assert code(await v1(api, "POST", "DescribeInstances", region=None)) == "MissingParameter"
    assert code(await v1(api, "POST", "DescribeInstances", region="xx-nowhere-1")) == (
        "UnsupportedRegion"
    )
    assert code(await v1(api, "GET", "DescribeNothing")) == "InvalidAction"
    assert code(await v1(api, "GET", "DescribeRegions", Language="fr-FR")) == (
        "InvalidParameterValue"
    )
    templates = await v1(api, "GET", "DescribeFirewallTemplates", region=None)
    assert "Error" not in templates, templates
    sdk_style = await v1(
        api, "POST", "DescribeRegions", RequestClient="SDK_PYTHON_3.0.0", Language="en-US"
    )
    assert "Error" not in sdk_style, sdk_style


async def test_v1_parameters_are_typed_and_checked(api: Api) -> None:
    assert code(await v1(api, "POST", "DescribeInstances", {"Limit": 101})) == (
        "InvalidParameterValue.OutOfRange"
    )
    assert code(await v1(api, "POST", "DescribeInstances", {"Nope": "1"})) == "UnknownParameter"
    assert code(await v1(api, "GET", "StartInstances")) == "MissingParameter"
    data = await v1(
        api,
        "POST",
        "CreateInstances",
        {
            "BundleId": "bundle2022_gen_01",
            "BlueprintId": "lhbp-5e8807lo",
            "DryRun": True,
            "InstanceChargePrepaid": {"Period": 1},
        },
    )
    assert code(data) == "DryRunOperation", data


async def test_v1_forms_that_json_cannot_say_are_refused(api: Api, clock: Clock) -> None:
    pairs = v1_pairs("POST", "DescribeRegions", {}, int(clock()))
    twice = response_of(await send_v1(api, "POST", [*pairs, ("Nonce", "7")]))
    assert code(twice) == "InvalidParameter" and "more than once" in twice["Error"]["Message"]
    resp = await api.http.post(
        "/", content=b"Action=DescribeRegions&broken", headers={"Content-Type": FORM}
    )
    assert code(response_of(resp)) == "InvalidParameter"


async def test_a_v1_post_over_1_mb_is_refused(api: Api, clock: Clock) -> None:
    pairs = v1_pairs("POST", "DescribeRegions", {"Pad": "x" * (1024 * 1024)}, int(clock()))
    data = response_of(await send_v1(api, "POST", pairs))
    assert code(data) == "AuthFailure.SignatureFailure"
    assert "TC3-HMAC-SHA256" in data["Error"]["Message"]


async def test_v1_with_a_temporary_key_needs_its_token() -> None:
    clock = Clock()
    sandbox = Sandbox({"AKIDtmp": "tmp-key"}, tokens={"AKIDtmp": "tok"}, clock=clock)
    api = Api(sandbox, clock)
    try:
        sign: dict[str, Any] = {"secret_id": "AKIDtmp", "secret_key": "tmp-key"}
        assert code(await v1(api, "POST", "DescribeRegions", **sign)) == (
            "AuthFailure.TokenFailure"
        )
        ok = await v1(api, "POST", "DescribeRegions", Token="tok", **sign)
        assert "Error" not in ok, ok
    finally:
        await api.http.aclose()


async def test_faults_aimed_at_an_action_hit_its_v1_requests(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults.rules.append(Fault.from_json({"kind": "throttle", "action": "DescribeRegions"}))
    assert code(await v1(api, "GET", "DescribeRegions")) == "RequestLimitExceeded"
    assert "Error" not in await v1(api, "GET", "DescribeZones")


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_non_ascii_values_are_signed_as_utf8(api: Api, method: str) -> None:
    """The docs: 非 ASCII 字符在 URL 编码前需要先以 UTF-8 进行编码; the string to sign
    holds the raw (decoded) value."""
    await api.ok(
        "ModifyInstancesAttribute",
        {"InstanceIds": ["lhins-demo0002"], "InstanceName": "未命名 主机"},
    )
    named = {"Filters": [{"Name": "instance-name", "Values": ["未命名 主机"]}]}
    for data in (
        await v1(api, method, "DescribeInstances", named),
        await tc3_get(api, "DescribeInstances", named),
    ):
        assert "Error" not in data, data
        assert [i["InstanceId"] for i in data["InstanceSet"]] == ["lhins-demo0002"]


async def test_a_decoding_bug_still_answers_like_the_api(
    api: Api, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(wire, "decode", broken)
    data = await api.call("DescribeRegions", region=None)
    assert code(data) == "InternalError"
    assert sandbox.requests[-1].action == "DescribeRegions"
