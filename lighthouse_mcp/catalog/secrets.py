"""Which argument and result fields hold secrets, and how to blank them.

One list, used wherever arguments or results leave the process in a form a person or
a model might read: the audit log, error messages, logs. Matching is by field name at
any depth, because the API reuses names (``Password`` sits in LoginConfiguration and in
ResetInstancesPassword alike).
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "<redacted>"

#: Field names whose values are credentials, at any depth of arguments or results.
SECRET_FIELDS = frozenset(
    {
        "Password",  # LoginConfiguration.Password, ResetInstancesPassword
        "PrivateKey",  # CreateKeyPair -> KeyPair.PrivateKey
        "InstanceVncUrl",  # DescribeInstanceVncUrl: a live console login link
        "KeyPassword",
        "SecretKey",
        "Token",
    }
)

#: Structures redacted whole: every member is login material.
SECRET_STRUCTURES = frozenset({"LoginConfiguration"})

#: Lists of {Key, Value} pairs whose values may be anything, e.g. container env vars.
SECRET_PAIR_LISTS = frozenset({"Envs"})


def is_secret_field(name: str) -> bool:
    return name in SECRET_FIELDS or name in SECRET_STRUCTURES


def redact(value: Any) -> Any:
    """A deep copy of ``value`` with every secret field replaced by ``<redacted>``."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_FIELDS or key in SECRET_STRUCTURES:
                out[key] = REDACTED
            elif key in SECRET_PAIR_LISTS and isinstance(item, list):
                out[key] = [_redact_pair(pair) for pair in item]
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def secret_values(value: Any) -> list[str]:
    """The credential texts in ``value``: whatever sits in a secret field (strings, and
    numbers as text) and the values of secret pair lists.

    For text that is not structured, such as an upstream error message that repeats the
    request: the client replaces each of these wherever it occurs (client.errors.scrub).
    Secret *structures* are searched member by member rather than taken whole, so the
    harmless members (LoginConfiguration.KeyIds) stay readable in error messages.
    """
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS:
                found += _leaves(item)
            elif key in SECRET_PAIR_LISTS and isinstance(item, list):
                found += [
                    text
                    for pair in item
                    if isinstance(pair, dict)
                    for text in _leaves(pair.get("Value"))
                ]
                found += secret_values(
                    [
                        {k: v for k, v in pair.items() if k != "Value"}
                        for pair in item
                        if isinstance(pair, dict)
                    ]
                )
            else:
                found += secret_values(item)
    elif isinstance(value, list):
        for item in value:
            found += secret_values(item)
    return found


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _leaves(item)]
    if isinstance(value, list):
        return [text for item in value for text in _leaves(item)]
    if isinstance(value, bool) or value is None:
        return []
    return [str(value)]


def _redact_pair(pair: Any) -> Any:
    if isinstance(pair, dict) and "Value" in pair:
        return {**redact(pair), "Value": REDACTED}
    return redact(pair)


#: Secrets shorter than this are not searched for in free text: replacing every "ab" in a
#: message would mangle it and hide nothing worth hiding.
MIN_SECRET_CHARS = 4
#: A fragment of a secret this long (or the whole secret if shorter) is masked wherever
#: it occurs; at either end of a text (where a sender cut it) MIN_SECRET_CHARS suffice.
_FRAGMENT_CHARS = 8
_HEX_ESCAPE = re.compile(r"(\\u|%)([0-9a-fA-F]{2,4})")


@functools.lru_cache(maxsize=256)
def secret_forms(secret: str) -> tuple[str, ...]:
    """Every spelling ``secret`` may take in text that quotes it, longest first.

    Raw; JSON string content (ASCII and not, ``\\/``, Go's ``\\u003c``, either hex case);
    Python ``repr``/``ascii`` content in either quote style; URL-encoded (``%20`` and
    ``+``, either hex case); HTML-escaped; each JSON/repr form escaped once more (a
    request quoted inside a quoted message); and base64 of the raw and JSON forms at
    the three byte alignments a value can have inside a longer base64 text (the API
    carries JSON as base64: DescribeDockerContainerDetail's ContainerDetail, TAT's
    command content).
    """
    if len(secret) < MIN_SECRET_CHARS:
        return ()
    quoted = {form for text in (secret,) for form in _quoted_forms(text)}
    forms = set(quoted)
    for form in quoted:
        forms.update(_quoted_forms(form))
    forms.update(_url_forms(secret))
    forms.add(html.escape(secret))
    forms.add(html.escape(secret, quote=False))
    for form in {secret, *_json_forms(secret)}:
        forms.update(_base64_forms(form.encode("utf-8", "surrogatepass")))
    return tuple(sorted((f for f in forms if len(f) >= MIN_SECRET_CHARS), key=len, reverse=True))


def secret_fragments(text: str, secrets: Iterable[str | None]) -> list[tuple[int, int]]:
    """Spans of ``text`` that hold a secret in any of its forms, or a piece of one: a
    prefix of at least 8 characters anywhere, or a prefix ending the text / a suffix
    starting it of at least 4 (a secret that crossed a cut). Spans may overlap."""
    spans: list[tuple[int, int]] = []
    for secret in secrets:
        if not secret:
            continue
        for form in secret_forms(secret):
            spans.extend(_occurrences(text, form))
    return spans


def mask(text: str, secrets: Iterable[str | None], replacement: str = "***") -> str:
    """``text`` with every span ``secret_fragments`` finds replaced by ``replacement``."""
    spans = sorted(secret_fragments(text, list(secrets)))
    if not spans:
        return text
    out: list[str] = []
    at = 0
    end = -1
    for start, stop in spans:
        if start > end:
            if end >= 0:
                out.append(replacement)
            out.append(text[at:start])
            end = stop
        else:
            end = max(end, stop)
        at = end
    out.append(replacement)
    out.append(text[at:])
    return "".join(out)


def _occurrences(text: str, form: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    start = text.find(form)
    while start >= 0:
        found.append((start, start + len(form)))
        start = text.find(form, start + 1)
    # pieces of the form: a prefix of >= 8 anywhere (then as long as it matches)
    head = form[: min(len(form) - 1, _FRAGMENT_CHARS)]
    if len(head) >= _FRAGMENT_CHARS:
        start = text.find(head)
        while start >= 0:
            stop = start + len(head)
            while (
                stop < len(text) and stop - start < len(form) and (text[stop] == form[stop - start])
            ):
                stop += 1
            found.append((start, stop))
            start = text.find(head, start + 1)
    # a prefix ending the text, a suffix starting it
    for size in range(min(len(form) - 1, len(text)), MIN_SECRET_CHARS - 1, -1):
        if text.endswith(form[:size]):
            found.append((len(text) - size, len(text)))
            break
    for size in range(min(len(form) - 1, len(text)), MIN_SECRET_CHARS - 1, -1):
        if text.startswith(form[-size:]):
            found.append((0, size))
            break
    return found


def _quoted_forms(text: str) -> set[str]:
    return {text, *_json_forms(text), *_repr_forms(text)}


def _json_forms(text: str) -> set[str]:
    forms = {json.dumps(text, ensure_ascii=True)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    for form in list(forms):
        forms.add(form.replace("/", "\\/"))
        forms.add(form.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    return forms | {_upper_hex(form) for form in forms}


def _repr_forms(text: str) -> set[str]:
    forms: set[str] = set()
    for render in (repr, ascii):
        single = render(text + "'\"")[1:-4]  # single-quote style: ' escaped, " not
        double = single.replace("\\'", "'").replace('"', '\\"')
        plain = render(text)[1:-1]
        forms.update((single, double, plain))
    return forms


def _url_forms(text: str) -> set[str]:
    raw = text.encode("utf-8", "surrogatepass")
    forms = {quote(raw, safe=""), quote_plus(raw, safe=""), quote(raw), quote_plus(raw)}
    return forms | {_HEX_ESCAPE.sub(lambda m: m[1] + m[2].lower(), form) for form in forms}


def _upper_hex(text: str) -> str:
    return _HEX_ESCAPE.sub(lambda m: m[1] + m[2].upper(), text)


def _base64_forms(raw: bytes) -> set[str]:
    """The base64 characters fixed by ``raw`` alone, at each of the three alignments."""
    forms: set[str] = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw).decode()
        first = -(-pad * 8 // 6)  # first character whose 6 bits all come from raw
        last = (pad + len(raw)) * 8 // 6  # characters before this index are raw's alone
        inner = encoded[first:last]
        forms.update((inner, inner.replace("+", "-").replace("/", "_")))
    return forms
