"""The registry: every tool, prompt, resource and pipeline hook the server will serve.

`app.build_server` fills it from the catalog and then installs the features (the
confirmation gate, paging, waits, prompts, resources: `app.install_features`), which
add to it through the small `add_*`/`set_*` methods, before the MCP server is
assembled. After that it is frozen: the tool list a client sees never changes during a
session.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mcp_types as types

from lighthouse_mcp.server.approvals import ApprovalService
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.hooks import (
    AllowAll,
    Auditor,
    CallWrapper,
    Gate,
    NoAudit,
    ToolContext,
    ToolResult,
)

ToolHandler = Callable[[dict[str, Any], ToolContext], Awaitable[ToolResult]]
PromptRenderer = Callable[[dict[str, str]], Awaitable[types.GetPromptResult]]
ResourceReader = Callable[[str], Awaitable[str]]
#: Rewrites one action's response before anyone sees it: (action, response) -> response.
OutputFilter = Callable[[str, dict[str, Any]], dict[str, Any]]

_SERVER_ARG = re.compile(r"^[a-z][a-z0-9_]*$")

#: Some clients refuse tool lists longer than this.
MAX_TOOLS = 128


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool. ``group``/``safety`` are for `lighthouse-mcp tools` and filtering."""

    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    annotations: types.ToolAnnotations
    handler: ToolHandler
    output_schema: dict[str, Any] | None = None
    group: str = ""
    safety: str = ""

    def to_mcp(self) -> types.Tool:
        return types.Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=self.input_schema,
            output_schema=self.output_schema,
            annotations=self.annotations,
        )


@dataclass(frozen=True)
class ServerArg:
    """A server-added, lower_snake_case tool argument (``confirm_token``, ``all_pages``).

    ``applies(action)`` says which action tools offer it; ``schema`` is its JSON Schema.
    The pipeline takes these out of the arguments before API validation and hands them
    to the gate and call wrappers as ``PendingCall.server_args``.
    """

    name: str
    schema: dict[str, Any]
    applies: Callable[[str], bool]

    def __post_init__(self) -> None:
        if not _SERVER_ARG.match(self.name):
            raise ValueError(f"server-added argument {self.name!r} must be lower_snake_case")


@dataclass(frozen=True)
class PromptSpec:
    """A prompt; ``needs`` are the actions it tells the model to read with."""

    prompt: types.Prompt
    render: PromptRenderer
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceSpec:
    """A resource; ``needs`` are the actions its reader calls."""

    resource: types.Resource
    read: ResourceReader
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceTemplateSpec:
    """A URI template; ``read(uri)`` raises KeyError for a URI it does not serve, before
    reading anything. ``needs`` are the actions its reader calls; ``matches(uri)`` tells
    whether a URI is the template's (to refuse one clearly when the template is withheld)."""

    template: types.ResourceTemplate
    read: ResourceReader
    needs: tuple[str, ...] = ()
    matches: Callable[[str], bool] | None = None


@dataclass
class Registry:
    """Collects what `build_server` serves. Each feature's ``install`` receives it."""

    settings: Settings
    exposed_actions: tuple[str, ...] = ()
    #: The Region a call without one goes to, as every tool's Region schema advertises
    #: it: --region, else the built-in default (set by build_server); None: none known.
    default_region: str | None = None
    tools: dict[str, ToolSpec] = field(default_factory=dict)
    prompts: dict[str, PromptSpec] = field(default_factory=dict)
    resources: dict[str, ResourceSpec] = field(default_factory=dict)
    resource_templates: list[ResourceTemplateSpec] = field(default_factory=list)
    server_args: dict[str, ServerArg] = field(default_factory=dict)
    #: Call wrappers in registration order, each with the actions it applies to (None:
    #: every action).
    call_wrappers: list[tuple[CallWrapper, Callable[[str], bool] | None]] = field(
        default_factory=list
    )
    output_filters: list[OutputFilter] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    gate: Gate = field(default_factory=AllowAll)
    auditor: Auditor = field(default_factory=NoAudit)
    #: Prompts and resources left out because they need actions outside the exposure
    #: bounds, kept to answer a request for one with why (name or URI template -> why).
    withheld_prompts: dict[str, str] = field(default_factory=dict)
    withheld_templates: list[tuple[ResourceTemplateSpec, str]] = field(default_factory=list)

    def outside_bounds(self, actions: tuple[str, ...]) -> str | None:
        """Why a surface that calls ``actions`` may not be offered, or None if it may.

        The exposure flags (--toolsets/--tools/--exclude-tools/--read-only) bound every
        surface alike: a prompt, resource or waiter that needs an action they leave out
        is not offered, so nothing reads around them."""
        missing = [a for a in actions if a not in self.exposed_actions]
        if not missing:
            return None
        return (
            f"it needs {', '.join(missing)}, which this server's flags "
            "(--toolsets/--tools/--exclude-tools/--read-only) leave out"
        )

    #: The approval page's service when the gate may ask there (modes auto, browser):
    #: the transports serve its page (stdio: own loopback port; HTTP: /approvals).
    approvals: ApprovalService | None = None

    def add_tool(self, spec: ToolSpec) -> None:
        """Register a tool; its annotations must say whether it reads or writes, and a
        writing tool whether it destroys (the MCP defaults assume the worst)."""
        if spec.name in self.tools:
            raise ValueError(f"tool {spec.name!r} is registered twice")
        ann = spec.annotations
        if ann.read_only_hint is None or (
            ann.read_only_hint is False and ann.destructive_hint is None
        ):
            raise ValueError(
                f"tool {spec.name!r} needs explicit readOnlyHint (and "
                "destructiveHint when it writes)"
            )
        if len(self.tools) >= MAX_TOOLS:
            raise ValueError(f"more than {MAX_TOOLS} tools: some clients refuse longer lists")
        self.tools[spec.name] = spec

    def add_prompt(self, spec: PromptSpec) -> None:
        """Offer the prompt, unless it needs an action outside the exposure bounds."""
        if spec.prompt.name in self.prompts:
            raise ValueError(f"prompt {spec.prompt.name!r} is registered twice")
        if (why := self.outside_bounds(spec.needs)) is not None:
            self.withheld_prompts[spec.prompt.name] = why
            return
        self.prompts[spec.prompt.name] = spec

    def add_resource(self, spec: ResourceSpec) -> None:
        """Offer the resource, unless it needs an action outside the exposure bounds."""
        if spec.resource.uri in self.resources:
            raise ValueError(f"resource {spec.resource.uri!r} is registered twice")
        if self.outside_bounds(spec.needs) is None:
            self.resources[spec.resource.uri] = spec

    def add_resource_template(self, spec: ResourceTemplateSpec) -> None:
        """Offer the template, unless it needs an action outside the exposure bounds."""
        if (why := self.outside_bounds(spec.needs)) is not None:
            self.withheld_templates.append((spec, why))
            return
        self.resource_templates.append(spec)

    def add_server_arg(self, arg: ServerArg) -> None:
        if arg.name in self.server_args:
            raise ValueError(f"server-added argument {arg.name!r} is registered twice")
        self.server_args[arg.name] = arg

    def add_call_wrapper(
        self, wrapper: CallWrapper, *, applies: Callable[[str], bool] | None = None
    ) -> None:
        """Add a wrapper around every API call, or only around the actions for which
        ``applies(action)`` is true. ``applies`` is only a shortcut: it must be true for
        every action the wrapper could change, since a call skips it entirely otherwise
        (saving a coroutine layer per wrapper on every other call)."""
        self.call_wrappers.append((wrapper, applies))

    def call_wrappers_for(self, action: str) -> tuple[CallWrapper, ...]:
        """The wrappers around ``action``'s calls, outermost first."""
        return tuple(w for w, applies in self.call_wrappers if applies is None or applies(action))

    def add_output_filter(self, output_filter: OutputFilter) -> None:
        """Applied by the pipeline to every response, of a tool call (after every call
        wrapper) or of a server-side read (waits, previews, live resources)."""
        self.output_filters.append(output_filter)

    def add_instructions(self, text: str) -> None:
        """A few lines for the server's ``instructions`` (kept short: every session pays)."""
        self.instructions.append(text.strip())

    def set_gate(self, gate: Gate) -> None:
        self.gate = gate

    def set_auditor(self, auditor: Auditor) -> None:
        self.auditor = auditor

    def server_args_for(self, action: str) -> Mapping[str, ServerArg]:
        return {name: arg for name, arg in self.server_args.items() if arg.applies(action)}
