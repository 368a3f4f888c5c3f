"""Facts the docs state in prose: enums, bounds, defaults, filters, cross-parameter rules.

Only what a description states explicitly is extracted; a fact that is not written down
stays absent rather than guessed (validation must never reject a valid call).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Coerce = Callable[[list[str], str], Any]


def typed_value(type_: str, raw: str) -> Any:
    """A documented literal as the JSON value of ``type_``; the raw text if it is not one."""
    text = raw.strip().strip("\"“”'")
    if type_ == "Integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if type_ in ("Float", "Double") and re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text)
    if type_ == "Boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def async_note(description: str) -> str | None:
    """The paragraph that says the action is asynchronous and how to observe completion."""
    for paragraph in description.split("\n"):
        if "异步接口" in paragraph or re.search(r"返回的\s*ActivityId\s*调用", paragraph):
            return paragraph.strip()
    return None


def param_facts(param: dict[str, Any]) -> dict[str, Any]:
    return {}


def filter_spec(params: list[dict[str, Any]], raw: list[Any]) -> dict[str, Any] | None:
    return None


def constraints(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return []
