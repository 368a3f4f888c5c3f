"""Whole-list paging for Describe* actions that take Offset and Limit.

``all_pages: true`` on a tool asks the server to walk the pages itself with the
largest documented Limit, up to a cap on items, and to say so when it stopped at the
cap. Which actions page, their maximum Limit and the list field to concatenate all come
from the catalog, so no action has hand-written paging.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from lighthouse_mcp.catalog import action
from lighthouse_mcp.tools.lookup import Call

#: (items so far, total if known, message) after each page.
PageProgress = Callable[[int, int | None, str], Awaitable[None]]

#: Most items one all_pages call returns (ten pages of the usual maximum Limit of 100):
#: enough for any account's list of one kind in one region, small enough that the
#: result stays readable; past it the result says where to continue.
MAX_ITEMS = 1000
#: Most characters of compact JSON the merged list may take: the server cuts results
#: longer than 60,000 characters (server/results.py) and this leaves room for the rest of
#: the Response. Stopping here instead of being cut means the result can say exactly
#: where to continue.
MAX_CHARS = 56_000
#: Limit used when the docs give no maximum.
FALLBACK_PAGE_SIZE = 100


@dataclass(frozen=True)
class PagingSpec:
    page_size: int
    list_field: str


@cache
def paging_spec(name: str) -> PagingSpec | None:
    """How ``name`` pages, or None when it takes no Offset/Limit or returns no list."""
    spec = action(name)
    inputs = {p["name"]: p for p in spec["inputs"]}
    if "Offset" not in inputs or "Limit" not in inputs:
        return None
    lists = [p["name"] for p in spec["outputs"] if p["array"]]
    if len(lists) != 1:
        return None
    maximum = inputs["Limit"].get("maximum")
    page = int(maximum) if maximum else FALLBACK_PAGE_SIZE
    return PagingSpec(page_size=page, list_field=lists[0])


def pageable_actions(names: list[str]) -> list[str]:
    return [n for n in names if paging_spec(n) is not None]


async def fetch_all_pages(
    call: Call,
    name: str,
    params: Mapping[str, Any],
    *,
    max_items: int = MAX_ITEMS,
    max_chars: int = MAX_CHARS,
    progress: PageProgress | None = None,
) -> dict[str, Any]:
    """Every page of ``name`` merged into one Response-shaped dict.

    Starts at the caller's Offset (default 0), ignores the caller's Limit, stops at
    TotalCount, at an empty page (or a short one when there is no TotalCount), at
    ``max_items``, or before the list's JSON passes ``max_chars``. Other members come from
    the first page (``RequestId`` too, so the result still quotes one); ``Paging`` says
    how many pages and items, every page's RequestId, and whether it stopped at the cap
    and where to continue.
    """
    spec = paging_spec(name)
    if spec is None:
        raise ValueError(f"all_pages: {name} does not page (it has no Offset/Limit list)")
    if max_items < 1:
        raise ValueError("all_pages: max_items must be at least 1")
    offset = int(params.get("Offset", 0) or 0)
    items: list[Any] = []
    merged: dict[str, Any] = {}
    request_ids: list[str] = []
    pages = 0
    total: int | None = None
    truncated = False
    size_cut = False
    chars = 2  # "[]"
    while True:
        size = min(spec.page_size, max_items - len(items))
        response = await call(name, {**params, "Offset": offset, "Limit": size})
        pages += 1
        if not merged:
            merged = dict(response)
        if isinstance(response.get("RequestId"), str):
            request_ids.append(response["RequestId"])
        page = list(response.get(spec.list_field) or [])
        for item in page:
            chars += len(json.dumps(item, ensure_ascii=False, separators=(",", ":"))) + 1
            if chars > max_chars and items:
                size_cut = True
                break
            items.append(item)
            offset += 1
        if isinstance(response.get("TotalCount"), int):
            total = int(response["TotalCount"])
        if progress is not None:
            await progress(len(items), total, f"page {pages}: {len(items)} items")
        if size_cut:
            truncated = True
            break
        if not page or (offset >= total if total is not None else len(page) < size):
            break  # the end; a short page ends the list only when no TotalCount says more
        if len(items) >= max_items:
            truncated = True
            break
    merged[spec.list_field] = items
    if total is not None:
        merged["TotalCount"] = total
    paging: dict[str, Any] = {
        "Pages": pages,
        "Items": len(items),
        "Truncated": truncated,
        "RequestIds": request_ids,
    }
    if truncated:
        rest = f" of {total}" if total is not None else ""
        cap = (
            f"the result size limit ({max_chars} characters) after {len(items)} items"
            if size_cut
            else f"the cap of {max_items} items"
        )
        paging["Note"] = (
            f"Stopped at {cap}{rest}: continue with Offset={offset} (and "
            "all_pages again), or narrow with Filters."
        )
    merged["Paging"] = paging
    return merged
