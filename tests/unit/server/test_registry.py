"""The registry refuses tools a client could misjudge, and lists past the 128-tool cap."""

from __future__ import annotations

from typing import Any

import mcp_types as types
import pytest

from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.registry import MAX_TOOLS, Registry, ServerArg, ToolSpec
from lighthouse_mcp.server.results import text_result


async def _noop(args: dict[str, Any], ctx: Any) -> Any:
    return text_result("")


def _spec(name: str, ann: types.ToolAnnotations) -> ToolSpec:
    return ToolSpec(name, name, "d", {"type": "object"}, ann, _noop)


def test_tools_without_clear_annotations_are_refused() -> None:
    reg = Registry(settings=Settings())
    with pytest.raises(ValueError, match="readOnlyHint"):
        reg.add_tool(_spec("a", types.ToolAnnotations()))
    with pytest.raises(ValueError, match="destructiveHint"):
        reg.add_tool(_spec("b", types.ToolAnnotations(read_only_hint=False)))
    reg.add_tool(_spec("c", types.ToolAnnotations(read_only_hint=True)))
    with pytest.raises(ValueError, match="twice"):
        reg.add_tool(_spec("c", types.ToolAnnotations(read_only_hint=True)))


def test_tool_cap() -> None:
    reg = Registry(settings=Settings())
    for i in range(MAX_TOOLS):
        reg.add_tool(_spec(f"t{i}", types.ToolAnnotations(read_only_hint=True)))
    with pytest.raises(ValueError, match="128"):
        reg.add_tool(_spec("one_more", types.ToolAnnotations(read_only_hint=True)))


def test_server_args_must_be_lower_snake_case() -> None:
    with pytest.raises(ValueError, match="lower_snake_case"):
        ServerArg("ConfirmToken", {"type": "string"}, applies=lambda a: True)
