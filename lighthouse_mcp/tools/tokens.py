"""Estimated model tokens of tool definitions (the project's one size rule, DESIGN.md).

An estimate, not a tokenizer: ``ceil(ASCII chars / 4) + non-ASCII chars``. It is cheap,
deterministic, model-agnostic, and errs high for Chinese, which keeps the budget honest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any


def estimate_tokens(text: str) -> int:
    """``ceil(ASCII characters / 4) + non-ASCII characters``."""
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def _field(tool: Mapping[str, Any] | Any, wire: str, attr: str) -> Any:
    if isinstance(tool, Mapping):
        return tool.get(wire, tool.get(attr))
    return getattr(tool, attr, None)


def tool_text(tool: Mapping[str, Any] | Any) -> str:
    """The model-visible text of one tool: compact JSON of name, description, inputSchema.

    Accepts a dict (wire names ``inputSchema`` or snake ``input_schema``) or an object with
    ``name``/``description``/``input_schema`` attributes (an ``mcp.types.Tool``).
    """
    visible = {
        "name": _field(tool, "name", "name"),
        "description": _field(tool, "description", "description") or "",
        "inputSchema": _field(tool, "inputSchema", "input_schema") or {},
    }
    return json.dumps(visible, separators=(",", ":"), ensure_ascii=False)


def tool_tokens(tool: Mapping[str, Any] | Any) -> int:
    """Estimated tokens of one tool definition."""
    return estimate_tokens(tool_text(tool))


def tool_list_tokens(tools: Iterable[Mapping[str, Any] | Any]) -> int:
    """Estimated tokens of a whole tool list (the sum over its tools)."""
    return sum(tool_tokens(t) for t in tools)
