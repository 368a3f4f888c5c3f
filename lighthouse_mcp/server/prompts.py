"""The workflow prompts (prompts/*.md) as MCP prompts: prompts/list and prompts/get.

The texts and their arguments are data in the prompts package; this module only maps
them onto MCP types. A render problem (a missing required argument, an unknown one)
is the client's mistake, so it answers with an invalid-params error naming it.
"""

from __future__ import annotations

import re

import mcp_types as types
from mcp.shared.exceptions import MCPError

from lighthouse_mcp import catalog
from lighthouse_mcp.prompts import Prompt, PromptError, load_prompts
from lighthouse_mcp.server.registry import PromptRenderer, PromptSpec, Registry


def mcp_prompt(prompt: Prompt) -> types.Prompt:
    return types.Prompt(
        name=prompt.name,
        title=prompt.title,
        description=prompt.description,
        arguments=[
            types.PromptArgument(name=a.name, description=a.description, required=a.required)
            for a in prompt.arguments
        ],
    )


def renderer(prompt: Prompt) -> PromptRenderer:
    async def render(arguments: dict[str, str]) -> types.GetPromptResult:
        try:
            text = prompt.render(arguments)
        except PromptError as exc:
            raise MCPError(code=types.INVALID_PARAMS, message=str(exc)) from None
        return types.GetPromptResult(
            description=prompt.description,
            messages=[
                types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))
            ],
        )

    return render


_WORD = re.compile(r"\b[A-Z][A-Za-z]+\b")


def needs(prompt: Prompt) -> tuple[str, ...]:
    """The read actions a prompt tells the model to call: it cannot do its job without
    them. (The writes it names are proposals for the person; the tools refuse those
    outside the bounds on their own.)"""
    names = set(catalog.action_names())
    return tuple(
        sorted({w for w in _WORD.findall(prompt.body) if w in names and catalog.is_read(w)})
    )


def install(registry: Registry) -> None:
    """Offer each prompt whose reads are within the exposure bounds (Registry.add_prompt)."""
    for prompt in load_prompts().values():
        registry.add_prompt(PromptSpec(mcp_prompt(prompt), renderer(prompt), needs(prompt)))
