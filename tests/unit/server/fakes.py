"""Small fakes of the catalog-driven pieces, so the server machinery is tested on its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp_types as types

from lighthouse_mcp.server.app import LighthouseServer, build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.execute import Pipeline
from lighthouse_mcp.server.hooks import ToolContext, ToolResult
from lighthouse_mcp.server.registry import Registry, ToolSpec
from lighthouse_mcp.tools.validate import Problem

READS = {"DescribeThings"}
ACTIONS = ("DescribeThings", "DeleteThing")


def fake_validate(action: str, args: Mapping[str, Any]) -> list[Problem]:
    """Accepts Limit (integer 1-100), ThingId (string, required for DeleteThing), Region."""
    problems = []
    for key, value in args.items():
        if key == "Limit":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(Problem("Limit", repr(value), "integer", "wrong type"))
            elif not 1 <= value <= 100:
                problems.append(Problem("Limit", repr(value), "integer 1-100", "out of range"))
        elif key == "ThingId":
            if not isinstance(value, str):
                problems.append(Problem("ThingId", repr(value), "string", "wrong type"))
        elif key == "Region":
            if value not in ("ap-guangzhou", "ap-beijing"):
                problems.append(
                    Problem("Region", repr(value), "ap-guangzhou|ap-beijing", "unknown region")
                )
        else:
            problems.append(Problem(key, repr(value), "no such parameter", "unknown argument"))
    if action == "DeleteThing" and "ThingId" not in args:
        problems.append(Problem("ThingId", "(missing)", "string", "required"))
    return problems


class FakeClient:
    """Records calls; answers like the API would (Response contents with RequestId)."""

    def __init__(
        self, response: dict[str, Any] | None = None, error: Exception | None = None
    ) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []
        self.response = response
        self.error = error
        self.client_info: tuple[str, str | None] | None = None

    async def call(
        self, action: str, params: Mapping[str, Any], *, region: str | None = None
    ) -> dict[str, Any]:
        self.calls.append((action, dict(params), region))
        if self.error is not None:
            raise self.error
        if self.response is not None:
            return self.response
        return {"TotalCount": 1, "ThingSet": [{"ThingId": "t-1"}], "RequestId": "req-1"}

    def set_client_info(self, name: str, version: str | None) -> None:
        self.client_info = (name, version)


def _schema(action: str) -> dict[str, Any]:
    props: dict[str, Any] = {"Region": {"type": "string"}}
    if action == "DescribeThings":
        props["Limit"] = {"type": "integer", "minimum": 1, "maximum": 100}
    else:
        props["ThingId"] = {"type": "string"}
    return {"type": "object", "properties": props, "additionalProperties": False}


def fake_registry(settings: Settings | None = None) -> Registry:
    settings = settings or Settings()
    exposed = tuple(a for a in ACTIONS if not settings.read_only or a in READS)
    return Registry(settings=settings, exposed_actions=exposed)


def add_fake_tools(reg: Registry, pipeline: Pipeline) -> None:
    for action in reg.exposed_actions:
        read = action in READS

        def bind(name: str) -> Any:
            async def handle(args: dict[str, Any], ctx: ToolContext) -> ToolResult:
                return await pipeline.run(name, args, ctx)

            return handle

        reg.add_tool(
            ToolSpec(
                name=action,
                title=action,
                description=f"fake {action}",
                input_schema=_schema(action),
                annotations=types.ToolAnnotations(read_only_hint=read, destructive_hint=not read),
                handler=bind(action),
                group="thing",
                safety="read" if read else "destructive",
            )
        )


def fake_server(
    client: FakeClient, settings: Settings | None = None, registry: Registry | None = None
) -> LighthouseServer:
    reg = registry or fake_registry(settings)
    server = build_server(
        reg.settings,
        client=client,
        registry=reg,
        features=(),
        pipeline_options={
            "validator": fake_validate,
            "is_read": lambda a: a in READS,
        },
    )
    add_fake_tools(reg, server.pipeline)
    return server
