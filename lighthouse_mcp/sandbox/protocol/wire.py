"""How a request arrives: which signing method, which encoding, where each part is.

The docs (请求结构, 公共参数, 签名方法 v3 / 签名方法) allow four shapes, all answered alike:

=====================  ==========================  ==========================================
signing                method / Content-Type       common parameters / action parameters
=====================  ==========================  ==========================================
TC3-HMAC-SHA256        POST application/json       ``X-TC-*`` headers / JSON body
TC3-HMAC-SHA256        GET  x-www-form-urlencoded  ``X-TC-*`` headers / flattened query
v1 (HmacSHA1/256)      GET                         all flattened in the query string
v1 (HmacSHA1/256)      POST x-www-form-urlencoded  all flattened in the body
=====================  ==========================  ==========================================

A request with an ``Authorization`` header is TC3; one without it is v1 when its form
pairs carry ``Signature`` or ``SecretId`` (or it is a form POST, which only v1 may send),
else TC3 again so the missing header is what gets reported. What the docs refuse is
refused with a message that says what to send instead: other HTTP methods
(``UnsupportedProtocol``), a TC3 POST that is not JSON (form bodies *must* use v1, the
请求结构 page says; multipart is for specific actions, none of them Lighthouse's), and
packages over the documented sizes — GET 32 KB, v1 POST 1 MB, TC3 POST 10 MB.

Decoding happens before anything else so the request log and fault injection know the
action whichever way it came; :func:`action_params` turns the action's part into the
JSON shape once the catalog entry is known.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Action, Structure

from ..engine.errors import AuthFailure, ParameterError, err
from . import formparams, signature_v1, signature_v3

#: The docs: GET 请求的请求包大小不得超过32KB; v3 POST 支持10MB.
MAX_QUERY_BYTES = 32 * 1024
MAX_TC3_BODY_BYTES = 10 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

Signing = Literal["tc3", "v1"]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One decoded request: its common parameters, and its action parameters still in
    the encoding they came in (JSON bytes, or form pairs)."""

    signing: Signing
    action: str | None
    version: str | None
    region: str | None
    language: str | None
    json_body: bytes | None = None
    form: Sequence[tuple[str, str]] = ()
    v1: signature_v1.V1Request | None = None  # what a v1 signature covers
    #: the service a TC3 request is signed for (lighthouse, tat, monitor); v1 requests,
    #: whose signature names no service, are Lighthouse's
    service: str = "lighthouse"

    def __repr__(self) -> str:  # the pairs may hold passwords and the signature
        return f"Incoming({self.signing}, {self.action}, region={self.region})"


def structures_of(service: str) -> Callable[[str], Structure]:
    """The structure lookup of ``service``'s catalog (names repeat across services)."""
    return functools.partial(catalog.structure, service=service)


def _content_type(request: signature_v3.ReceivedRequest) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def decode(request: signature_v3.ReceivedRequest) -> Incoming:
    """Classify and split ``request``; raises the documented error for a shape the API
    does not accept."""
    method = request.method.upper()
    if method not in ("GET", "POST"):
        raise err(
            "UnsupportedProtocol", f"The API accepts GET and POST requests only, not {method[:10]}."
        )
    if method == "GET":
        if len(request.query.encode("latin-1", "replace")) > MAX_QUERY_BYTES:
            raise err(
                "RequestSizeLimitExceeded",
                "A GET request's query string may not exceed 32 KB; send a POST.",
            )
        pairs = formparams.parse(request.query)
        if "authorization" not in request.headers and _names_v1(pairs):
            return _v1(request, pairs)
        return _tc3_get(request, pairs)
    if len(request.body) > MAX_TC3_BODY_BYTES:
        raise err("RequestSizeLimitExceeded", "The request body exceeds 10 MB.")
    if _content_type(request) == FORM and "authorization" not in request.headers:
        return _v1(request, _form_body(request.body))
    return _tc3_post(request)


def _names_v1(pairs: Sequence[tuple[str, str]]) -> bool:
    return any(name in ("Signature", "SecretId") for name, _ in pairs)


def _headers(request: signature_v3.ReceivedRequest, signing: Signing, **parts: Any) -> Incoming:
    h = request.headers
    return Incoming(
        signing,
        h.get("x-tc-action"),
        h.get("x-tc-version"),
        h.get("x-tc-region"),
        h.get("x-tc-language"),
        **parts,
        service=signature_v3.signed_service(h),
    )


def _tc3_get(request: signature_v3.ReceivedRequest, pairs: list[tuple[str, str]]) -> Incoming:
    content_type = _content_type(request)
    if content_type != FORM:
        raise err(
            "InvalidParameter",
            f"A GET request must have Content-Type {FORM} (the only type the docs "
            f"allow for GET); got {content_type[:60]!r}.",
        )
    return _headers(request, "tc3", form=pairs)


def _tc3_post(request: signature_v3.ReceivedRequest) -> Incoming:
    content_type = _content_type(request)
    if content_type == FORM:
        raise err(
            "InvalidParameter",
            f"A {FORM} POST must be signed with signature method v1 (HmacSHA1 or "
            "HmacSHA256 with Signature in the form); TC3-HMAC-SHA256 POST requests "
            f"take {JSON}.",
        )
    if content_type != JSON:
        raise err(
            "InvalidParameter",
            f"Content-Type must be {JSON} (TC3 signing); got {content_type[:60]!r}.",
        )
    return _headers(request, "tc3", json_body=request.body)


def _form_body(body: bytes) -> list[tuple[str, str]]:
    if len(body) > signature_v1.MAX_BODY_BYTES:
        # What the service answers (tencentcloud-sdk-python#42): v1 packages stop at 1 MB.
        raise AuthFailure(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated because of exceeding request "
            "size limit, please use new signature method `TC3-HMAC-SHA256`.",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParameterError("InvalidParameter", "The form body is not UTF-8.") from None
    return formparams.parse(text)


def _v1(request: signature_v3.ReceivedRequest, pairs: list[tuple[str, str]]) -> Incoming:
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise ParameterError(
                "InvalidParameter", f"The parameter `{name[:80]}` is given more than once."
            )
        params[name] = value
    signed = signature_v1.V1Request(
        request.method.upper(), request.headers.get("host", ""), request.path or "/", params
    )
    return Incoming(
        "v1",
        params.get("Action"),
        params.get("Version"),
        params.get("Region"),
        params.get("Language"),
        form=signature_v1.api_params(pairs),
        v1=signed,
    )


def action_params(incoming: Incoming, entry: Action) -> Any:
    """The action's parameters in the JSON shape the catalog checks expect."""
    if incoming.json_body is None:
        return formparams.unflatten(
            incoming.form, entry["inputs"], structure=structures_of(incoming.service)
        )
    try:
        return json.loads(incoming.json_body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise err("InvalidParameter", f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise err("InvalidParameter", "The request body is nested too deeply.") from None
