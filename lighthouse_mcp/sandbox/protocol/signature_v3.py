"""Verifies TC3-HMAC-SHA256 requests, answering with the documented AuthFailure codes.

(Signature v1, the ``HmacSHA1``/``HmacSHA256`` form-parameter method, is ``signature_v1.py``;
it shares the freshness, key and token rules below.)

The signature is recomputed with the client's own pure signing steps
(``client/signing.py``) from what was *received* — method, path, query, the signed
headers' values (the ``Host`` actually sent, e.g. ``127.0.0.1:8765``), the body bytes —
so any correct implementation of the docs' algorithm is accepted, and a request altered
in transit is not.

Codes (公共错误码 and the 签名方法 v3 page):

* ``AuthFailure.InvalidAuthorization`` — no/garbled ``Authorization``, another algorithm,
  a scope not ending in ``tc3_request``, a scope service the sandbox does not emulate
  (it answers ``lighthouse``, ``tat`` and ``monitor``, routed by this service),
  ``content-type`` or ``host`` not signed, a signed header absent from the request.
* ``AuthFailure.SignatureExpire`` — ``X-TC-Timestamp`` more than 5 minutes off.
* ``AuthFailure.SecretIdNotFound`` — unknown SecretId.
* ``AuthFailure.TokenFailure`` — ``X-TC-Token`` wrong, missing for a temporary key, or
  sent with a long-term key (the docs: 使用长期密钥时不能设置此 Token 字段).
* ``AuthFailure.SignatureFailure`` — the signature does not match, including when the
  credential date is not the UTC date of the timestamp (the docs require they agree).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from lighthouse_mcp.catalog import SERVICES
from lighthouse_mcp.client import signing

from ..engine.errors import AuthFailure, ParameterError

#: The docs: 如果与服务器时间相差超过5分钟，会引起签名过期错误。
MAX_SKEW_SECONDS = 300
REQUIRED_SIGNED_HEADERS = ("content-type", "host")
SERVICE = "lighthouse"


@dataclass(frozen=True, slots=True)
class Key:
    """One accepted credential. ``token`` set means a temporary key that needs X-TC-Token."""

    secret_id: str
    secret_key: str
    token: str | None = None

    def __repr__(self) -> str:  # never show the secret or the token
        return f"Key(secret_id={self.secret_id!r}, token={'set' if self.token else None})"


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """The parts of an HTTP request the signature covers, as received."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def _invalid(message: str) -> AuthFailure:
    return AuthFailure("AuthFailure.InvalidAuthorization", message)


def timestamp_of(headers: Mapping[str, str]) -> int:
    """``X-TC-Timestamp`` as an int; a missing or non-integer value is a parameter error."""
    raw = headers.get("x-tc-timestamp")
    if raw is None or not raw.strip():
        raise ParameterError(
            "MissingParameter", "The request is missing the required header `X-TC-Timestamp`."
        )
    try:
        return int(raw.strip())
    except ValueError:
        raise ParameterError(
            "InvalidParameter",
            f"`X-TC-Timestamp` must be an integer UNIX time in seconds, got {raw.strip()[:20]!r}.",
        ) from None


def verify(request: ReceivedRequest, keys: Mapping[str, Key], now: float) -> Key:
    """The key that signed ``request``; raises AuthFailure/ParameterError otherwise."""
    header = request.headers.get("authorization")
    if not header:
        raise _invalid("The request has no Authorization header; sign it with TC3-HMAC-SHA256.")
    try:
        parsed = signing.parse_authorization(header)
    except ValueError as exc:
        raise _invalid(f"The Authorization header is malformed: {exc}.") from None
    if parsed.algorithm != signing.ALGORITHM:
        raise _invalid(
            f"Authorization algorithm must be {signing.ALGORITHM}, got {parsed.algorithm[:40]!r}."
        )
    if parsed.terminator != signing.TERMINATOR:
        raise _invalid(f"The credential scope must end with /{signing.TERMINATOR}.")
    if parsed.service not in SERVICES:
        raise _invalid(
            f"The credential scope's service must be one of {', '.join(sorted(SERVICES))}, "
            f"got {parsed.service[:40]!r}."
        )
    signed = tuple(h.lower() for h in parsed.signed_headers)
    for required in REQUIRED_SIGNED_HEADERS:
        if required not in signed:
            raise _invalid(f"SignedHeaders must include `{required}` (got {';'.join(signed)}).")
    for name in signed:
        if name not in request.headers:
            raise _invalid(f"The signed header `{name}` is not present in the request.")

    timestamp = timestamp_of(request.headers)
    check_fresh(timestamp, now)
    key = key_of(keys, parsed.secret_id)
    check_token(key, request.headers.get("x-tc-token"))

    expected_date = signing.utc_date(timestamp)
    if parsed.date != expected_date:
        raise AuthFailure(
            "AuthFailure.SignatureFailure",
            f"The credential date {parsed.date} is not the UTC date of X-TC-Timestamp "
            f"({expected_date}).",
        )
    canonical = signing.canonical_request(
        request.method,
        request.path or "/",
        request.query,
        request.headers,
        signed,
        signing.hash_payload(request.body),
    )
    scope = signing.credential_scope(parsed.date, parsed.service)
    expected = signing.sign(
        signing.derive_key(key.secret_key, parsed.date, parsed.service),
        signing.string_to_sign(timestamp, scope, canonical),
    )
    if not hmac.compare_digest(expected, parsed.signature):
        raise AuthFailure(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature "
            "is correct.",
        )
    return key


def signed_service(headers: Mapping[str, str]) -> str:
    """The service a TC3 request claims in its credential scope (``lighthouse`` when it
    names none it could be routed by). Used to route before :func:`verify`, which then
    checks the signature against exactly this service."""
    try:
        service = signing.parse_authorization(headers.get("authorization", "")).service
    except ValueError:
        return SERVICE
    return service if service in SERVICES else SERVICE


def check_fresh(timestamp: int, now: float) -> None:
    """SignatureExpire when ``timestamp`` is more than 5 minutes from ``now``."""
    if abs(now - timestamp) > MAX_SKEW_SECONDS:
        raise AuthFailure(
            "AuthFailure.SignatureExpire",
            f"The request timestamp {timestamp} is more than {MAX_SKEW_SECONDS // 60} minutes "
            "from the server time; check the local clock.",
        )


def key_of(keys: Mapping[str, Key], secret_id: str) -> Key:
    """The accepted key with this SecretId; SecretIdNotFound otherwise."""
    key = keys.get(secret_id)
    if key is None:
        raise AuthFailure(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not known to this sandbox; use the credentials it printed.",
        )
    return key


def check_token(key: Key, token: str | None) -> None:
    """The session token rule of both signing methods (X-TC-Token, or v1's Token)."""
    if key.token is None:
        if token:
            raise AuthFailure(
                "AuthFailure.TokenFailure",
                "A session token (X-TC-Token, or v1's Token) was sent with a long-term key; "
                "send it only with temporary keys.",
            )
        return
    if not token or not hmac.compare_digest(token.encode(), key.token.encode()):
        raise AuthFailure(
            "AuthFailure.TokenFailure",
            "The session token (X-TC-Token, or v1's Token) is missing or not valid.",
        )
