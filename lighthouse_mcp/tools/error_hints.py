"""The next step that fixes an API error, by error code (and by action where the fix
depends on it), kept as data in ``catalog/error_hints.json``.

A generic "wait and retry" misleads a model when the error can never go away by
waiting (a system disk cannot be resized; a RUNNING instance must be returned before it
is destroyed). The lookup goes from the most specific to the most general: the action's
own hint for the code, the code's hint, then the hint of the code's family (the part
before the dot). Each hint names the actions that fix the error, and the lookup returns
them too so a client can offer them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, TypedDict

from lighthouse_mcp import catalog

HINTS_FILE = "error_hints.json"
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][A-Za-z]*)+\b")

Source = Literal["action", "code", "family"]


class HintData(TypedDict):
    actions: dict[str, dict[str, str]]
    codes: dict[str, str]
    families: dict[str, str]


@dataclass(frozen=True)
class ErrorHint:
    """What to do about one error: the text, where it came from, the actions it names."""

    code: str
    text: str
    source: Source
    next_actions: tuple[str, ...]


@cache
def load_hints() -> HintData:
    raw = resources.files("lighthouse_mcp.catalog").joinpath(HINTS_FILE).read_text(encoding="utf-8")
    data = json.loads(raw)
    return {"actions": data["actions"], "codes": data["codes"], "families": data["families"]}


def named_actions(text: str) -> tuple[str, ...]:
    """Catalog actions named in ``text``, in order of first mention."""
    known = set(catalog.action_names())
    return tuple(dict.fromkeys(w for w in _NAME.findall(text) if w in known))


def error_hint(code: str, action: str | None = None) -> ErrorHint | None:
    """The hint for ``code`` raised by ``action``, or None when the data has none.

    ``next_actions`` leaves out ``action`` itself: the caller knows it already.
    """
    data = load_hints()
    text: str | None = None
    source: Source = "action"
    if action is not None:
        text = data["actions"].get(action, {}).get(code)
    if text is None:
        text, source = data["codes"].get(code), "code"
    if text is None:
        text, source = data["families"].get(code.split(".", 1)[0]), "family"
    if text is None:
        return None
    steps = tuple(a for a in named_actions(text) if a != action)
    return ErrorHint(code=code, text=text, source=source, next_actions=steps)
