"""Drop the page furniture of the PDF extraction and remember the page titles it carried.

Every page of the PDF leaves debris in the text: the running header (product name plus a
copyright line with the page number), a block of the page's hyperlinks as bare URLs, and, on
the first page of each document, the document title, its update time and an API Explorer
banner. That title block is noise inside a table, but it is also the only place the text
names an action's Chinese title and group heading, so it is returned alongside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COPYRIGHT = re.compile(r"^版权所有：.*共\d+页$")
_UPDATED = re.compile(r"^最近更新时间：")
_URL = re.compile(r"^https?://\S+$")
#: Bare URLs that are content, not a page's link list: request examples (GET-style, and the
#: signing walk-through's) and the VNC console address DescribeInstanceVncUrl documents.
_KEEP_URL = re.compile(
    r"^https://(?:lighthouse|cvm)\.tencentcloudapi\.com/|^https://img\.qcloud\.com/"
)
_BANNER = "推荐使用 API Explorer 点击调试"
_GROUP_HEADING = re.compile(r"^(\S+相关接口|其他接口)$")
_RUNNING_HEADER = "轻量应用服务器"
#: Labels of the numbered section headings of an action document ("4. 示例", ...).
_SECTION_LABELS = ("接口描述", "输入参数", "输出参数", "示例", "开发者资源", "错误码")


@dataclass(frozen=True)
class PageTitle:
    """A document title block: where it sat in the cleaned lines, its title and group."""

    index: int  # index into the cleaned line list where the block was removed
    title: str
    group_heading: str | None


def _is_heading_fragment(line: str) -> bool:
    """A few characters of a section label without its number ("例", "接 描述",
    "发者资源"): debris the extraction leaves at the end of a page, never content."""
    chars = line.replace(" ", "")
    return any(_subsequence(chars, label) for label in _SECTION_LABELS)


def _subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return bool(part) and all(ch in rest for ch in part)


def clean_lines(text: str) -> tuple[list[str], list[PageTitle]]:
    """Non-blank content lines (stripped) with all furniture removed, and the titles seen.

    Blank lines carry no meaning in the extraction (wrapped lines are separated by them
    too), so they are dropped; callers join lines with ``join_wrapped``.
    """
    out: list[str] = []
    titles: list[PageTitle] = []
    previous_blank = True

    def end_of_page() -> None:
        if out and _is_heading_fragment(out[-1]):
            out.pop()

    for raw in text.split("\n"):
        line = raw.strip()
        blank, previous_blank = previous_blank, not line
        if not line:
            continue
        if line == _BANNER or (_URL.match(line) and not _KEEP_URL.match(line)):
            end_of_page()
            continue
        if _COPYRIGHT.match(line):
            if out and out[-1] == _RUNNING_HEADER:
                out.pop()
            continue
        if _UPDATED.match(line):
            # The title sits on the line right above; when that line is blank, the page
            # lost its title and the line above is content.
            title = out.pop() if out and not blank else ""
            group = out.pop() if title and out and _GROUP_HEADING.match(out[-1]) else None
            end_of_page()
            titles.append(PageTitle(len(out), title, group))
            continue
        out.append(line)
    return out, titles
