"""Which Describe* actions page (take Offset and Limit and return one list), their
largest documented Limit and the list member: from the catalog, so no action has
hand-written paging. The walking itself is tools/whole_lists.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lighthouse_mcp.catalog import action

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
