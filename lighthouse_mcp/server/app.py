"""Assembles the MCP server: settings -> registry (catalog tools, features) -> low-level
`mcp.server.lowlevel.Server` with tools, prompts and resources handlers.

Why the low-level Server and not MCPServer: every tool here has a schema generated from
the API catalog (not from a Python signature), returns structuredContent against its own
outputSchema, may answer with an input-required result (the gate on 2026-era
connections), and needs the raw request context (client info, elicitation, progress).
MCPServer derives schemas from function signatures and wraps results; the low-level
Server takes `types.Tool` and `CallToolResult` as they are.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server

from lighthouse_mcp.catalog import API_VERSION
from lighthouse_mcp.server import (
    gate,
    ops,
    paging,
    projection,
    prompts,
    resources,
    secret_outputs,
    waits,
)
from lighthouse_mcp.server.api_client import builtin_region, make_client
from lighthouse_mcp.server.api_errors import unexpected_error_result
from lighthouse_mcp.server.catalog_tools import register_action_tools
from lighthouse_mcp.server.compact import register_compact_tools
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.content import prompt_handlers, resource_handlers
from lighthouse_mcp.server.execute import ApiClient, Pipeline, Services
from lighthouse_mcp.server.exposure import exposed_actions
from lighthouse_mcp.server.hooks import SessionInfo, ToolContext
from lighthouse_mcp.server.registry import Registry
from lighthouse_mcp.server.results import tool_error
from lighthouse_mcp.server.sessions import lifespan, session_info
from lighthouse_mcp.store import Store, make_store

if TYPE_CHECKING:
    from lighthouse_mcp.sandbox import Sandbox

log = logging.getLogger("lighthouse_mcp.server")

SERVER_NAME = "tencent-lighthouse-mcp"
#: The package version, kept here because importlib.metadata.version() costs ~70 ms of
#: cold start (it scans every distribution); a test pins it to the installed metadata.
SERVER_VERSION = "0.1.0"


class Feature(enum.Enum):
    """What the server adds to the catalog's action tools; tests pick a subset."""

    #: The confirmation gate with its audit log, and the filter that keeps returned
    #: secrets out of results (unless --return-secrets).
    GATE = "gate"
    #: ``all_pages`` on the Describe* tools that page.
    PAGING = "paging"
    #: ``wait_for`` and the ``Next`` hint on asynchronous results.
    WAITS = "waits"
    #: The workflow prompts.
    PROMPTS = "prompts"
    #: The catalog and live-view resources.
    RESOURCES = "resources"
    #: ``run_command`` (TAT, through the gate) and ``instance_metrics`` (Cloud Monitor).
    OPS = "ops"


ALL_FEATURES: frozenset[Feature] = frozenset(Feature)


def install_features(
    registry: Registry, services: Services, features: Collection[Feature] = ALL_FEATURES
) -> None:
    """Install ``features`` into the registry, always in this order.

    The order matters for the call wrappers: the first registered is the outermost
    (hooks.CallWrapper). The secret-output filter is not a wrapper: the pipeline
    applies it to the final response, whatever the wrappers did (every page merged, a
    Next hint added), and to every server-side read, so nothing a call returns passes
    around it. ``all_pages`` comes before the
    Next hint so each page is an ordinary call through the rest of the chain. Tools,
    prompts and resources do not depend on order; they are added after the wrappers.
    """
    if Feature.GATE in features:
        gate.install(registry, services)
        secret_outputs.install(registry)
    if Feature.PAGING in features:
        paging.install(registry)
    if Feature.WAITS in features:
        waits.install(registry, services)
    if Feature.OPS in features:
        ops.install(registry, services)
    if Feature.PROMPTS in features:
        prompts.install(registry)
    if Feature.RESOURCES in features:
        resources.install(registry, services)


INSTRUCTIONS = f"""\
Tencent Cloud Lighthouse (轻量应用服务器) API {API_VERSION}; each tool is one API action.
Regions: resources live in one region; pass Region (e.g. ap-guangzhou) or the server's \
default is used. DescribeRegions lists them.
Asynchronous actions (create, start, stop, reset, ...) return before the change is done: \
the result's Next names the wait_for call that sees it finish (or poll the matching \
Describe action: state and LatestOperationState).
Arguments are validated before anything is sent; an error names each bad field.
Destructive and billing actions may be held by a confirmation gate: a person approves \
them (a form your client shows, or the server's approval page while the call waits); \
follow the tool result's instructions and never decide for the person."""


COMPACT_NOTE = (
    "Compact mode: find an action with search_actions, read its schema with "
    "describe_action, run it with call_action."
)


class LighthouseServer(Server[Any]):
    """The low-level MCP server plus what built it (registry, pipeline, API client)."""

    registry: Registry
    pipeline: Pipeline
    _client: Any
    _owns_client: bool
    #: Cross-process state (``--store``; lighthouse_mcp/store): memory:// by default.
    store: Store

    async def aclose(self) -> None:
        """Close the API client if the server created it (HTTP connections, sandbox),
        and the store's connections."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
        await self.store.aclose()


def region_note(flag: str | None, default: str | None) -> str:
    """The instructions' line saying which default Region applies, and where it came from."""
    if flag:
        return f"Default Region: {flag} (the server's --region)."
    if default:
        return f"Default Region: {default} (built-in default; the server's --region changes it)."
    return "No default Region is configured: pass Region on every call."


def _client_default(client: Any) -> str | None:
    region = getattr(client, "default_region", None)
    return region if isinstance(region, str) else None


def build_registry(settings: Settings) -> Registry:
    return Registry(settings=settings, exposed_actions=exposed_actions(settings))


def build_server(
    settings: Settings,
    *,
    client: ApiClient | None = None,
    sandbox: Sandbox | None = None,
    registry: Registry | None = None,
    features: Collection[Feature] = ALL_FEATURES,
    pipeline_options: dict[str, Any] | None = None,
) -> LighthouseServer:
    """The MCP server for these settings. ``client`` replaces the API client (tests,
    embedding); ``sandbox`` serves that Sandbox instance; ``registry`` replaces the
    catalog-built registry and ``pipeline_options`` the pipeline's catalog lookups (tests
    of the server machinery with fake tools); ``features`` picks what is added to the
    action tools (all by default)."""
    catalog_tools = registry is None
    reg = registry if registry is not None else build_registry(settings)
    state: dict[str, Any] = {"client": client, "client_info_set": False}
    store = make_store(settings.store)

    def get_client() -> ApiClient:
        if state["client"] is None:
            state["client"] = make_client(settings, sandbox, store)
            server._client = state["client"]
        result: ApiClient = state["client"]
        return result

    if reg.default_region is None:
        reg.default_region = settings.region or (
            _client_default(client)
            if client is not None
            else builtin_region(replace(settings, sandbox=settings.sandbox or sandbox is not None))
        )
    pipeline = Pipeline(reg, get_client, **(pipeline_options or {}))
    if catalog_tools:
        projection.install(reg)  # ``fields``: part of every catalog tool, not a feature
    install_features(reg, Services(pipeline, get_client, store), features)
    if catalog_tools:
        if settings.compact:
            register_compact_tools(reg, pipeline)
        else:
            register_action_tools(reg, pipeline)

    tools_cache: list[types.Tool] = []

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        if not tools_cache:
            tools_cache.extend(spec.to_mcp() for spec in reg.tools.values())
        return types.ListToolsResult(tools=tools_cache)

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        spec = reg.tools.get(params.name)
        if spec is None:
            why = pipeline.exposure_problem(params.name) or f"{params.name} is not a tool here."
            return tool_error(f"Unknown tool: {why}", code="UnknownTool")
        info = session_info(ctx, params)
        _note_client(info)

        async def progress(done: float, total: float | None, message: str | None) -> None:
            await ctx.session.report_progress(done, total, message)

        try:
            return await spec.handler(
                dict(params.arguments or {}), ToolContext(session=info, report_progress=progress)
            )
        except Exception as exc:  # a feature tool's bug must not reach the client as a trace
            return unexpected_error_result(params.name, exc)

    def _note_client(info: SessionInfo) -> None:
        """Put the MCP client's name in the API client's User-Agent, once."""
        if state["client_info_set"] or not info.client_name:
            return
        state["client_info_set"] = True
        target = state["client"] if state["client"] is not None else None
        if target is None:
            target = get_client()
        setter: Callable[..., None] | None = getattr(target, "set_client_info", None)
        if setter is not None:
            setter(info.client_name, info.client_version)

    handlers: dict[str, Any] = {"on_list_tools": list_tools, "on_call_tool": call_tool}
    handlers.update(prompt_handlers(reg))
    handlers.update(resource_handlers(reg))
    server = LighthouseServer(
        SERVER_NAME,
        version=SERVER_VERSION,
        title="Tencent Cloud Lighthouse",
        lifespan=lifespan,
        instructions="\n".join(
            [
                INSTRUCTIONS,
                region_note(settings.region, reg.default_region),
                *([COMPACT_NOTE] if settings.compact else []),
                *reg.instructions,
            ]
        ),
        get_tool_input_schema=lambda name: (
            reg.tools[name].input_schema if name in reg.tools else None
        ),
        **handlers,
    )
    server.registry = reg
    server.pipeline = pipeline
    server._client = client
    server._owns_client = client is None
    server.store = store
    return server
