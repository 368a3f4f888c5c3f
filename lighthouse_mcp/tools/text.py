"""Shortening of catalog prose: the docs' Chinese paragraphs cut to what a model needs.

Kept apart from schema.py and descriptions.py because both shorten text the same way, and
the token budget of the whole tool list depends on this one rule.
"""

from __future__ import annotations

import re

#: Sentence ends in the docs: Chinese full stops and semicolons, English '. ', line breaks.
_SENTENCE_END = re.compile(r"[。；！？]|(?<=[.!?;])\s|\n")


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, never inside an ASCII word
    (an identifier like DescribeDockerActivities cut in half would mislead a model)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1].isascii() and text[limit - 1].isalnum():
        cut = re.sub(r"[A-Za-z0-9_]+$", "", cut) or cut
    return cut.rstrip() + "…"


def first_sentence(text: str, limit: int = 80) -> str:
    """The first sentence of ``text`` without its closing mark, at most ``limit`` characters.

    A description in a tool schema is read by a model on every turn; the first sentence of a
    docs paragraph carries the meaning, the rest is usage detail the schema keywords already
    state (enums, bounds). Over-long sentences are cut and marked with an ellipsis.
    """
    text = text.strip()
    match = _SENTENCE_END.search(text)
    sentence = (text[: match.start()] if match else text).strip().rstrip(".:：，,")
    return _cut(sentence, limit)


def first_sentences(text: str, limit: int) -> str:
    """Whole leading sentences of ``text`` that fit in ``limit`` characters (at least one).

    Used for tool descriptions, where two short sentences often say what one cannot
    ("查询实例。支持按标签过滤。").
    """
    text = text.strip()
    out = ""
    pos = 0
    while pos < len(text):
        match = _SENTENCE_END.search(text, pos)
        end = match.end() if match else len(text)
        piece = text[pos:end].strip().lstrip("*•·").strip()  # list bullets of the docs
        pos = end
        if not piece:
            continue
        if out and len(out) + len(piece) > limit:
            break
        out += piece if not out or out.endswith(("。", "；", "！", "？")) else " " + piece
        if len(out) >= limit:
            break
    return _cut(out, limit).rstrip("；;，, \n")
