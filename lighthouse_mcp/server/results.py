"""Turning call outcomes into MCP tool results: the Response as structuredContent plus
a short text, cut to a documented size; validation and API failures as tool errors.

Why structuredContent keeps ``RequestId``: it is a documented output field and the one
thing Tencent support asks for, so a model can quote it (outputSchemas are open
objects, so it validates). What is dropped: object members the API returned as
``null``. The docs do not flag every field that can be null, and clients validate
structuredContent against the outputSchema, so one unflagged null would make the whole
result unreadable; an absent member says the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import mcp_types as types

from lighthouse_mcp.tools.quoting import one_line, quote
from lighthouse_mcp.tools.validate import Problem

#: Results whose compact JSON is longer than this many characters are cut (about 15k
#: estimated tokens): the longest arrays are shortened until the JSON fits.
MAX_RESULT_CHARS = 60_000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def text_result(
    text: str, *, structured: dict[str, Any] | None = None, is_error: bool = False
) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=structured,
        is_error=is_error,
    )


def tool_error(
    message: str, *, code: str, details: dict[str, Any] | None = None
) -> types.CallToolResult:
    """A tool error (isError) the model can read: the text, and the same as data."""
    error: dict[str, Any] = {"Code": code, "Message": message}
    if details:
        error.update(details)
    return text_result(message, structured={"Error": error}, is_error=True)


def validation_error(action: str, problems: Sequence[Problem]) -> types.CallToolResult:
    """Every problem at once, each naming the field, what was given and what is expected."""
    count = len(problems)
    lines = [f"{action}: {count} invalid argument{'s' if count != 1 else ''}; nothing was sent."]
    for p in problems:
        where = p.path or "(arguments)"
        # tools.validate's messages already open with the path ("Limit: expected ..."):
        # say it once.
        message = p.message.removeprefix(f"{p.path}: ") if p.path else p.message
        lines.append(f"- {where}: {message} (given: {p.given}; expected: {p.expected})")
    items = [
        {"Field": p.path, "Given": p.given, "Expected": p.expected, "Message": p.message}
        for p in problems
    ]
    return tool_error("\n".join(lines), code="InvalidArguments", details={"Problems": items})


@dataclass
class _Cut:
    path: str
    kept: int
    total: int


def _largest_list(value: Any, path: str) -> tuple[str, list[Any]] | None:
    """The longest (by JSON size) list anywhere in the value, with its dotted path."""
    best: tuple[int, str, list[Any]] | None = None

    def visit(node: Any, where: str) -> None:
        nonlocal best
        if isinstance(node, list):
            if node:
                size = len(_dumps(node))
                if best is None or size > best[0]:
                    best = (size, where, node)
            for i, item in enumerate(node):
                visit(item, f"{where}[{i}]")
        elif isinstance(node, dict):
            for key, item in node.items():
                visit(item, f"{where}.{key}" if where else key)

    visit(value, path)
    return None if best is None else (best[1], best[2])


def cut_to_size(
    response: dict[str, Any], limit: int = MAX_RESULT_CHARS
) -> tuple[dict[str, Any], list[_Cut]]:
    """Shorten the largest arrays (keeping their first items) until the JSON fits.

    Only list lengths change, so the result still matches the action's outputSchema.
    A response with no list to shorten is returned whole (no documented output has a
    string that large).
    """
    if len(_dumps(response)) <= limit:
        return response, []
    data: dict[str, Any] = json.loads(_dumps(response))  # private deep copy
    cuts: dict[str, _Cut] = {}
    while len(_dumps(data)) > limit:
        found = _largest_list(data, "")
        if found is None or len(found[1]) <= 1:
            break
        path, items = found
        cut = cuts.setdefault(path, _Cut(path, len(items), len(items)))
        del items[max(1, len(items) // 2) :]
        cut.kept = len(items)
    return data, list(cuts.values())


def drop_nulls(value: Any) -> Any:
    """``value`` without object members whose value is null (at any depth)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def _summary(action: str, response: dict[str, Any]) -> str:
    parts = []
    for key, value in response.items():
        if key == "RequestId":
            continue
        if isinstance(value, list):
            parts.append(f"{key}: {len(value)} item{'s' if len(value) != 1 else ''}")
        elif isinstance(value, str) and len(value) <= 40:
            parts.append(f"{key}={quote(value)}")  # API data: quoted, never bare prose
        elif isinstance(value, int | float | bool):
            parts.append(f"{key}={value}")
    head = f"{action} succeeded"
    if response.get("RequestId"):
        head += f" (RequestId {response['RequestId']})"
    return head + (": " + ", ".join(parts[:8]) if parts else ".")


def success(
    action: str,
    response: dict[str, Any],
    *,
    page_params: Iterable[str] = (),
    limit: int = MAX_RESULT_CHARS,
) -> types.CallToolResult:
    """The Response as structuredContent plus a text: one summary line and the JSON."""
    response = drop_nulls(response)
    data, cuts = cut_to_size(response, limit)
    lines = [_summary(action, response)]
    if cuts:
        shown = "; ".join(f"{c.path} shows {c.kept} of {c.total} items" for c in cuts)
        pages = set(page_params)
        how = (
            "ask for a page at a time with Offset and Limit"
            if {"Offset", "Limit"} <= pages
            else "narrow the request (ids, Filters) to see the rest"
        )
        lines.append(f"Result cut to {limit} characters: {shown}; {how}.")
    # Still valid JSON: bidi overrides and other hidden characters in API strings become
    # \uXXXX escapes, so the text shows what the data holds.
    lines.append(one_line(_dumps(data)))
    return text_result("\n".join(lines), structured=data)
