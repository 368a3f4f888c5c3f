"""Spec descriptions (Markdown and a little HTML) as the plain paragraphs the catalog keeps.

The spec writes links as ``[text](url)`` or ``<a href>text</a>``, list items as ``<li>``
or ``* ``, code as backticks. The catalog keeps the words and drops the markup, one
paragraph per line, so the fact extractors of ``catalog_parse.facts`` (written for the
same sentences in the docs) read them unchanged.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
_BREAKS = re.compile(r"</?(?:li|p|ul|ol|br|div)\s*/?>", re.I)
_TAGS = re.compile(r"</?(?:code|b|strong|em|i|span|font)\b[^>]*>", re.I)
_BULLET = re.compile(r"^(?:[*•]|-(?=\s))\s+")
#: Filter lists glue "类型：String必选：否" to the text around them; each is a line.
_FILTER_FIELDS = re.compile(r"\s*(类型\s*[:：]\s*[A-Za-z]+)\s*(必选\s*[:：]\s*[是否])\s*")
#: An enum item glued after a sentence ("…自动续费 DISABLE_NOTIFY：…") starts a line.
_GLUED_ITEM = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[A-Z][A-Z0-9_]{2,}[：:])")


def lines(document: str) -> list[str]:
    """The paragraphs of a spec description, markup removed, blank lines dropped."""
    text = _ANCHOR.sub(r"\1", document)
    text = _LINK.sub(r"\1", text)
    text = _BREAKS.sub("\n", text)
    text = _TAGS.sub("", text).replace("`", "").replace("&nbsp;", " ")
    text = _FILTER_FIELDS.sub(r"\n\1\n\2\n", text)
    text = _GLUED_ITEM.sub("\n", text)
    out: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(_BULLET.sub("", raw.strip()).split())
        if line:
            out.append(line)
    return out


def clean(document: str) -> str:
    return "\n".join(lines(document))
