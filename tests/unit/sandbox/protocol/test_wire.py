"""Telling the documented request shapes apart (sandbox/protocol/wire.py), without HTTP."""

from __future__ import annotations

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox.engine.errors import SandboxError
from lighthouse_mcp.sandbox.protocol import wire
from lighthouse_mcp.sandbox.protocol.signature_v3 import ReceivedRequest

TC3_HEADERS = {
    "authorization": "TC3-HMAC-SHA256 ...",
    "host": "h",
    "x-tc-action": "DescribeZones",
    "x-tc-version": "2020-03-24",
    "x-tc-region": "ap-guangzhou",
}


def received(
    method: str, *, query: str = "", body: bytes = b"", headers: dict[str, str] | None = None
) -> ReceivedRequest:
    return ReceivedRequest(method, "/", query, headers or {}, body)


def code_of(request: ReceivedRequest) -> str:
    with pytest.raises(SandboxError) as caught:
        wire.decode(request)
    return caught.value.code


def test_tc3_json_post() -> None:
    incoming = wire.decode(
        received(
            "POST",
            body=b'{"Limit": 1}',
            headers={**TC3_HEADERS, "content-type": "application/json; charset=utf-8"},
        )
    )
    assert (incoming.signing, incoming.action, incoming.region, incoming.v1) == (
        "tc3",
        "DescribeZones",
        "ap-guangzhou",
        None,
    )
    assert wire.action_params(incoming, catalog.action("DescribeZones")) == {"Limit": 1}


def test_tc3_get_takes_its_parameters_from_the_query() -> None:
    incoming = wire.decode(
        received(
            "GET",
            query="Limit=1&Offset=0",
            headers={**TC3_HEADERS, "content-type": "application/x-www-form-urlencoded"},
        )
    )
    assert incoming.signing == "tc3" and incoming.json_body is None
    assert wire.action_params(incoming, catalog.action("DescribeInstances")) == {
        "Limit": 1,
        "Offset": 0,
    }


def test_v1_takes_everything_from_the_form() -> None:
    form = (
        "Action=DescribeZones&Version=2020-03-24&Region=ap-beijing&Language=en-US"
        "&SecretId=AKID&Signature=c2ln&Nonce=1&Timestamp=2&Limit=3"
    )
    for request in (
        received("GET", query=form),
        received(
            "POST",
            body=form.encode(),
            headers={"content-type": "application/x-www-form-urlencoded", "host": "h"},
        ),
    ):
        incoming = wire.decode(request)
        assert (
            incoming.signing,
            incoming.action,
            incoming.version,
            incoming.region,
            incoming.language,
        ) == ("v1", "DescribeZones", "2020-03-24", "ap-beijing", "en-US")
        assert list(incoming.form) == [("Limit", "3")]
        assert incoming.v1 is not None and incoming.v1.method == request.method
        assert "c2ln" not in repr(incoming) and "AKID" not in repr(incoming)


def test_a_get_without_any_signature_is_read_as_tc3_missing_its_header() -> None:
    incoming = wire.decode(
        received(
            "GET", query="Limit=1", headers={"content-type": "application/x-www-form-urlencoded"}
        )
    )
    assert incoming.signing == "tc3"  # auth.verify then reports the missing Authorization


def test_refused_shapes() -> None:
    assert code_of(received("PUT")) == "UnsupportedProtocol"
    form_tc3 = {**TC3_HEADERS, "content-type": "application/x-www-form-urlencoded"}
    assert code_of(received("POST", body=b"Limit=1", headers=form_tc3)) == "InvalidParameter"
    multipart = {**TC3_HEADERS, "content-type": "multipart/form-data; boundary=x"}
    assert code_of(received("POST", headers=multipart)) == "InvalidParameter"
    json_get = {**TC3_HEADERS, "content-type": "application/json"}
    assert code_of(received("GET", headers=json_get)) == "InvalidParameter"
    assert code_of(received("GET", query="Limit=" + "9" * 33_000)) == "RequestSizeLimitExceeded"
    big = b"x" * (10 * 1024 * 1024 + 1)
    assert (
        code_of(
            received("POST", body=big, headers={**TC3_HEADERS, "content-type": "application/json"})
        )
        == "RequestSizeLimitExceeded"
    )
    v1_big = b"Action=A&" + b"x" * (1024 * 1024)
    assert (
        code_of(
            received(
                "POST", body=v1_big, headers={"content-type": "application/x-www-form-urlencoded"}
            )
        )
        == "AuthFailure.SignatureFailure"
    )
    assert (
        code_of(
            received(
                "POST",
                body=b"\xff=1",
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
        )
        == "InvalidParameter"
    )
    assert code_of(received("GET", query="SecretId=a&SecretId=b")) == "InvalidParameter"


def test_a_json_body_that_is_not_json() -> None:
    incoming = wire.decode(
        received("POST", body=b"{nope", headers={**TC3_HEADERS, "content-type": "application/json"})
    )
    with pytest.raises(SandboxError) as caught:
        wire.action_params(incoming, catalog.action("DescribeZones"))
    assert caught.value.code == "InvalidParameter"
