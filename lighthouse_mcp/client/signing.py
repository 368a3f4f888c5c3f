"""TC3-HMAC-SHA256 request signing, as the docs' 签名方法 v3 section describes it.

Each step of the docs is one pure function so that golden vectors from the docs can pin
every intermediate string, and so that the sandbox can *verify* a request with the very
same steps (it re-computes the signature from the headers it received and compares).
``TC3Auth`` applies the steps to an outgoing ``httpx.Request``.

The steps, in the docs' order:

1. ``canonical_request`` — method, URI, query, canonical headers (names and values
   lower-cased and trimmed, sorted by name), signed header names, ``hash_payload(body)``.
2. ``string_to_sign`` — algorithm, timestamp, ``credential_scope(utc_date(ts))``,
   hash of the canonical request.
3. ``derive_key`` then ``sign`` — HMAC chain ``"TC3"+key → date → service →
   "tc3_request"``, then HMAC of the string to sign, hex-encoded.
4. ``authorization_header`` — ``TC3-HMAC-SHA256 Credential=…, SignedHeaders=…,
   Signature=…``.

The credential scope's service is the product called (``lighthouse``, ``tat``,
``monitor``), whatever host the request goes to (a loopback sandbox, a private
endpoint): the scope names the *product*, not the address.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

import httpx

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "lighthouse"
TERMINATOR = "tc3_request"
#: Headers this client signs: the two the docs require plus the action, so a captured
#: request cannot be replayed as a different action.
DEFAULT_SIGNED_HEADERS: tuple[str, ...] = ("content-type", "host", "x-tc-action")


def mask_secret_id(secret_id: str) -> str:
    """A SecretId shown as ``AKID…abcd``: enough to tell keys apart in a log."""
    return f"{secret_id[:4]}…{secret_id[-4:]}" if len(secret_id) > 12 else "…"


def utc_date(timestamp: int) -> str:
    """The credential-scope date: the *UTC* calendar date of the timestamp.

    The docs warn that using local time (e.g. UTC+8) makes calls fail every night just
    after local midnight, so the time zone is fixed here, not taken from the machine.
    """
    return _utc_day(timestamp // 86400)


@lru_cache(maxsize=8)
def _utc_day(day: int) -> str:
    # POSIX time has exactly 86,400 seconds a day, so the day number fixes the date;
    # caching it saves a datetime construction per signed request.
    return datetime.fromtimestamp(day * 86400, tz=UTC).strftime("%Y-%m-%d")


def hash_payload(payload: bytes) -> str:
    """Lower-case hex SHA-256 of the exact bytes sent as the body (empty for GET)."""
    return hashlib.sha256(payload).hexdigest()


def signed_headers_line(names: Iterable[str]) -> str:
    """Header names lower-cased, de-duplicated, ASCII-sorted, joined with ``;``."""
    return ";".join(sorted({name.strip().lower() for name in names}))


def canonical_request(
    method: str,
    uri: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    hashed_payload: str,
) -> str:
    """The docs' CanonicalRequest.

    ``headers`` maps lower-case names to values; every name in ``signed_headers`` must be
    present (a ValueError names the missing one, which is what a verifier reports).
    Values are lower-cased and trimmed, as the docs require (hence
    ``x-tc-action:describeinstances``).
    """
    names = signed_headers_line(signed_headers).split(";")
    lines = []
    for name in names:
        if name not in headers:
            raise ValueError(f"signed header {name!r} is not in the request")
        lines.append(f"{name}:{headers[name].strip().lower()}\n")
    return "\n".join([method.upper(), uri, query, "".join(lines), ";".join(names), hashed_payload])


def credential_scope(date: str, service: str = SERVICE) -> str:
    """``Date/service/tc3_request``."""
    return f"{date}/{service}/{TERMINATOR}"


def string_to_sign(timestamp: int, scope: str, canonical_request: str) -> str:
    """The docs' StringToSign: algorithm, timestamp, scope, hashed canonical request."""
    hashed = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashed}"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def derive_key(secret_key: str, date: str, service: str = SERVICE) -> bytes:
    """SecretSigning = HMAC(HMAC(HMAC("TC3"+SecretKey, Date), Service), "tc3_request")."""
    secret_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    secret_service = _hmac(secret_date, service)
    return _hmac(secret_service, TERMINATOR)


def sign(derived_key: bytes, string_to_sign: str) -> str:
    """Signature = HexEncode(HMAC_SHA256(SecretSigning, StringToSign))."""
    return hmac.new(derived_key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(
    secret_id: str, scope: str, signed_headers: Sequence[str], signature: str
) -> str:
    """The value of the ``Authorization`` header."""
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers_line(signed_headers)}, Signature={signature}"
    )


def request_string_to_sign(
    *,
    method: str,
    uri: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    payload: bytes,
    timestamp: int,
    date: str,
    service: str = SERVICE,
) -> str:
    """Steps 1 and 2 over a whole request: canonical request, then string to sign."""
    creq = canonical_request(method, uri, query, headers, signed_headers, hash_payload(payload))
    return string_to_sign(timestamp, credential_scope(date, service), creq)


def compute_signature(
    *,
    secret_key: str,
    method: str,
    uri: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    payload: bytes,
    timestamp: int,
    date: str | None = None,
    service: str = SERVICE,
) -> str:
    """All steps at once, for a verifier (the sandbox) and for tests.

    ``date`` defaults to ``utc_date(timestamp)``; a verifier passes the date from the
    received credential scope so a date/timestamp mismatch shows as a bad signature.
    """
    day = utc_date(timestamp) if date is None else date
    sts = request_string_to_sign(
        method=method,
        uri=uri,
        query=query,
        headers=headers,
        signed_headers=signed_headers,
        payload=payload,
        timestamp=timestamp,
        date=day,
        service=service,
    )
    return sign(derive_key(secret_key, day, service), sts)


@dataclass(frozen=True, slots=True)
class ParsedAuthorization:
    """The parts of a received ``Authorization`` header (no secret in here)."""

    algorithm: str
    secret_id: str
    date: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def parse_authorization(value: str) -> ParsedAuthorization:
    """Split an ``Authorization`` value into its fields; ValueError says what is wrong.

    Only the *shape* is checked here (three fields, a scope of four parts, a date, a
    64-hex signature). Whether the algorithm, service and signature are acceptable is the
    verifier's decision, so it can answer with the matching API error code.
    """
    algorithm, _, rest = value.strip().partition(" ")
    if not rest:
        raise ValueError("Authorization must be 'TC3-HMAC-SHA256 Credential=..., ...'")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if not sep:
            raise ValueError(f"Authorization field {part.strip()!r} is not key=value")
        fields[key] = val.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if k not in fields]
    if missing:
        raise ValueError(f"Authorization lacks {', '.join(missing)}")
    scope = fields["Credential"].rsplit("/", 3)
    if len(scope) != 4 or not all(scope):
        raise ValueError("Credential must be SecretId/Date/service/tc3_request")
    secret_id, date, service, terminator = scope
    if not _DATE.fullmatch(date):
        raise ValueError(f"Credential date {date!r} is not YYYY-MM-DD")
    signed = tuple(h for h in fields["SignedHeaders"].split(";") if h)
    if not signed:
        raise ValueError("SignedHeaders is empty")
    if not _HEX64.fullmatch(fields["Signature"]):
        raise ValueError("Signature must be 64 lower-case hex characters")
    return ParsedAuthorization(
        algorithm=algorithm,
        secret_id=secret_id,
        date=date,
        service=service,
        terminator=terminator,
        signed_headers=signed,
        signature=fields["Signature"],
    )


class SigningKey(Protocol):
    """What the signer needs from credentials (``client.credentials.Credentials`` fits)."""

    @property
    def secret_id(self) -> str: ...
    @property
    def secret_key(self) -> str: ...
    @property
    def token(self) -> str | None: ...


class TC3Auth(httpx.Auth):
    """Signs each outgoing request; httpx calls it again for every retry attempt.

    It stamps ``X-TC-Timestamp`` from ``clock`` unless the request already carries one
    (so the date in the scope always matches the header), adds ``X-TC-Token`` for
    temporary credentials, and signs ``content-type``, ``host`` and ``x-tc-action``.
    The derived key is cached per UTC day: it only depends on the key and the date.
    """

    requires_request_body = True

    def __init__(
        self,
        credentials: SigningKey,
        *,
        service: str = SERVICE,
        clock: Callable[[], float] = time.time,
        signed_headers: Sequence[str] = DEFAULT_SIGNED_HEADERS,
    ) -> None:
        self._credentials = credentials
        self._service = service
        self._clock = clock
        self._signed = tuple(signed_headers)
        self._key_cache: tuple[str, str, bytes] | None = None  # (secret_key, date, key)

    def __repr__(self) -> str:
        secret_id = mask_secret_id(self._credentials.secret_id)
        return f"TC3Auth(secret_id={secret_id!r}, service={self._service!r})"

    def _derived_key(self, secret_key: str, date: str) -> bytes:
        cached = self._key_cache
        if cached is not None and cached[0] == secret_key and cached[1] == date:
            return cached[2]
        key = derive_key(secret_key, date, self._service)
        self._key_cache = (secret_key, date, key)
        return key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        creds = self._credentials
        headers = request.headers
        stamp = headers.get("x-tc-timestamp")
        if stamp is None:
            stamp = headers["X-TC-Timestamp"] = str(int(self._clock()))
        timestamp = int(stamp)
        if creds.token:
            headers["X-TC-Token"] = creds.token
        elif "x-tc-token" in headers:
            del headers["X-TC-Token"]
        date = utc_date(timestamp)
        # one pass over the headers (httpx's per-name lookup scans them all each time)
        present = dict(headers.items())
        sts = request_string_to_sign(
            method=request.method,
            uri=request.url.raw_path.split(b"?", 1)[0].decode("ascii") or "/",
            query=request.url.query.decode("ascii"),
            headers={k: present[k] for k in self._signed if k in present},
            signed_headers=self._signed,
            payload=request.content,
            timestamp=timestamp,
            date=date,
            service=self._service,
        )
        signature = sign(self._derived_key(creds.secret_key, date), sts)
        scope = credential_scope(date, self._service)
        headers["Authorization"] = authorization_header(
            creds.secret_id, scope, self._signed, signature
        )
        yield request
