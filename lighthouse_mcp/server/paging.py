"""``all_pages: true`` on the Describe* tools that page: the server walks Offset/Limit.

Without it a model asks page after page, each answer costing context; with it one call
returns the whole list, up to tools.paging.MAX_ITEMS items, and says so when it
stopped at that cap. The argument's schema text stays a few words because every tool
list pays for it; the explanation lives in the server instructions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lighthouse_mcp.server.hooks import CallNext, PendingCall, ToolContext
from lighthouse_mcp.server.registry import Registry, ServerArg
from lighthouse_mcp.server.results import MAX_RESULT_CHARS
from lighthouse_mcp.tools import paging

ALL_PAGES = "all_pages"
#: Room the merged list leaves for the Response's other members and ``Paging`` inside
#: the result size limit, so the list is never cut after paging (which would lose the
#: exact place to continue).
RESULT_MARGIN_CHARS = 4_000


class AllPages:
    """Call wrapper: when ``all_pages`` is true, fetch every page through the rest of the
    chain (so each page is an ordinary call: rate limits, retries, audit see it)."""

    def __init__(self, max_items: int | None = None) -> None:
        self.max_items = max_items

    async def __call__(
        self, call: PendingCall, ctx: ToolContext, call_next: CallNext
    ) -> dict[str, Any]:
        if call.server_args.get(ALL_PAGES) is not True or paging.paging_spec(call.action) is None:
            return await call_next(call)

        async def page(name: str, params: Any) -> dict[str, Any]:
            return await call_next(replace(call, arguments=dict(params)))

        async def progress(done: int, total: int | None, message: str) -> None:
            await ctx.report_progress(float(done), None if total is None else float(total), message)

        cap = self.max_items if self.max_items is not None else paging.MAX_ITEMS
        return await paging.fetch_all_pages(
            page,
            call.action,
            call.arguments,
            max_items=cap,
            max_chars=MAX_RESULT_CHARS - RESULT_MARGIN_CHARS,
            progress=progress,
        )


def all_pages_arg() -> ServerArg:
    return ServerArg(
        ALL_PAGES,
        {
            "type": "boolean",
            "description": f"every page, max {paging.MAX_ITEMS} items",
        },
        lambda action: paging.paging_spec(action) is not None,
    )


INSTRUCTIONS = (
    f"{ALL_PAGES}: true on a Describe* tool that pages returns the whole list in one call "
    f"(Offset/Limit handled by the server, at most {paging.MAX_ITEMS} items and "
    f"{MAX_RESULT_CHARS - RESULT_MARGIN_CHARS} characters; the result's Paging says when it "
    "stopped at a cap and the Offset to continue from)."
)


def install(registry: Registry) -> None:
    registry.add_server_arg(all_pages_arg())
    registry.add_call_wrapper(AllPages())
    registry.add_instructions(INSTRUCTIONS)
