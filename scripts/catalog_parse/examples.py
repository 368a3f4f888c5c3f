"""Read an action's request/response examples (section 4. 示例) into JSON objects.

POST examples give the request body as JSON after ``<公共请求参数>``; GET examples give
a query string (``&InstanceIds.0=lhins-…``), which is turned into the equivalent JSON body
so every example has one shape. Values of a query string are strings; ``coerce`` (given
by the caller, who knows the parameter types) turns them into numbers and booleans.
The layout cuts long JSON lines anywhere, even inside strings, so the lines are glued
without separators before parsing; an example that still does not parse is ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from .text import join_flat

_EXAMPLE_TITLE = re.compile(r"^示例\d+\s*(.*)$")
_PLACEHOLDER = "<公共请求参数>"
_GET_PREFIX = "https://lighthouse.tencentcloudapi.com/?"

#: Turns one query-string value into a typed JSON value, given its dotted path.
Coerce = Callable[[list[str], str], Any]


def parse_examples(lines: list[str], coerce: Coerce) -> list[dict[str, Any]]:
    chunks: list[tuple[str, list[str]]] = []
    for line in lines:
        title = _EXAMPLE_TITLE.match(line)
        if title:
            chunks.append((title.group(1).strip(), []))
        elif chunks:
            chunks[-1][1].append(line)
    return [_example(title, body, coerce) for title, body in chunks]


def _example(title: str, body: list[str], coerce: Coerce) -> dict[str, Any]:
    try:
        inp = body.index("输入示例")
        out = body.index("输出示例", inp)
    except ValueError:
        return {"title": title, "input": None, "output": None}
    request = body[inp + 1 : out]
    return {
        "title": title,
        "input": _request(request, coerce),
        "output": loads_lenient(join_flat(body[out + 1 :])),
    }


def _request(lines: list[str], coerce: Coerce) -> dict[str, Any] | None:
    if _PLACEHOLDER in lines:
        return loads_lenient(join_flat(lines[lines.index(_PLACEHOLDER) + 1 :]))
    text = join_flat(lines)
    if not text.startswith(_GET_PREFIX):
        return None
    return query_to_body(text[len(_GET_PREFIX) :], coerce)


def query_to_body(query: str, coerce: Coerce) -> dict[str, Any] | None:
    """``A.0.B=x&A.0.C.1=y`` -> ``{"A": [{"B": x, "C": [?, y]}]}``, without Action/Version."""
    body: dict[str, Any] = {}
    for pair in query.split("&"):
        if not pair or pair == _PLACEHOLDER or "=" not in pair:
            continue
        key, _, raw = pair.partition("=")
        path = key.split(".")
        if path[0] in ("Action", "Version", "Region"):
            continue
        value = coerce([p for p in path if not p.isdigit()], unquote(raw))
        if not _assign(body, path, value):
            return None
    return body


def _assign(node: Any, path: list[str], value: Any) -> bool:
    """Set ``value`` at ``path`` (names and list indexes), creating containers on the way."""
    for k, step in enumerate(path):
        last = k == len(path) - 1
        nxt: Any = value if last else ([] if path[k + 1].isdigit() else {})
        if step.isdigit():
            index = int(step)
            if not isinstance(node, list) or index > len(node):
                return False
            if index == len(node):
                node.append(nxt)
            elif last:
                node[index] = value
            node = node[index]
        else:
            if not isinstance(node, dict):
                return False
            if last:
                node[step] = value
            node = node.setdefault(step, nxt)
    return True


def loads_lenient(text: str) -> dict[str, Any] | None:
    """The first JSON object in cut-up example text; trailing commas forgiven, else None.

    Text after the object is ignored: the extraction sometimes leaves a stray fragment of
    the next heading there.
    """
    start = text.find("{")
    if start < 0:
        return None
    decoder = json.JSONDecoder()
    for candidate in (text[start:], re.sub(r",\s*([}\]])", r"\1", text[start:])):
        try:
            value, _ = decoder.raw_decode(candidate)
        except ValueError:
            continue
        return value if isinstance(value, dict) else None
    return None
