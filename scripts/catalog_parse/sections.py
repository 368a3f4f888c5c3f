"""Cut the cleaned docs lines into their documents and read the small fixed-layout ones.

The docs are one PDF of many documents: the API overview (groups, titles, rate limits),
the request structure (endpoints), the common parameters, the region list, one document
per action, the data structures and the error codes. Each is located by a heading line
that the extraction keeps verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tables import TABLE_HEADERS, parse_errors
from .text import join_flat, join_wrapped

ACTION_START = "1. 接口描述"
_OVERVIEW_HEADER = "接口名称 接口功能 频率限制（次/秒）"
_GROUP_HEADING = re.compile(r"^(\S+?)(?:相关)?接口$")
_OVERVIEW_ROW = re.compile(r"^([A-Z][A-Za-z0-9]+) (\S.*?) (\d+)$")


class DocsFormatError(ValueError):
    """The docs text does not have the layout this parser knows; names what is missing."""


def index_of(lines: list[str], text: str, start: int = 0) -> int:
    try:
        return lines.index(text, start)
    except ValueError:
        raise DocsFormatError(f"the docs have no line {text!r} after line {start}") from None


@dataclass(frozen=True)
class OverviewRow:
    name: str
    title: str
    rate_limit: int
    group: str


def overview(lines: list[str]) -> list[OverviewRow]:
    """The API overview table: every action with its group, Chinese title and rate limit."""
    first = index_of(lines, _OVERVIEW_HEADER)
    end = index_of(lines, "1. 服务地址", first)
    group = ""
    rows: list[OverviewRow] = []
    for line in lines[first - 1 : end]:
        heading = _GROUP_HEADING.match(line)
        if heading and " " not in line:
            group = heading.group(1)
            continue
        row = _OVERVIEW_ROW.match(line)
        if row:
            if not group:
                raise DocsFormatError(f"overview row {line!r} precedes every group heading")
            rows.append(OverviewRow(row.group(1), row.group(2), int(row.group(3)), group))
    return rows


@dataclass(frozen=True)
class EndpointRows:
    default: str
    regional: dict[str, str]  # region name (Chinese) -> domain
    financial: dict[str, str]  # region name (Chinese) -> domain


_DOMAIN_ROW = re.compile(r"^(\S+) (lighthouse\.[a-z0-9.-]*tencentcloudapi\.com)$")


def endpoints(lines: list[str]) -> EndpointRows:
    start = index_of(lines, "目前支持的域名列表为：")
    end = index_of(lines, "2. 通信协议", start)
    default = ""
    regional: dict[str, str] = {}
    financial: dict[str, str] = {}
    target = regional
    for line in lines[start:end]:
        if line.startswith("金融区接入地域"):
            target = financial
            continue
        row = _DOMAIN_ROW.match(line)
        if not row:
            continue
        if row.group(1).startswith("就近地域接入"):
            default = row.group(2)
        else:
            target[row.group(1)] = row.group(2)
    if not default or not regional or not financial:
        raise DocsFormatError("the endpoint table lacks the default, regional or financial rows")
    return EndpointRows(default, regional, financial)


_COMMON_ROW = re.compile(r"^([A-Z][A-Za-z]*) (String|Integer) (是|否|-)(?: (.*))?$")


def common_params(lines: list[str]) -> list[tuple[str, str, bool, str]]:
    """(name, type, required, description) of the signing v3 common parameters.

    ``Region`` is marked ``-`` (needed by most actions, ignored by a few): not required.
    """
    start = index_of(lines, "使用签名方法 v3 的公共参数")
    end = index_of(lines, "使用签名方法 v1 的公共参数", start)
    rows: list[tuple[str, str, str, list[str]]] = []
    for line in lines[start:end]:
        if line.startswith("假设用户想要"):
            break
        row = _COMMON_ROW.match(line)
        if row:
            rows.append((row.group(1), row.group(2), row.group(3), [row.group(4) or ""]))
        elif rows and line not in TABLE_HEADERS:
            rows[-1][3].append(line)
    return [
        (name, type_, req == "是", join_wrapped([p for p in parts if p]))
        for name, type_, req, parts in rows
    ]


_REGION_ROW = re.compile(r"^(\S+（\S+）) ([a-z]+(?:-[a-z]+)+)$")


def regions(lines: list[str]) -> list[tuple[str, str]]:
    """(region id, Chinese name) rows of the 地域列表 table, in doc order."""
    start = index_of(lines, "地域 取值") + 1
    rows: list[tuple[str, str]] = []
    for line in lines[start:]:
        if line == "地域 取值":
            continue
        row = _REGION_ROW.match(line)
        if not row:
            break
        rows.append((row.group(2), row.group(1)))
    return rows


def action_spans(lines: list[str], end: int) -> list[tuple[int, int]]:
    """[start, stop) line spans of the action documents, which all precede ``end``."""
    starts = [i for i, line in enumerate(lines[:end]) if line == ACTION_START]
    return list(zip(starts, [*starts[1:], end], strict=True))


_REFERENCED = "被如下接口引用："


@dataclass(frozen=True)
class StructureSpan:
    name: str
    start: int  # the line of the name
    description: str
    referenced_by: list[str]
    body: tuple[int, int]  # [start, stop) of the member table lines
    has_required: bool  # the table has a 必选 column (an input structure)


def structure_spans(lines: list[str]) -> list[StructureSpan]:
    """The data structures: each is a bare name line, description lines, the
    ``被如下接口引用：`` line (maybe wrapped), then its member table up to the next name."""
    end = index_of(lines, "功能说明")
    anchors = [i for i, line in enumerate(lines[:end]) if line.startswith(_REFERENCED)]
    heads: list[tuple[int, int]] = []  # (name line, anchor line)
    for anchor in anchors:
        i = anchor - 1
        while i >= 0 and not re.match(r"^[A-Z][A-Za-z0-9]*$", lines[i]):
            i -= 1
        heads.append((i, anchor))
    spans: list[StructureSpan] = []
    for k, (name_at, anchor) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else end
        header = anchor
        while header < stop and lines[header] not in TABLE_HEADERS:
            header += 1
        if header == stop:
            raise DocsFormatError(f"structure {lines[name_at]} has no member table")
        refs = join_flat(lines[anchor:header])[len(_REFERENCED) :].rstrip("。")
        spans.append(
            StructureSpan(
                name=lines[name_at],
                start=name_at,
                description=join_wrapped(lines[name_at + 1 : anchor]),
                referenced_by=[r.strip() for r in refs.split(",") if r.strip()],
                body=(header, stop),
                has_required="必选" in lines[header],
            )
        )
    return spans


def error_tables(lines: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(common errors, business errors) from the 错误码 document."""
    common = index_of(lines, "公共错误码", index_of(lines, "错误码列表"))
    business = index_of(lines, "业务错误码", common)
    return parse_errors(lines[common + 1 : business]), parse_errors(lines[business + 1 :])
