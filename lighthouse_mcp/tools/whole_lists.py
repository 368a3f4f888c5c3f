"""Whole lists in one call, and a marker in the data whenever a list is cut.

``all_pages`` walks Offset/Limit to the end. Its caps count what the caller keeps: each
page is projected with ``fields`` before its items are counted against the size cap, so
``fields: ["InstanceSet.InstanceId"]`` fits thousands of instances where whole records
fit a few dozen. Whenever anything is left out (a cap, a result cut to size; a Limit
above the documented maximum is refused before sending, never lowered silently)
structuredContent carries :data:`TRUNCATED`, a
machine-readable marker that says why, how many items came back, how many exist and the
exact Offset/Limit of the next request, so a client need not parse the text.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

from lighthouse_mcp.tools.fields import project
from lighthouse_mcp.tools.paging import paging_spec

Call = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]
#: (items so far, total if known, message) after each page.
PageProgress = Callable[[int, int | None, str], Awaitable[None]]

#: The marker's member name in structuredContent: lower snake_case with a leading
#: underscore, so it can never be an API member (all PascalCase) nor a server argument.
TRUNCATED = "_truncated"
#: Most items one all_pages call returns: 2,000 instances (the issue's whole account)
#: and more, still a bounded answer.
MAX_ITEMS = 5_000
#: Most characters of compact JSON the (projected) list may take, about 40k estimated
#: tokens: 2,000 instances with two or three fields each fit; whole records past a few
#: hundred do not, and the marker then says how to continue.
MAX_CHARS = 160_000

Reason = Literal["max_items", "max_chars", "result_size"]


class NextPage(TypedDict):
    Offset: int
    Limit: int


class Truncation(TypedDict):
    """The marker: why, which list, how many returned, how many exist, what to ask next."""

    reason: Reason
    list: str  # the list member that was cut, e.g. "InstanceSet"
    returned: int
    total: NotRequired[int]  # when the API said (TotalCount)
    next: NotRequired[NextPage]  # absent when the action has no Offset/Limit
    hint: str


_WHY: dict[Reason, str] = {
    "max_items": "stopped at the cap of {cap} items",
    "max_chars": "stopped at the size cap of {cap} characters",
    "result_size": "the result was cut to {cap} characters",
}


def truncation(
    reason: Reason,
    *,
    list_field: str,
    returned: int,
    cap: int,
    total: int | None = None,
    next_offset: int | None = None,
    page_size: int | None = None,
    fields_given: bool = False,
) -> Truncation:
    """The marker for one cut; ``next_offset`` and ``page_size`` make ``next``."""
    marker: Truncation = {"reason": reason, "list": list_field, "returned": returned, "hint": ""}
    if total is not None:
        marker["total"] = total
    how = []
    if next_offset is not None and page_size is not None:
        marker["next"] = {"Offset": next_offset, "Limit": page_size}
        how.append(f"continue with Offset={next_offset}")
    if reason in ("max_chars", "result_size") and not fields_given:
        how.append("keep fewer members with fields")
    how.append("or narrow with Filters")
    of = f" of {total}" if total is not None else ""
    marker["hint"] = (
        f"{_WHY[reason].format(cap=cap)}: {returned}{of} {list_field} items "
        f"returned; " + ", ".join(how) + "."
    )
    return marker


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))


async def all_pages(
    call: Call,
    action: str,
    params: Mapping[str, Any],
    *,
    fields: Sequence[str] | None = None,
    max_items: int = MAX_ITEMS,
    max_chars: int = MAX_CHARS,
    progress: PageProgress | None = None,
) -> dict[str, Any]:
    """Every page of ``action`` merged into one Response, projected with ``fields``.

    Starts at the caller's Offset (default 0), asks the largest documented Limit, stops
    at TotalCount, at an empty page (or a short one when there is no TotalCount), at
    ``max_items`` or before the projected list passes ``max_chars``. Other members come
    from the first page. ``Paging`` counts pages and keeps every page's RequestId;
    :data:`TRUNCATED` is present exactly when items exist past what was returned.
    """
    spec = paging_spec(action)
    if spec is None:
        raise ValueError(f"all_pages: {action} does not page (it has no Offset/Limit list)")
    if max_items < 1:
        raise ValueError("all_pages: max_items must be at least 1")
    keep = list(fields) if fields else None
    start = offset = int(params.get("Offset", 0) or 0)
    items: list[Any] = []
    merged: dict[str, Any] = {}
    request_ids: list[str] = []
    pages, chars = 0, 2
    total: int | None = None
    reason: Reason | None = None
    while reason is None:
        size = min(spec.page_size, max_items - len(items))
        response = await call(action, {**params, "Offset": offset, "Limit": size})
        pages += 1
        if isinstance(response.get("RequestId"), str):
            request_ids.append(response["RequestId"])
        if isinstance(response.get("TotalCount"), int):
            total = int(response["TotalCount"])
        shown = project(response, keep) if keep else response
        if not merged:
            merged = dict(shown)
        page = list(response.get(spec.list_field) or [])
        for item in shown.get(spec.list_field) or []:
            chars += _size(item) + 1
            if chars > max_chars and items:
                reason = "max_chars"
                break
            items.append(item)
            offset += 1
        if progress is not None:
            await progress(len(items), total, f"page {pages}: {len(items)} items")
        if reason is not None:
            break
        if not page or (offset >= total if total is not None else len(page) < size):
            break  # the end; a short page ends the list only when no TotalCount says more
        if len(items) >= max_items:
            reason = "max_items"
    if spec.list_field in merged or not keep:
        merged[spec.list_field] = items
    if total is not None and (not keep or "TotalCount" in merged):
        merged["TotalCount"] = total
    merged["Paging"] = {
        "Pages": pages,
        "Items": len(items),
        "From": start,
        "RequestIds": request_ids,
    }
    if reason is not None and (total is None or offset < total):
        merged[TRUNCATED] = truncation(
            reason,
            list_field=spec.list_field,
            returned=len(items),
            cap=max_items if reason == "max_items" else max_chars,
            total=total,
            next_offset=offset,
            page_size=spec.page_size,
            fields_given=keep is not None,
        )
    return merged
