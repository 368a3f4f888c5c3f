"""Signature method v1 (``HmacSHA1`` / ``HmacSHA256``): the form-parameter signature.

The docs' 签名方法 page: every parameter — the common ones (Action, Version, Region,
Timestamp, Nonce, SecretId, SignatureMethod, Token, Language) and the action's own, in
their flattened spelling — travels as a form pair in the GET query or the POST body, and
``Signature`` is::

    base64(HMAC(SecretKey, METHOD + host + path + "?" + "&".join(name=value, ...)))

with the pairs sorted by name in ASCII order (``InstanceIds.12`` before
``InstanceIds.2``), the *decoded* values (the docs: 参数值为原始值而非 url 编码后的值), and
HMAC-SHA256 only when ``SignatureMethod`` is exactly ``HmacSHA256`` (any other value, or
none, means HMAC-SHA1, as the 公共参数 page says). The host is the ``Host`` the request
arrived with, as for TC3.

Codes: a missing or non-numeric Timestamp/Nonce/SecretId/Signature is a parameter error;
then ``AuthFailure.SignatureExpire`` (Timestamp 5 minutes off), ``SecretIdNotFound``,
``TokenFailure`` and ``SignatureFailure`` in the same order as TC3. Nonce and Timestamp
together guard against replay (the docs: 与 Timestamp 联合起来，用于防止重放攻击): a
(SecretId, Timestamp, Nonce) seen before within the freshness window is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..engine.errors import AuthFailure, ParameterError
from . import signature_v3

#: SignatureMethod values; anything else (or none) verifies with HMAC-SHA1.
HMAC_SHA256 = "HmacSHA256"
HMAC_SHA1 = "HmacSHA1"
#: Common parameters of v1 (the 公共参数 page), plus ``RequestClient``, which the official
#: SDKs add to every v1 request; none of them is an input of the action.
COMMON_PARAMS = frozenset(
    {
        "Action",
        "Version",
        "Region",
        "Timestamp",
        "Nonce",
        "SecretId",
        "Signature",
        "SignatureMethod",
        "Token",
        "Language",
        "RequestClient",
    }
)
#: The docs: POST 请求使用签名方法 v1 时不得超过1MB.
MAX_BODY_BYTES = 1024 * 1024

_POSITIVE = re.compile(r"[1-9]\d{0,19}")


def string_to_sign(method: str, host: str, path: str, params: Mapping[str, str]) -> str:
    """``GETcvm.tencentcloudapi.com/?Action=...&Nonce=...`` from the decoded parameters
    (``Signature`` itself excluded)."""
    query = "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "Signature")
    return f"{method.upper()}{host}{path or '/'}?{query}"


def signature(secret_key: str, text: str, method: str | None) -> str:
    """Base64 of the HMAC of ``text``: SHA-256 for ``HmacSHA256``, SHA-1 otherwise."""
    digest = hashlib.sha256 if method == HMAC_SHA256 else hashlib.sha1
    mac = hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), digest)
    return base64.b64encode(mac.digest()).decode("ascii")


@dataclass
class NonceLedger:
    """(SecretId, Timestamp, Nonce) triples accepted within the freshness window.

    A triple is only ever accepted once; entries older than the window are dropped, since
    a request that old is refused as expired anyway.
    """

    window: float = signature_v3.MAX_SKEW_SECONDS
    _seen: dict[tuple[str, int, str], float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"NonceLedger(entries={len(self._seen)})"

    def first_use(self, secret_id: str, timestamp: int, nonce: str, now: float) -> bool:
        """True (and remembered) the first time; False for a replay."""
        if len(self._seen) > 1024:
            self._seen = {k: t for k, t in self._seen.items() if now - t <= 2 * self.window}
        triple = (secret_id, timestamp, nonce)
        if triple in self._seen:
            return False
        self._seen[triple] = now
        return True

    def clear(self) -> None:
        self._seen.clear()


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise ParameterError(
            "MissingParameter",
            f"The request is missing the common parameter `{name}` (signature method v1).",
        )
    return value


def _positive(params: Mapping[str, str], name: str, what: str) -> str:
    value = _required(params, name).strip()
    if not _POSITIVE.fullmatch(value):
        raise ParameterError("InvalidParameter", f"`{name}` must be {what}; got {value[:20]!r}.")
    return value


@dataclass(frozen=True, slots=True)
class V1Request:
    """What the v1 signature covers, as received: method, Host, path, decoded pairs."""

    method: str
    host: str
    path: str
    params: Mapping[str, str]  # every form pair, Signature included


def verify(
    request: V1Request, keys: Mapping[str, signature_v3.Key], now: float, ledger: NonceLedger
) -> signature_v3.Key:
    """The key that signed ``request``; raises AuthFailure/ParameterError otherwise."""
    params = request.params
    timestamp = int(_positive(params, "Timestamp", "an integer UNIX time in seconds"))
    nonce = _positive(params, "Nonce", "a positive integer")
    secret_id = _required(params, "SecretId")
    given = _required(params, "Signature")
    signature_v3.check_fresh(timestamp, now)
    key = signature_v3.key_of(keys, secret_id)
    signature_v3.check_token(key, params.get("Token"))
    text = string_to_sign(request.method, request.host, request.path, params)
    expected = signature(key.secret_key, text, params.get("SignatureMethod"))
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8")):
        raise AuthFailure(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature "
            "is correct.",
        )
    if not ledger.first_use(secret_id, timestamp, nonce, now):
        raise AuthFailure(
            "AuthFailure.SignatureFailure",
            f"This Nonce ({nonce[:20]}) was already used with this SecretId and Timestamp: "
            "a replayed request. Use a fresh random Nonce for every request.",
        )
    return key


def api_params(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs that are the action's own inputs (the common parameters removed)."""
    return [(name, value) for name, value in pairs if name not in COMMON_PARAMS]
