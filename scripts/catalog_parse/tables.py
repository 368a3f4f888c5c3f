"""Read the parameter and error-code tables out of cleaned lines.

A table row in the extraction is a head (``Name 是 String``, ``Name String 否``,
``Name String``) followed by description lines, but the PDF layout breaks heads across
lines (``DiskIds.N 是`` / ``Array of`` / ``String``, ``CreatedTime`` / ``Timestamp`` /
``ISO8601``). A head is recognised only when its type is a documented scalar or a known
structure name, which is what keeps description lines from being taken for rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from .text import column_width, is_wrapped, join_flat, join_wrapped

SCALARS = frozenset(
    {"String", "Integer", "Boolean", "Float", "Double", "Date", "Timestamp", "Binary"}
)
TABLE_HEADERS = frozenset(
    {
        "参数名称 必选 类型 描述",
        "参数名称 类型 描述",
        "参数名称 类型 必选 描述",
        "名称 类型 必选 描述",
        "名称 类型 描述",
        "错误码 描述",
        "错误码 说明",
    }
)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.N)?$")
_EXAMPLE = "示例值："
_MAX_HEAD_LINES = 4


class Layout(Enum):
    """Column order of a parameter table."""

    REQUIRED_FIRST = "name required type"  # action input tables
    REQUIRED_LAST = "name type required"  # input structure tables
    NO_REQUIRED = "name type"  # output tables, output structures


@dataclass
class RawParam:
    """A parsed table row before constraint extraction."""

    name: str
    type: str
    array: bool
    required: bool | None
    description_lines: list[str] = field(default_factory=list)
    example: str | None = None
    column_width: int | None = None  # width of the table's description column

    @property
    def description(self) -> str:
        return join_wrapped(self.description_lines, self.column_width)


@dataclass(frozen=True)
class _Head:
    name: str
    type: str
    array: bool
    required: bool | None
    rest: str  # description text that followed the head on its last line


def _parse_type(tokens: list[str], structures: frozenset[str]) -> tuple[str, bool, int] | None:
    """(type, array, tokens used) from the start of ``tokens``; None if not a type (yet)."""
    array = False
    used = 0
    if tokens[:1] == ["Array"]:
        if tokens[1:2] != ["of"]:
            return None
        array, used = True, 2
    if len(tokens) <= used:
        return None
    name = tokens[used]
    used += 1
    if name == "Timestamp" and tokens[used : used + 1] == ["ISO8601"]:
        return "Timestamp ISO8601", array, used + 1
    if name in SCALARS or name in structures:
        return name, array, used
    return None


def _parse_head(text: str, layout: Layout, structures: frozenset[str]) -> _Head | None:
    tokens = text.split(" ")
    name = tokens[0]
    if not _NAME.match(name):
        return None
    rest = tokens[1:]
    required: bool | None = None
    if layout is Layout.REQUIRED_FIRST:
        if not rest or rest[0] not in ("是", "否"):
            return None
        required, rest = rest[0] == "是", rest[1:]
    if not rest:
        return None
    parsed = _parse_type(rest, structures)
    if parsed is None:
        return None
    type_, array, used = parsed
    rest = rest[used:]
    if layout is Layout.REQUIRED_LAST:
        if not rest or rest[0] not in ("是", "否"):
            return None
        required, rest = rest[0] == "是", rest[1:]
    return _Head(name, type_, array, required, " ".join(rest))


def _head_at(
    lines: list[str], i: int, layout: Layout, structures: frozenset[str]
) -> tuple[_Head, int] | None:
    """The row head starting at line ``i`` and the number of lines it spans, if any."""
    if not _NAME.match(lines[i].split(" ")[0]):
        return None
    for span in range(1, _MAX_HEAD_LINES + 1):
        if i + span > len(lines):
            return None
        head = _parse_head(" ".join(lines[i : i + span]), layout, structures)
        if head is None:
            continue
        # "Timestamp" may be the first half of "Timestamp ISO8601" cut by the layout.
        nxt = i + span
        if (
            head.type == "Timestamp"
            and not head.rest
            and nxt < len(lines)
            and lines[nxt].split(" ")[0] == "ISO8601"
        ):
            longer = _parse_head(" ".join(lines[i : nxt + 1]), layout, structures)
            if longer is not None:
                return longer, span + 1
        return head, span
    return None


def parse_params(
    lines: Iterable[str], layout: Layout, structures: frozenset[str]
) -> list[RawParam]:
    """Every row of a parameter table; ``lines`` is the table body (headers allowed)."""
    body = [ln for ln in lines if ln not in TABLE_HEADERS]
    rows: list[tuple[RawParam, list[str]]] = []
    i = 0
    while i < len(body):
        found = _head_at(body, i, layout, structures)
        if found is not None:
            head, span = found
            name = head.name.removesuffix(".N")
            param = RawParam(name, head.type, head.array or name != head.name, head.required)
            rows.append((param, [head.rest] if head.rest else []))
            i += span
            continue
        if rows:
            rows[-1][1].append(body[i])
        i += 1
    width = column_width(line for _, texts in rows for line in texts)
    for param, texts in rows:
        param.column_width = width
        _fill(param, texts, width)
    return [param for param, _ in rows]


def _fill(row: RawParam, texts: list[str], width: int) -> None:
    """Split a row's text lines into description and 示例值 (example).

    An example continues on the next line only when the layout wrapped it, i.e. when the
    line was full width; anything after a short example line is description again.
    """
    in_example = False
    for line in texts:
        if line.startswith(_EXAMPLE):
            row.example = line[len(_EXAMPLE) :].strip()
            # "示例值：" alone: the value starts on the next line.
            in_example = not row.example or is_wrapped(line, width)
        elif in_example and row.example is not None:
            row.example = join_flat([row.example, line])
            in_example = is_wrapped(line, width)
        else:
            row.description_lines.append(line)


_CODE = re.compile(r"^[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+)*$")
#: A dotless error code is CamelCase with at least two words (``InternalError``), which a
#: wrapped description line starting with one English word (``Timestamp 和…``) is not.
_CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")


def parse_errors(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(code, description) rows of an error-code table; wrapped descriptions rejoined."""
    rows: list[tuple[str, list[str]]] = []
    for line in lines:
        if line in TABLE_HEADERS or line.startswith("以下仅列出了"):
            continue
        code, _, text = line.partition(" ")
        if _CODE.match(code) and ("." in code or _CAMEL.match(code)):
            rows.append((code, [text] if text else []))
        elif rows:
            rows[-1][1].append(line)
    width = column_width(line for _, parts in rows for line in parts)
    return [(code, join_wrapped(parts, width)) for code, parts in rows]
