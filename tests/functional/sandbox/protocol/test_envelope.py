"""Request envelope and body checks over HTTP, and the documented-output fallback."""

from __future__ import annotations

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox.engine.context import Ctx
from lighthouse_mcp.sandbox.engine.fallback import documented_answer

from ..conftest import Api, tc3_headers

pytestmark = pytest.mark.anyio


async def test_errors_are_http_200_with_error_and_request_id(api: Api) -> None:
    resp = await api.raw("DescribeNothing")
    assert resp.status_code == 200
    body = resp.json()["Response"]
    assert body["Error"]["Code"] == "InvalidAction" and body["RequestId"]
    assert resp.headers["X-TC-RequestId"] == body["RequestId"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"version": "2017-03-12"}, "NoSuchVersion"),
        ({"region": "ap-mars"}, "UnsupportedRegion"),
        ({"region": None}, "MissingParameter"),
    ],
)
async def test_envelope_codes(api: Api, kwargs: dict[str, str | None], expected: str) -> None:
    assert await api.error("DescribeZones", **kwargs) == expected


async def test_body_must_be_a_json_object(api: Api) -> None:
    data = (await api.raw("DescribeZones", body=b"{not json")).json()["Response"]
    assert data["Error"]["Code"] == "InvalidParameter"
    data = (await api.raw("DescribeZones", body=b"[1]")).json()["Response"]
    assert data["Error"]["Code"] == "InvalidParameter"


async def test_content_type_must_be_json(api: Api) -> None:
    code = await api.error("DescribeZones", content_type="application/x-www-form-urlencoded")
    assert code == "InvalidParameter"


async def test_methods_other_than_get_and_post_are_refused(api: Api) -> None:
    headers = tc3_headers("DescribeZones", b"{}", timestamp=int(api.clock()))
    for method in ("PUT", "DELETE", "PATCH"):
        resp = await api.http.request(method, "/", headers=headers, content=b"{}")
        assert resp.json()["Response"]["Error"]["Code"] == "UnsupportedProtocol", method


async def test_get_needs_the_form_content_type(api: Api) -> None:
    """The docs: GET 只支持 Content-Type: application/x-www-form-urlencoded."""
    headers = tc3_headers("DescribeZones", b"", timestamp=int(api.clock()))  # JSON type
    resp = await api.http.get("/", headers=headers)
    error = resp.json()["Response"]["Error"]
    assert error["Code"] == "InvalidParameter"
    assert "x-www-form-urlencoded" in error["Message"]


async def test_missing_unknown_and_wrong_type_parameters(api: Api) -> None:
    assert await api.error("DescribeBundleDiscount", {}) == "MissingParameter"
    assert await api.error("DescribeZones", {"Foo": 1}) == "UnknownParameter"
    assert await api.error("DescribeBundles", {"Limit": "10"}) == "InvalidParameter"
    assert await api.error(
        "InquirePriceRenewInstances",
        {"InstanceIds": ["ins-123"], "InstanceChargePrepaid": {"Period": 1}},
    ) == ("InvalidParameterValue.InstanceIdMalformed")
    assert await api.error("DescribeInstances", {"Limit": 101}) == (
        "InvalidParameterValue.OutOfRange"
    )
    assert await api.error("DescribeInstances", {"Offset": -1}) == (
        "InvalidParameterValue.Negative"
    )
    assert await api.error(
        "DescribeInstances", {"InstanceIds": ["lhins-demo0001"], "Filters": []}
    ) == ("InvalidParameter.ParameterConflict")


async def test_fallback_echoes_the_requested_ids(api: Api) -> None:
    ctx = api.sandbox.backend.context(
        "DescribeInstancesTrafficPackages", "AKIDx", "ap-guangzhou", "req"
    )
    data = documented_answer(ctx, {"InstanceIds": ["lhins-mine0001"]})
    text = str(data)
    assert "lhins-mine0001" in text and "RequestId" not in data
    assert set(data) <= {p["name"] for p in catalog.action(ctx.action)["outputs"]}


async def test_a_handler_bug_answers_internal_error(api: Api) -> None:
    def broken(ctx: Ctx, params: dict[str, object]) -> dict[str, object]:
        raise RuntimeError("bug")

    api.sandbox.backend.handlers["DescribeZones"] = broken
    assert await api.error("DescribeZones") == "InternalError"


async def test_language_header_is_checked(api: Api) -> None:
    headers = tc3_headers("DescribeZones", b"{}", timestamp=int(api.clock()))
    for language, ok in (("en-US", True), ("zh-CN", True), ("fr-FR", False)):
        headers["X-TC-Language"] = language
        body = (await api.http.post("/", content=b"{}", headers=headers)).json()["Response"]
        assert ("Error" not in body) is ok, body


async def test_recorded_requests_do_not_show_passwords_in_repr(api: Api) -> None:
    await api.call(
        "ResetInstancesPassword", {"InstanceIds": ["lhins-demo0001"], "Password": "S3cret!pass"}
    )
    assert "S3cret" not in repr(api.sandbox.requests) and "S3cret" not in repr(api.sandbox)


async def test_absurdly_nested_body_is_a_parameter_error(api: Api) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    data = (await api.raw("DescribeZones", body=body)).json()["Response"]
    assert data["Error"]["Code"] == "InvalidParameter"
