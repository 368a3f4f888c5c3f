"""Signing: the docs' worked example step by step, the UTC date rule, non-ASCII bodies,
parsing, the httpx.Auth, and a property test that every signed input matters."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lighthouse_mcp.client import signing
from lighthouse_mcp.client.credentials import Credentials

# The docs' example (签名方法 v3): CVM DescribeInstances in Guangzhou.
DOC_SECRET_ID = "AKID" + "*" * 32
DOC_SECRET_KEY = "*" * 32
DOC_TIMESTAMP = 1551113065
DOC_BODY = (
    b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)
DOC_HEADERS = {
    "content-type": "application/json; charset=utf-8",
    "host": "cvm.tencentcloudapi.com",
    "x-tc-action": "DescribeInstances",
}
DOC_SIGNED = ["content-type", "host", "x-tc-action"]
DOC_HASHED_PAYLOAD = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
DOC_CANONICAL = (
    "POST\n/\n\n"
    "content-type:application/json; charset=utf-8\n"
    "host:cvm.tencentcloudapi.com\n"
    "x-tc-action:describeinstances\n"
    "\n"
    "content-type;host;x-tc-action\n"
    "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
)
DOC_HASHED_CANONICAL = "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
DOC_STRING_TO_SIGN = (
    "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" + DOC_HASHED_CANONICAL
)
DOC_SIGNATURE = "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
DOC_AUTHORIZATION = (
    "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/"
    "tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=" + DOC_SIGNATURE
)


def test_doc_example_body_is_the_documented_json() -> None:
    assert json.loads(DOC_BODY)["Filters"][0]["Values"] == ["未命名"]


def test_doc_example_utc_date() -> None:
    # 2019-02-26 00:44:25 in UTC+8, but the scope date is the UTC one.
    assert signing.utc_date(DOC_TIMESTAMP) == "2019-02-25"


def test_doc_example_hashed_payload() -> None:
    assert signing.hash_payload(DOC_BODY) == DOC_HASHED_PAYLOAD


def test_doc_example_canonical_request() -> None:
    creq = signing.canonical_request("POST", "/", "", DOC_HEADERS, DOC_SIGNED, DOC_HASHED_PAYLOAD)
    assert creq == DOC_CANONICAL
    assert hashlib.sha256(creq.encode()).hexdigest() == DOC_HASHED_CANONICAL


def test_doc_example_string_to_sign() -> None:
    scope = signing.credential_scope("2019-02-25", "cvm")
    assert scope == "2019-02-25/cvm/tc3_request"
    assert signing.string_to_sign(DOC_TIMESTAMP, scope, DOC_CANONICAL) == DOC_STRING_TO_SIGN


def test_doc_example_derived_keys() -> None:
    secret_date = hmac.new(b"TC3" + DOC_SECRET_KEY.encode(), b"2019-02-25", hashlib.sha256)
    assert secret_date.hexdigest() == (
        "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0"
    )
    assert signing.derive_key(DOC_SECRET_KEY, "2019-02-25", "cvm").hex() == (
        "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"
    )


def test_doc_example_signature_and_header() -> None:
    key = signing.derive_key(DOC_SECRET_KEY, "2019-02-25", "cvm")
    signature = signing.sign(key, DOC_STRING_TO_SIGN)
    assert signature == DOC_SIGNATURE
    scope = signing.credential_scope("2019-02-25", "cvm")
    assert signing.authorization_header(DOC_SECRET_ID, scope, DOC_SIGNED, signature) == (
        DOC_AUTHORIZATION
    )


def test_doc_example_compute_signature() -> None:
    assert (
        signing.compute_signature(
            secret_key=DOC_SECRET_KEY,
            method="POST",
            uri="/",
            query="",
            headers=DOC_HEADERS,
            signed_headers=DOC_SIGNED,
            payload=DOC_BODY,
            timestamp=DOC_TIMESTAMP,
            service="cvm",
        )
        == DOC_SIGNATURE
    )


def test_doc_example_through_httpx_auth() -> None:
    """TC3Auth on a real httpx.Request reproduces the docs' Authorization exactly."""
    request = httpx.Request(
        "POST",
        "https://cvm.tencentcloudapi.com",
        content=DOC_BODY,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-TC-Action": "DescribeInstances",
            "X-TC-Timestamp": str(DOC_TIMESTAMP),
        },
    )
    auth = signing.TC3Auth(Credentials(DOC_SECRET_ID, DOC_SECRET_KEY), service="cvm")
    signed = next(auth.auth_flow(request))
    assert signed.headers["Authorization"] == DOC_AUTHORIZATION
    assert "X-TC-Token" not in signed.headers


@pytest.mark.parametrize(
    ("timestamp", "date"),
    [
        (1551052799, "2019-02-24"),  # 23:59:59 UTC
        (1551052800, "2019-02-25"),  # 00:00:00 UTC
        (1551110399, "2019-02-25"),  # 23:59:59 in UTC+8 of the 25th is still the 25th UTC
        (1551110400, "2019-02-25"),  # midnight UTC+8 of the 26th: UTC date stays the 25th
        (1551139199, "2019-02-25"),
        (1551139200, "2019-02-26"),
        (0, "1970-01-01"),
        (951782400, "2000-02-29"),  # leap day
    ],
)
def test_utc_date_at_midnight_boundaries(timestamp: int, date: str) -> None:
    assert signing.utc_date(timestamp) == date


def test_scope_date_changes_at_utc_midnight_not_local() -> None:
    before = signing.TC3Auth(Credentials("AKIDx", "k"), clock=lambda: 1551139199.9)
    after = signing.TC3Auth(Credentials("AKIDx", "k"), clock=lambda: 1551139200.0)
    req = _lighthouse_request()
    assert "/2019-02-25/lighthouse/" in next(before.auth_flow(req)).headers["Authorization"]
    req = _lighthouse_request()
    assert "/2019-02-26/lighthouse/" in next(after.auth_flow(req)).headers["Authorization"]


def test_non_ascii_payload_is_hashed_as_utf8_bytes() -> None:
    raw = json.dumps({"InstanceName": "未命名-测试 ✓"}, ensure_ascii=False).encode("utf-8")
    escaped = json.dumps({"InstanceName": "未命名-测试 ✓"}).encode("ascii")
    assert signing.hash_payload(raw) == hashlib.sha256(raw).hexdigest()
    assert signing.hash_payload(raw) != signing.hash_payload(escaped)
    sig = {
        body: signing.compute_signature(
            secret_key="k",
            method="POST",
            uri="/",
            query="",
            headers=_headers(),
            signed_headers=signing.DEFAULT_SIGNED_HEADERS,
            payload=body,
            timestamp=1700000000,
        )
        for body in (raw, escaped)
    }
    assert sig[raw] != sig[escaped]


def test_non_ascii_secret_key_and_header_value() -> None:
    # Keys are ASCII in practice, but the steps must not crash on other text.
    headers = {**_headers(), "x-tc-action": "DescribeInstances"}
    sig = signing.compute_signature(
        secret_key="密钥",
        method="POST",
        uri="/",
        query="",
        headers=headers,
        signed_headers=signing.DEFAULT_SIGNED_HEADERS,
        payload=b"{}",
        timestamp=1,
    )
    assert len(sig) == 64


def test_canonical_request_sorts_lowercases_and_trims() -> None:
    headers = {"host": " Example.COM ", "content-type": "Application/JSON", "x-tc-action": "A"}
    creq = signing.canonical_request(
        "post", "/", "", headers, ["X-TC-Action", "host", "content-type"], "h"
    )
    assert creq == (
        "POST\n/\n\ncontent-type:application/json\nhost:example.com\nx-tc-action:a\n\n"
        "content-type;host;x-tc-action\nh"
    )


def test_canonical_request_names_a_missing_signed_header() -> None:
    with pytest.raises(ValueError, match="'x-tc-action'"):
        signing.canonical_request(
            "POST",
            "/",
            "",
            {"host": "h", "content-type": "c"},
            ["content-type", "host", "x-tc-action"],
            "h",
        )


def test_parse_authorization_round_trip() -> None:
    parsed = signing.parse_authorization(DOC_AUTHORIZATION)
    assert parsed == signing.ParsedAuthorization(
        algorithm="TC3-HMAC-SHA256",
        secret_id=DOC_SECRET_ID,
        date="2019-02-25",
        service="cvm",
        terminator="tc3_request",
        signed_headers=("content-type", "host", "x-tc-action"),
        signature=DOC_SIGNATURE,
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "Credential="),
        ("TC3-HMAC-SHA256", "Credential="),
        ("TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request", "SignedHeaders"),
        (
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/tc3_request, SignedHeaders=host, "
            "Signature=" + "0" * 64,
            "SecretId/Date",
        ),
        (
            "TC3-HMAC-SHA256 Credential=a/2019-2-25/cvm/tc3_request, SignedHeaders=host, "
            "Signature=" + "0" * 64,
            "YYYY-MM-DD",
        ),
        (
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request, SignedHeaders=, "
            "Signature=" + "0" * 64,
            "SignedHeaders is empty",
        ),
        (
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request, SignedHeaders=host, "
            "Signature=xyz",
            "64 lower-case hex",
        ),
        ("TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request, junk", "key=value"),
    ],
)
def test_parse_authorization_rejects_malformed(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        signing.parse_authorization(value)


def test_auth_adds_token_and_timestamp_and_uses_lighthouse_scope() -> None:
    req = _lighthouse_request(url="http://127.0.0.1:8123/")
    auth = signing.TC3Auth(Credentials("AKIDtmp", "sk", "tok"), clock=lambda: 1700000000.7)
    signed = next(auth.auth_flow(req))
    assert signed.headers["X-TC-Timestamp"] == "1700000000"
    assert signed.headers["X-TC-Token"] == "tok"
    parsed = signing.parse_authorization(signed.headers["Authorization"])
    assert parsed.service == "lighthouse"  # even for a loopback endpoint
    assert parsed.date == "2023-11-14"
    assert "sk" not in repr(auth)
    expected = signing.compute_signature(
        secret_key="sk",
        method="POST",
        uri="/",
        query="",
        headers={
            "content-type": "application/json",
            "host": "127.0.0.1:8123",
            "x-tc-action": "DescribeInstances",
        },
        signed_headers=parsed.signed_headers,
        payload=b'{"Limit": 1}',
        timestamp=1700000000,
    )
    assert parsed.signature == expected


def test_auth_derived_key_cache_follows_the_date() -> None:
    now = [1551139199.0]
    auth = signing.TC3Auth(Credentials("AKIDx", "k"), clock=lambda: now[0])
    first = signing.parse_authorization(
        next(auth.auth_flow(_lighthouse_request())).headers["Authorization"]
    )
    now[0] += 1
    second = signing.parse_authorization(
        next(auth.auth_flow(_lighthouse_request())).headers["Authorization"]
    )
    expected = signing.compute_signature(
        secret_key="k",
        method="POST",
        uri="/",
        query="",
        headers=_headers(),
        signed_headers=signing.DEFAULT_SIGNED_HEADERS,
        payload=b'{"Limit": 1}',
        timestamp=1551139200,
    )
    assert (first.date, second.date) == ("2019-02-25", "2019-02-26")
    assert second.signature == expected


def _headers() -> dict[str, str]:
    return {
        "content-type": "application/json",
        "host": "lighthouse.tencentcloudapi.com",
        "x-tc-action": "DescribeInstances",
    }


def _lighthouse_request(url: str = "https://lighthouse.tencentcloudapi.com/") -> httpx.Request:
    return httpx.Request(
        "POST",
        url,
        content=b'{"Limit": 1}',
        headers={"Content-Type": "application/json", "X-TC-Action": "DescribeInstances"},
    )


def _sig(body: bytes, action: str, timestamp: int) -> str:
    return signing.compute_signature(
        secret_key="sk",
        method="POST",
        uri="/",
        query="",
        headers={**_headers(), "x-tc-action": action},
        signed_headers=signing.DEFAULT_SIGNED_HEADERS,
        payload=body,
        timestamp=timestamp,
    )


@given(
    body=st.binary(max_size=64),
    other_body=st.binary(max_size=64),
    action=st.from_regex(r"[A-Z][A-Za-z]{2,20}", fullmatch=True),
    other_action=st.from_regex(r"[A-Z][A-Za-z]{2,20}", fullmatch=True),
    ts=st.integers(0, 4_000_000_000),
    other_ts=st.integers(0, 4_000_000_000),
)
def test_any_change_to_body_action_or_timestamp_changes_the_signature(
    body: bytes, other_body: bytes, action: str, other_action: str, ts: int, other_ts: int
) -> None:
    base = _sig(body, action, ts)
    if other_body != body:
        assert _sig(other_body, action, ts) != base
    # header values are lower-cased by the docs' rule, so only a case-insensitive change counts
    if other_action.lower() != action.lower():
        assert _sig(body, other_action, ts) != base
    if other_ts != ts:
        assert _sig(body, action, other_ts) != base


def test_mask_secret_id() -> None:
    assert signing.mask_secret_id("AKIDabcdefghijkl1234") == "AKID…1234"
    assert signing.mask_secret_id("short") == "…"
    auth = signing.TC3Auth(Credentials("AKIDabcdefghijkl1234", "k"))
    assert "AKIDabcdefghijkl1234" not in repr(auth) and "AKID…1234" in repr(auth)
