"""Rejoin the lines that the PDF layout wrapped, keeping real paragraph breaks.

The extraction puts a line break wherever the PDF wrapped a line, even mid-word
(``lighthouse.ap-`` / ``guangzhou``), and drops the space at the wrap. A wrapped line fills
its column, while the last line of a paragraph is usually shorter, so lines are measured
against the widest line of their column (their table, or their block of page text):
column widths differ a lot between tables (about 70 to 136 display columns), which is why
the width is measured per column and not fixed. Display widths only approximate the PDF's
proportional font, hence the tolerance for lines that do not end a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: A line this close to the column width is wrapped, whatever it ends with.
FULL_SLACK = 2
#: A line that does not end a sentence is wrapped from this share of the column width
#: (proportional glyphs make a full line of Latin text look narrower than it is).
OPEN_SHARE = 0.8
#: Columns narrower than this never wrap: their lines are all short paragraphs.
MIN_COLUMN = 48
_SENTENCE_END = ("。", "：", "；", ":", "！", "？")
_WORD_BREAK = re.compile(r"[a-z]\n[A-Z][a-z]")
#: Punctuation that a sentence never ends with: the next line continues it.
_CONTINUED = ("、", "，", ",")
#: A line that opens a list item ("- X", "• X", "NAME：…", "3: …") starts a paragraph
#: unless the line before it filled the column.
_ITEM_START = re.compile(r"^(?:[-•*]\s|[A-Z][A-Z0-9_]+\s*[：:(（\s]|\d+\s*[:：.、])")


def display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def column_width(lines: Iterable[str]) -> int:
    """The width of the column these lines were laid out in: its widest line."""
    return max(max((display_width(line) for line in lines), default=0), MIN_COLUMN)


def is_wrapped(line: str, column: int, following: str = "") -> bool:
    """Whether the layout cut ``line``, which sits in a column ``column`` wide and is
    followed by the line ``following``."""
    used = display_width(line)
    if used >= column - FULL_SLACK:
        return True
    if used < OPEN_SHARE * column or line.endswith(_SENTENCE_END):
        return False
    return line.endswith(_CONTINUED) or not _ITEM_START.match(following)


def join_wrapped(lines: list[str], column: int | None = None) -> str:
    """One text from extracted lines: wrapped lines glued, paragraphs split by newlines.

    ``column`` is the width of the lines' column (``column_width`` of all its lines); by
    default the lines given are taken to be the whole column.
    """
    width = column_width(lines) if column is None else column
    parts: list[str] = []
    depth = 0  # brackets open so far: a paragraph never ends inside "（…）"
    for i, line in enumerate(lines):
        if i:
            if depth > 0 or is_wrapped(lines[i - 1], width, line):
                # The extraction drops the space at a wrap; between two English words
                # ("C:\Program" / "Files") it was one.
                parts.append(" " if _WORD_BREAK.search(lines[i - 1] + "\n" + line) else "")
            else:
                parts.append("\n")
        parts.append(line)
        depth = max(0, depth + _bracket_balance(line))
    return "".join(parts)


def _bracket_balance(line: str) -> int:
    return line.count("(") + line.count("（") - line.count(")") - line.count("）")


def join_flat(lines: list[str]) -> str:
    """Glue lines with nothing between them: for values (examples, JSON) cut by the layout."""
    return "".join(lines)
