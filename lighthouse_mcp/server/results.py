"""Turning call outcomes into MCP tool results: the Response as structuredContent plus
a concise text, cut to a documented size (and then marked); validation and API failures
as tool errors.

Why structuredContent keeps ``RequestId``: it is a documented output field and the one
thing Tencent support asks for, so a model can quote it (outputSchemas are open
objects, so it validates). What is dropped: object members the API returned as
``null``. The docs do not flag every field that can be null, and clients validate
structuredContent against the outputSchema, so one unflagged null would make the whole
result unreadable; an absent member says the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mcp_types as types

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.concise import concise_text
from lighthouse_mcp.tools.paging import paging_spec
from lighthouse_mcp.tools.validate import Problem
from lighthouse_mcp.tools.whole_lists import TRUNCATED, Truncation, truncation

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
        # Say each thing once: most messages already quote the value and the expectation
        # (an enum's whole list), and a long list twice costs the model twice.
        extra = [f"given: {p.given}"] if p.given not in message else []
        extra += [f"expected: {p.expected}"] if p.expected not in message else []
        lines.append(f"- {where}: {message}" + (f" ({'; '.join(extra)})" if extra else ""))
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


#: structuredContent's member naming the region a result came from: lower snake_case
#: with a leading underscore, like the truncation marker, so it is never an API member.
REGION_MEMBER = "_region"
#: Characters a cut result keeps free for its ``_truncated`` marker and ``_region``.
MARKER_ROOM = 600


def _marker(
    action: str, data: dict[str, Any], cut: _Cut, limit: int, arguments: Mapping[str, Any]
) -> Truncation:
    """The ``_truncated`` marker for a result cut to size: the exact next page when the
    cut list is the one the action pages through."""
    spec = paging_spec(action) if action in catalog.action_names() else None
    offset = arguments.get("Offset", 0)
    pages = spec is not None and cut.path == spec.list_field and isinstance(offset, int)
    total = data.get("TotalCount") if pages else None
    return truncation(
        "result_size",
        list_field=cut.path,
        returned=cut.kept,
        cap=limit,
        total=total if isinstance(total, int) else None,
        next_offset=int(offset) + cut.kept if pages else None,
        page_size=spec.page_size if pages and spec is not None else None,
    )


def success(
    action: str,
    response: dict[str, Any],
    *,
    region: str | None = None,
    arguments: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
    limit: int = MAX_RESULT_CHARS,
) -> types.CallToolResult:
    """The Response as structuredContent plus a concise text (tools/concise.py): the
    headline figures and the region first, empty members left out, lists as tables.

    A result longer than ``limit`` is cut (its longest lists shortened) and then carries
    the ``_truncated`` marker; an ``all_pages`` result (it has ``Paging``) is never cut
    here: its own caps, counted after ``fields``, already bound it and mark any cut.
    """
    response = drop_nulls(response)
    data = response
    cuts: list[_Cut] = []
    if "Paging" not in response and len(_dumps(response)) > limit:
        data, cuts = cut_to_size(response, limit - MARKER_ROOM)
    if cuts and TRUNCATED not in data:
        data[TRUNCATED] = _marker(action, data, cuts[0], limit, arguments or {})
    shown = {k: v for k, v in data.items() if k != TRUNCATED}
    lines = [concise_text(action, shown, region)]
    marker = data.get(TRUNCATED)
    if isinstance(marker, dict):
        lines.append(f"Cut ({TRUNCATED}): {marker.get('hint', '')}")
    lines += notes
    if region:
        data = {**data, REGION_MEMBER: region}
    return text_result("\n".join(lines), structured=data)
