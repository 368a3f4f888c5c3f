"""Hostile upstreams that echo the request back in every encoding a secret can take.

Each mode is an ``httpx.MockTransport`` handler: it answers the request with its own body
quoted some way (JSON-escaped, repr-escaped, URL-encoded, base64, cut inside a secret,
behind 5 MB of padding), as an API error or as a non-API answer. Used by the property
tests that draw random secrets (quotes, backslashes, non-ASCII) and check every text the
project makes from such an answer.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable

import httpx
from hypothesis import strategies as st

from lighthouse_mcp.catalog.secrets import MIN_SECRET_CHARS, secret_forms

Handler = Callable[[httpx.Request], httpx.Response]


def _api_error(message: str, code: str = "InvalidParameterValue") -> httpx.Response:
    return httpx.Response(
        200,
        json={"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-echo"}},
    )


def _body(request: httpx.Request) -> str:
    return request.content.decode()


def _cut_inside(request: httpx.Request, secret: str) -> str:
    """The request text cut in the middle of the secret, as a sender cutting at N does."""
    text = _body(request)
    raw = json.dumps(secret, ensure_ascii=False)[1:-1]
    at = text.find(raw)
    return text[: at + max(MIN_SECRET_CHARS, len(raw) // 2)] if at >= 0 else text


def handlers(secret: str) -> dict[str, Handler]:
    """Every echo mode, by name, for requests carrying ``secret``."""
    return {
        "api-json": lambda r: _api_error(_body(r)),
        "api-repr": lambda r: _api_error(repr(json.loads(_body(r)))),
        "api-ascii": lambda r: _api_error(ascii(json.loads(_body(r)))),
        "api-json-twice": lambda r: _api_error(json.dumps(_body(r))),
        "api-url": lambda r: _api_error(urllib.parse.urlencode(_flat(json.loads(_body(r))))),
        "api-base64": lambda r: _api_error("detail " + base64.b64encode(r.content).decode()),
        "api-cut": lambda r: _api_error(_cut_inside(r, secret)),
        "api-huge": lambda r: _api_error("x" * 5_000_000 + _body(r)),
        "api-internal": lambda r: _api_error(_body(r), code="InternalError"),
        "502-repr": lambda r: httpx.Response(502, text=repr(json.loads(_body(r)))),
        "502-padded": lambda r: httpx.Response(502, text="p" * 150 + _body(r)),
        "502-cut": lambda r: httpx.Response(502, text=_cut_inside(r, secret)),
        "502-url": lambda r: httpx.Response(502, text=urllib.parse.quote(_body(r))),
    }


MODES = sorted(handlers("xxxx"))


def _flat(value: object, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flat(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _flat(v, f"{prefix}{i}.")]
    return [(prefix.rstrip("."), str(value))]


#: Secrets with the characters that escaping changes: quotes, backslash, slash, <>&,
#: percent, plus, spaces, non-ASCII (CJK, accents, emoji). A fixed head and tail keep a
#: drawn secret from matching ordinary text by chance ("0000" is in many RequestIds).
SECRETS = st.builds(
    lambda core: f"Pw{core}#9",
    st.text(
        alphabet=st.sampled_from(list("aZ09'\"\\/<>&%+ =:,{}é中😀\n\t"))
        | st.characters(codec="utf-8", exclude_characters="*"),
        min_size=4,
        max_size=24,
    ),
)


def leaks(secret: str, text: str) -> list[str]:
    """The forms of ``secret`` found in ``text``, and a prefix of one ending it."""
    found = [form for form in secret_forms(secret) if form in text]
    for form in secret_forms(secret):
        for size in range(len(form) - 1, MIN_SECRET_CHARS - 1, -1):
            if text.endswith(form[:size]):
                found.append(f"prefix {form[:size]!r} at the end")
                break
    return found
