"""One ToolSpec per exposed action, built from the tools layer's tool definitions.

No action gets hand-written plumbing: name, texts, schemas and annotations come from
tools.definitions (which reads tools.descriptions, tools.schema and tools.safety), the
server adds only its own lower_snake_case arguments, and every handler is the same
`Pipeline.run` bound to the action's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp_types as types

from lighthouse_mcp import catalog
from lighthouse_mcp.server.execute import Pipeline
from lighthouse_mcp.server.hooks import ToolContext, ToolResult
from lighthouse_mcp.server.registry import Registry, ServerArg, ToolHandler, ToolSpec
from lighthouse_mcp.tools.definitions import tool_definition


def with_server_args(schema: Mapping[str, Any], args: Mapping[str, ServerArg]) -> dict[str, Any]:
    """The API input schema plus the server-added lower_snake_case arguments."""
    out = dict(schema)
    if args:
        props = dict(out.get("properties", {}))
        for name, arg in args.items():
            props[name] = arg.schema
        out["properties"] = props
    return out


def _handler(pipeline: Pipeline, action: str) -> ToolHandler:
    async def handle(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return await pipeline.run(action, arguments, ctx, tool=action)

    return handle


def action_tool(action: str, registry: Registry, pipeline: Pipeline) -> ToolSpec:
    settings = registry.settings
    d = tool_definition(
        action,
        lang=settings.lang,
        default_region=registry.default_region,
        region_enum=settings.region_enum,
    )
    return ToolSpec(
        name=action,
        title=d["title"],
        description=d["description"],
        input_schema=with_server_args(d["inputSchema"], registry.server_args_for(action)),
        output_schema=d["outputSchema"],
        annotations=types.ToolAnnotations.model_validate(d["annotations"]),
        handler=_handler(pipeline, action),
        group=catalog.action(action)["group_id"],
        safety=catalog.safety_class(action),
    )


def register_action_tools(registry: Registry, pipeline: Pipeline) -> None:
    for action in registry.exposed_actions:
        registry.add_tool(action_tool(action, registry, pipeline))
