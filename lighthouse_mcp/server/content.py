"""Prompts and resources: MCP handlers over what features registered in the registry."""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from lighthouse_mcp.server.registry import Registry


def prompt_handlers(reg: Registry) -> dict[str, Any]:
    if not reg.prompts and not reg.withheld_prompts:
        return {}

    async def list_prompts(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[p.prompt for p in reg.prompts.values()])

    async def get_prompt(
        ctx: ServerRequestContext[Any, Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        spec = reg.prompts.get(params.name)
        if spec is None and params.name in reg.withheld_prompts:
            raise MCPError(
                code=types.INVALID_PARAMS,
                message=f"prompt {params.name!r} is not offered by this server: "
                f"{reg.withheld_prompts[params.name]}",
            )
        if spec is None:
            raise MCPError(code=types.INVALID_PARAMS, message=f"unknown prompt {params.name!r}")
        return await spec.render(dict(params.arguments or {}))

    return {"on_list_prompts": list_prompts, "on_get_prompt": get_prompt}


def resource_handlers(reg: Registry) -> dict[str, Any]:
    if not reg.resources and not reg.resource_templates and not reg.withheld_templates:
        return {}

    async def list_resources(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[r.resource for r in reg.resources.values()])

    async def list_templates(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(
            resource_templates=[t.template for t in reg.resource_templates]
        )

    async def read_resource(
        ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        readers = [(r.read, r.resource.mime_type)] if (r := reg.resources.get(uri)) else []
        readers += [(t.read, t.template.mime_type) for t in reg.resource_templates]
        for read, mime in readers:
            try:
                text = await read(uri)
            except KeyError:
                continue
            return types.ReadResourceResult(
                contents=[types.TextResourceContents(uri=uri, text=text, mime_type=mime)]
            )
        for spec, why in reg.withheld_templates:
            if spec.matches is not None and spec.matches(uri):
                raise MCPError(
                    code=types.INVALID_PARAMS,
                    message=f"{uri} is not offered by this server: {why}",
                )
        raise MCPError(code=types.INVALID_PARAMS, message=f"unknown resource {uri}")

    return {
        "on_list_resources": list_resources,
        "on_list_resource_templates": list_templates,
        "on_read_resource": read_resource,
    }
