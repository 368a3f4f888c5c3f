"""``all_pages: true`` on the Describe* tools that page: the server walks Offset/Limit.

Without it a model asks page after page, each answer costing context; with it one call
returns the whole list (tools/whole_lists.py), each page projected with ``fields``
before it counts against the caps, so a list of IDs fits thousands of items. Whenever
the list stops short, the result carries ``_truncated`` with the Offset to continue
from. The argument's schema is bare because every tool list pays for it; the
explanation lives in the server instructions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lighthouse_mcp.server.hooks import CallNext, PendingCall, ToolContext
from lighthouse_mcp.server.projection import FIELDS
from lighthouse_mcp.server.registry import Registry, ServerArg
from lighthouse_mcp.tools import whole_lists
from lighthouse_mcp.tools.paging import paging_spec

ALL_PAGES = "all_pages"


class AllPages:
    """Call wrapper: when ``all_pages`` is true, fetch every page through the rest of the
    chain (so each page is an ordinary call: rate limits, retries, audit see it)."""

    def __init__(self, max_items: int | None = None, max_chars: int | None = None) -> None:
        self.max_items = max_items  # None: tools.whole_lists' caps, read at each call
        self.max_chars = max_chars

    async def __call__(
        self, call: PendingCall, ctx: ToolContext, call_next: CallNext
    ) -> dict[str, Any]:
        if call.server_args.get(ALL_PAGES) is not True or paging_spec(call.action) is None:
            return await call_next(call)

        async def page(name: str, params: Any) -> dict[str, Any]:
            return await call_next(replace(call, arguments=dict(params)))

        async def progress(done: int, total: int | None, message: str) -> None:
            await ctx.report_progress(float(done), None if total is None else float(total), message)

        fields = call.server_args.get(FIELDS)
        return await whole_lists.all_pages(
            page,
            call.action,
            call.arguments,
            fields=fields if isinstance(fields, list) and fields else None,
            max_items=self.max_items or whole_lists.MAX_ITEMS,
            max_chars=self.max_chars or whole_lists.MAX_CHARS,
            progress=progress,
        )


def all_pages_arg() -> ServerArg:
    return ServerArg(ALL_PAGES, {"type": "boolean"}, lambda action: paging_spec(action) is not None)


INSTRUCTIONS = (
    f"{ALL_PAGES}: true on a Describe* tool that pages returns the whole list in one call "
    f"(at most {whole_lists.MAX_ITEMS} items and {whole_lists.MAX_CHARS:,} characters, "
    f"counted after {FIELDS}: with a few fields thousands of items fit; the result's "
    f"{whole_lists.TRUNCATED} says when it stopped and the Offset to continue from)."
)


def install(registry: Registry) -> None:
    registry.add_server_arg(all_pages_arg())
    registry.add_call_wrapper(AllPages(), applies=lambda action: paging_spec(action) is not None)
    registry.add_instructions(INSTRUCTIONS)
