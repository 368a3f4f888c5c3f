"""Signature method v1 (sandbox/signature_v1.py): string to sign, HMAC, verification codes."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from lighthouse_mcp.sandbox.engine.errors import SandboxError
from lighthouse_mcp.sandbox.protocol import signature_v1, signature_v3

NOW = 1_700_000_000
KEYS = {
    "AKIDlong": signature_v3.Key("AKIDlong", "long-secret"),
    "AKIDtemp": signature_v3.Key("AKIDtemp", "temp-secret", "session-token"),
}


def test_string_to_sign_matches_the_docs_worked_example() -> None:
    """签名方法 2.1-2.3: sorted by name, raw values, METHOD + host + / + ? + pairs. (The
    docs mask their key, so their final signature cannot be reproduced; the text can.)"""
    masked = "AKID" + "*" * 32
    params = {
        "Nonce": "11886",
        "Version": "2017-03-12",
        "Action": "DescribeInstances",
        "Timestamp": "1465185768",
        "SecretId": masked,
        "Region": "ap-guangzhou",
        "InstanceIds.0": "ins-09dx96dg",
        "Limit": "20",
        "Offset": "0",
        "Signature": "ignored",
    }
    assert signature_v1.string_to_sign("get", "cvm.tencentcloudapi.com", "/", params) == (
        "GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg"
        f"&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId={masked}"
        "&Timestamp=1465185768&Version=2017-03-12"
    )


def test_names_sort_in_ascii_order() -> None:
    """The docs: InstanceIds.2 要排在 InstanceIds.12 后面."""
    pairs = {"InstanceIds.2": "b", "InstanceIds.12": "a"}
    text = signature_v1.string_to_sign("POST", "h", "/", pairs)
    assert text == "POSTh/?InstanceIds.12=a&InstanceIds.2=b"


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # RFC 2104 / Wikipedia's HMAC vectors, base64-encoded
        ("HmacSHA1", "3nybhbi3iqa8ino29wqQcBydtNk="),
        (None, "3nybhbi3iqa8ino29wqQcBydtNk="),
        ("hmacsha256", "3nybhbi3iqa8ino29wqQcBydtNk="),  # only the exact spelling means SHA-256
        ("HmacSHA256", "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="),
    ],
)
def test_signature_vectors(method: str | None, expected: str) -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert signature_v1.signature("key", text, method) == expected


def signed(
    secret_id: str = "AKIDlong",
    secret_key: str = "long-secret",
    *,
    method: str = "HmacSHA256",
    timestamp: int = NOW,
    nonce: str = "42",
    **extra: str,
) -> signature_v1.V1Request:
    params = {
        "Action": "DescribeRegions",
        "Version": "2020-03-24",
        "SecretId": secret_id,
        "Timestamp": str(timestamp),
        "Nonce": nonce,
        "SignatureMethod": method,
        **extra,
    }
    text = "POST127.0.0.1:9/?" + "&".join(f"{k}={params[k]}" for k in sorted(params))
    digest = hashlib.sha256 if method == "HmacSHA256" else hashlib.sha1
    params["Signature"] = base64.b64encode(
        hmac.new(secret_key.encode(), text.encode(), digest).digest()
    ).decode()
    return signature_v1.V1Request("POST", "127.0.0.1:9", "/", params)


def code_of(
    request: signature_v1.V1Request,
    ledger: signature_v1.NonceLedger | None = None,
    now: float = NOW,
) -> str:
    with pytest.raises(SandboxError) as caught:
        signature_v1.verify(request, KEYS, now, ledger or signature_v1.NonceLedger())
    return caught.value.code


@pytest.mark.parametrize("method", ["HmacSHA256", "HmacSHA1"])
def test_a_correct_signature_is_accepted(method: str) -> None:
    key = signature_v1.verify(signed(method=method), KEYS, NOW, signature_v1.NonceLedger())
    assert key.secret_id == "AKIDlong"


def test_the_documented_failure_codes() -> None:
    assert code_of(signed(secret_key="other")) == "AuthFailure.SignatureFailure"
    assert code_of(signed(timestamp=NOW - 301)) == "AuthFailure.SignatureExpire"
    assert code_of(signed(timestamp=NOW + 301)) == "AuthFailure.SignatureExpire"
    assert code_of(signed("AKIDnobody")) == "AuthFailure.SecretIdNotFound"
    assert code_of(signed("AKIDtemp", "temp-secret")) == "AuthFailure.TokenFailure"
    assert code_of(signed(Token="session-token")) == "AuthFailure.TokenFailure"
    assert code_of(signed("AKIDtemp", "temp-secret", Token="wrong")) == ("AuthFailure.TokenFailure")
    ok = signature_v1.verify(
        signed("AKIDtemp", "temp-secret", Token="session-token"),
        KEYS,
        NOW,
        signature_v1.NonceLedger(),
    )
    assert ok.secret_id == "AKIDtemp"


def test_a_tampered_parameter_breaks_the_signature() -> None:
    request = signed(Limit="1")
    forged = signature_v1.V1Request(
        request.method, request.host, request.path, {**request.params, "Limit": "100"}
    )
    assert code_of(forged) == "AuthFailure.SignatureFailure"
    other_host = signature_v1.V1Request(request.method, "evil:9", request.path, request.params)
    assert code_of(other_host) == "AuthFailure.SignatureFailure"


def test_a_non_ascii_signature_is_a_failure_not_a_crash() -> None:
    request = signed()
    odd = signature_v1.V1Request(
        request.method, request.host, request.path, {**request.params, "Signature": "签名"}
    )
    assert code_of(odd) == "AuthFailure.SignatureFailure"


@pytest.mark.parametrize(
    ("drop", "code"),
    [
        ("Timestamp", "MissingParameter"),
        ("Nonce", "MissingParameter"),
        ("SecretId", "MissingParameter"),
        ("Signature", "MissingParameter"),
    ],
)
def test_missing_common_parameters(drop: str, code: str) -> None:
    request = signed()
    params = {k: v for k, v in request.params.items() if k != drop}
    with pytest.raises(SandboxError) as caught:
        signature_v1.verify(
            signature_v1.V1Request("POST", request.host, "/", params),
            KEYS,
            NOW,
            signature_v1.NonceLedger(),
        )
    assert caught.value.code == code
    assert drop in caught.value.message


@pytest.mark.parametrize("nonce", ["0", "-5", "abc", "1.5"])
def test_nonce_must_be_a_positive_integer(nonce: str) -> None:
    assert code_of(signed(nonce=nonce)) == "InvalidParameter"


def test_a_replayed_nonce_is_refused_but_the_same_nonce_later_is_not() -> None:
    ledger = signature_v1.NonceLedger()
    signature_v1.verify(signed(nonce="11886"), KEYS, NOW, ledger)
    assert code_of(signed(nonce="11886"), ledger) == "AuthFailure.SignatureFailure"
    # the docs' own sample code sends a fixed Nonce with a fresh Timestamp: accepted
    signature_v1.verify(signed(nonce="11886", timestamp=NOW + 1), KEYS, NOW + 1, ledger)


def test_the_ledger_forgets_what_has_expired() -> None:
    ledger = signature_v1.NonceLedger()
    for i in range(1100):
        assert ledger.first_use("AKID", NOW, str(i), now=NOW)
    assert ledger.first_use("AKID", NOW, "late", now=NOW + 1000)
    assert "entries=1" in repr(ledger)
    assert not ledger.first_use("AKID", NOW, "late", now=NOW + 1000)


def test_api_params_drop_the_common_ones() -> None:
    pairs = [
        ("Action", "A"),
        ("Limit", "1"),
        ("RequestClient", "SDK_PYTHON"),
        ("Nonce", "1"),
        ("Filters.0.Name", "zone"),
    ]
    assert signature_v1.api_params(pairs) == [("Limit", "1"), ("Filters.0.Name", "zone")]
