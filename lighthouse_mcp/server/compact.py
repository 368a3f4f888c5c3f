"""--compact: three meta-tools instead of one tool per action, for clients with tight
tool-count or context limits.

`search_actions` finds actions, `describe_action` returns one action's full input
schema and annotations, `call_action` runs it through the same `Pipeline.run` as a
direct tool (same exposure bounds, validation, gate, audit). Only exposed actions can
be found, described or called.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import mcp_types as types

from lighthouse_mcp import catalog
from lighthouse_mcp.server.catalog_tools import with_server_args
from lighthouse_mcp.server.execute import Pipeline
from lighthouse_mcp.server.exposure import group_ids
from lighthouse_mcp.server.hooks import ToolContext, ToolResult
from lighthouse_mcp.server.registry import Registry, ToolSpec
from lighthouse_mcp.server.results import text_result, tool_error, validation_error
from lighthouse_mcp.tools import intent
from lighthouse_mcp.tools.definitions import tool_definition
from lighthouse_mcp.tools.descriptions import tool_title
from lighthouse_mcp.tools.validate import validate_against

Lang = Literal["en", "zh"]

SEARCH, DESCRIBE, CALL = "search_actions", "describe_action", "call_action"
MAX_MATCHES = 50

_READ_ONLY = types.ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def _summary(action: str, lang: Lang) -> dict[str, Any]:
    return {
        "name": action,
        "title": tool_title(action, lang),
        "group": catalog.action(action)["group_id"],
        "safety": catalog.safety_class(action),
    }


def search(registry: Registry, query: str, group: str | None, limit: int) -> list[dict[str, Any]]:
    """Exposed actions ranked by intent (tools/intent.py: English and Chinese, with the
    synonym table, so "delete server" finds TerminateInstances and "开放端口"
    CreateFirewallRules); an action named in the query ranks first. An empty query lists
    actions in name order."""
    lang = registry.settings.lang
    pool = [
        a for a in registry.exposed_actions if not group or catalog.action(a)["group_id"] == group
    ]
    if not query.strip():
        return [_summary(action, lang) for action in sorted(pool)[:limit]]
    return [_summary(m.action, lang) for m in intent.search(query, pool, limit=limit)]


def describe(registry: Registry, action: str) -> dict[str, Any]:
    """What the direct tool would list for ``action``: texts, annotations, inputSchema."""
    settings = registry.settings
    d = tool_definition(
        action,
        lang=settings.lang,
        default_region=registry.default_region,
        region_enum=settings.region_enum,
    )
    return _summary(action, settings.lang) | {
        "description": d["description"],
        "annotations": d["annotations"],
        "inputSchema": with_server_args(d["inputSchema"], registry.server_args_for(action)),
    }


def _call_annotations(registry: Registry) -> types.ToolAnnotations:
    """As cautious as the most dangerous action call_action can reach on this server."""
    classes = {catalog.safety_class(a) for a in registry.exposed_actions}
    if classes <= {"read"}:
        return types.ToolAnnotations(
            read_only_hint=True, destructive_hint=False, open_world_hint=True
        )
    return types.ToolAnnotations(
        read_only_hint=False,
        destructive_hint="destructive" in classes,
        idempotent_hint=False,
        open_world_hint=True,
    )


def register_compact_tools(registry: Registry, pipeline: Pipeline) -> None:
    exposed = registry.exposed_actions

    async def do_search(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        query, group, limit = args.get("query", ""), args.get("group"), args.get("limit", 20)
        if (
            not isinstance(query, str)
            or (group is not None and not isinstance(group, str))
            or not isinstance(limit, int)
            or not 1 <= limit <= MAX_MATCHES
        ):
            return tool_error(
                f"{SEARCH}: query must be a string, group a group id, limit an "
                f"integer 1-{MAX_MATCHES}",
                code="InvalidArguments",
            )
        matches = search(registry, query, group, limit)
        lines = [f"{len(matches)} action(s):"] + [
            f"- {m['name']} [{m['safety']}, {m['group']}]: {m['title']}" for m in matches
        ]
        return text_result("\n".join(lines), structured={"actions": matches})

    async def do_describe(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        action = args.get("action")
        problem = (
            pipeline.exposure_problem(action)
            if isinstance(action, str)
            else f"{DESCRIBE}: action must be an action name (see {SEARCH})"
        )
        if problem is not None or not isinstance(action, str):
            return tool_error(problem or "", code="ToolNotExposed")
        info = describe(registry, action)
        return text_result(json.dumps(info, ensure_ascii=False), structured=info)

    async def do_call(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        action, arguments = args.get("action"), args.get("arguments", {})
        if not isinstance(action, str) or not isinstance(arguments, dict):
            return tool_error(
                f"{CALL}: action must be an action name and arguments an object",
                code="InvalidArguments",
            )
        return await pipeline.run(action, arguments, ctx, tool=CALL)

    def add(
        name: str,
        title: str,
        description: str,
        properties: dict[str, Any],
        annotations: types.ToolAnnotations,
        handler: Any,
    ) -> None:
        schema = {
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
            "required": [next(iter(properties))],
        }

        async def checked(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
            # The published schema is the contract: a misspelt "argument" must be refused,
            # not ignored (call_action would run the action without its arguments).
            problems = validate_against(schema, args)
            if problems:
                return validation_error(name, problems)
            result: ToolResult = await handler(args, ctx)
            return result

        registry.add_tool(
            ToolSpec(
                name=name,
                title=title,
                description=description,
                input_schema=schema,
                handler=checked,
                annotations=annotations.model_copy(update={"title": title}),
            )
        )

    add(
        SEARCH,
        "Search Lighthouse actions",
        "Find Tencent Cloud Lighthouse API actions by what you want done (English or "
        f"Chinese), best first. {len(exposed)} actions available.",
        {
            "query": {"type": "string", "description": "words, e.g. 'firewall rule'"},
            "group": {"type": "string", "enum": group_ids()},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_MATCHES, "default": 20},
        },
        _READ_ONLY,
        do_search,
    )
    add(
        DESCRIBE,
        "Describe a Lighthouse action",
        "One action's description, safety annotations and exact input JSON Schema; read it "
        f"before {CALL}.",
        {"action": {"type": "string", "description": "exact name, e.g. DescribeInstances"}},
        _READ_ONLY,
        do_describe,
    )
    add(
        CALL,
        "Call a Lighthouse action",
        f"Run one action with arguments matching its schema (from {DESCRIBE}); Region is "
        "optional. Validated first: errors name each field and nothing is sent. Actions that "
        "destroy or spend may need confirmation.",
        {
            "action": {"type": "string"},
            "arguments": {"type": "object", "description": "API parameters (+ Region)"},
        },
        _call_annotations(registry),
        do_call,
    )
