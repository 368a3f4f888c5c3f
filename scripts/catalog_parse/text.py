"""Rejoin the lines that the PDF layout wrapped, keeping real paragraph breaks.

The extraction puts a line break wherever the PDF wrapped a line, even mid-word
(``lighthouse.ap-`` / ``guangzhou``), and drops the space at the wrap. A wrapped line fills
its column, while the last line of a paragraph is usually shorter, so a line within
``SLACK`` display columns of the widest line of its column (its table, or its block of
page text) is glued to the next one without a separator; a shorter one, or one ending a
sentence, ends its paragraph (newline). Column widths differ a lot between tables (about
70 to 136 columns), which is why the width is measured per column and not fixed.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: How much narrower than the widest line of its column a wrapped line may be (a wrap
#: happens before a word or a full-width character that would not fit).
SLACK = 8
#: Lines narrower than this never count as wrapped, even in a column of short lines.
MIN_WRAP = 40
_SENTENCE_END = ("。", "：", "；", ":", "！", "？")


def display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def wrap_width(lines: Iterable[str]) -> int:
    """The width from which a line of this column is taken to be wrapped by the layout."""
    widest = max((display_width(line) for line in lines), default=0)
    return max(widest - SLACK, MIN_WRAP)


def is_wrapped(line: str, width: int) -> bool:
    return display_width(line) >= width and not line.endswith(_SENTENCE_END)


def join_wrapped(lines: list[str], width: int | None = None) -> str:
    """One text from extracted lines: wrapped lines glued, paragraphs split by newlines.

    ``width`` is the column's wrap width (``wrap_width`` of all its lines); by default the
    lines given are taken to be the whole column.
    """
    limit = wrap_width(lines) if width is None else width
    parts: list[str] = []
    for i, line in enumerate(lines):
        if i:
            parts.append("" if is_wrapped(lines[i - 1], limit) else "\n")
        parts.append(line)
    return "".join(parts)


def join_flat(lines: list[str]) -> str:
    """Glue lines with nothing between them: for values (examples, JSON) cut by the layout."""
    return "".join(lines)
