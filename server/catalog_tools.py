"""One ToolSpec per exposed action, built from the tools layer (schema, texts, safety).

No action gets hand-written plumbing: the name is the action, the texts come from
tools.descriptions, the schemas from tools.schema, the annotations from tools.safety,
and every handler is the same `Pipeline.run` bound to the action's name.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp_types as types

from lighthouse_mcp.server.execute import Pipeline
from lighthouse_mcp.server.hooks import ToolContext, ToolResult
from lighthouse_mcp.server.registry import Registry, ServerArg, ToolHandler, ToolSpec


def with_server_args(schema: Mapping[str, Any], args: Mapping[str, ServerArg]) -> dict[str, Any]:
    """The API input schema plus the server-added lower_snake_case arguments."""
    out = dict(schema)
    if args:
        props = dict(out.get("properties", {}))
        for name, arg in args.items():
            props[name] = arg.schema
        out["properties"] = props
    return out


def annotations_for(action: str) -> types.ToolAnnotations:
    from lighthouse_mcp.tools.safety import annotations

    return types.ToolAnnotations.model_validate(annotations(action))


def _handler(pipeline: Pipeline, action: str) -> ToolHandler:
    async def handle(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return await pipeline.run(action, arguments, ctx, tool=action)

    return handle


def action_tool(action: str, registry: Registry, pipeline: Pipeline) -> ToolSpec:
    from lighthouse_mcp.tools import catalog
    from lighthouse_mcp.tools.descriptions import tool_description, tool_title
    from lighthouse_mcp.tools.schema import input_schema, output_schema

    settings = registry.settings
    schema = input_schema(action, lang=settings.lang, default_region=settings.region)
    return ToolSpec(
        name=action,
        title=tool_title(action, settings.lang),
        description=tool_description(action, settings.lang),
        input_schema=with_server_args(schema, registry.server_args_for(action)),
        output_schema=output_schema(action),
        annotations=annotations_for(action),
        handler=_handler(pipeline, action),
        group=catalog.action(action)["group_id"],
        safety=catalog.safety_class(action),
    )


def register_action_tools(registry: Registry, pipeline: Pipeline) -> None:
    for action in registry.exposed_actions:
        registry.add_tool(action_tool(action, registry, pipeline))
