"""One action → one complete MCP tool definition (plain data, wire field names).

The server turns these dicts into ``mcp.types.Tool`` objects; the bench and the
``tools`` subcommand print them. Keeping assembly here means every consumer lists the
same tools with the same texts, schemas and hints.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from lighthouse_mcp import catalog
from lighthouse_mcp.tools import safety
from lighthouse_mcp.tools.descriptions import tool_description, tool_title
from lighthouse_mcp.tools.schema import Lang, input_schema, output_schema


class ToolDefinition(TypedDict):
    name: str
    title: str
    description: str
    inputSchema: dict[str, Any]
    outputSchema: dict[str, Any]
    annotations: dict[str, Any]


def tool_definition(
    action: str, *, lang: Lang = "en", default_region: str | None = None, region_enum: bool = False
) -> ToolDefinition:
    """The full definition of the tool named after ``action``."""
    return {
        "name": action,
        "title": tool_title(action, lang),
        "description": tool_description(action, lang),
        "inputSchema": input_schema(
            action, lang=lang, default_region=default_region, region_enum=region_enum
        ),
        "outputSchema": output_schema(action),
        "annotations": safety.annotations(action, lang),
    }


def tool_definitions(
    actions: Iterable[str] | None = None, *, lang: Lang = "en", default_region: str | None = None
) -> list[ToolDefinition]:
    """Definitions for ``actions`` (all catalog actions by default), in the given order."""
    names = catalog.action_names() if actions is None else list(actions)
    return [tool_definition(a, lang=lang, default_region=default_region) for a in names]
