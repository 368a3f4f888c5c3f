"""Whole-list paging: which actions page (from the catalog), how pages are merged, the cap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.paging import (
    MAX_ITEMS,
    PagingSpec,
    fetch_all_pages,
    pageable_actions,
    paging_spec,
)

pytestmark = pytest.mark.anyio


class Listing:
    """A Describe* over ``count`` key pairs that honours Offset/Limit like the API."""

    def __init__(self, count: int, *, total: bool = True, max_limit: int = 100) -> None:
        self.items = [{"KeyId": f"lhkp-{i:08d}"} for i in range(count)]
        self.total = total
        self.max_limit = max_limit
        self.calls: list[dict[str, Any]] = []

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        assert action == "DescribeKeyPairs"
        self.calls.append(dict(params))
        offset, limit = params["Offset"], min(params["Limit"], self.max_limit)
        out: dict[str, Any] = {
            "KeyPairSet": self.items[offset : offset + limit],
            "RequestId": f"req-{len(self.calls)}",
        }
        if self.total:
            out["TotalCount"] = len(self.items)
        return out


def test_paging_spec_reads_limit_maximum_and_the_one_list() -> None:
    assert paging_spec("DescribeInstances") == PagingSpec(100, "InstanceSet")
    assert paging_spec("DescribeFirewallRules") == PagingSpec(100, "FirewallRuleSet")
    assert paging_spec("StartInstances") is None  # no Offset/Limit
    assert paging_spec("DescribeRegions") is None
    pageable = pageable_actions(catalog.action_names())
    assert "DescribeKeyPairs" in pageable and "DescribeSnapshots" in pageable
    for name in pageable:  # every pageable action really has Offset, Limit and one list
        act = catalog.action(name)
        assert {"Offset", "Limit"} <= {p["name"] for p in act["inputs"]}, name
        assert sum(p["array"] for p in act["outputs"]) == 1, name


async def test_merges_every_page_and_keeps_the_first_request_id() -> None:
    listing = Listing(250)
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", {"Limit": 5})
    assert [c["Offset"] for c in listing.calls] == [0, 100, 200]
    assert all(c["Limit"] == 100 for c in listing.calls)  # the caller's Limit is replaced
    assert [k["KeyId"] for k in merged["KeyPairSet"]] == [k["KeyId"] for k in listing.items]
    assert merged["TotalCount"] == 250 and merged["RequestId"] == "req-1"
    assert merged["Paging"] == {
        "Pages": 3,
        "Items": 250,
        "Truncated": False,
        "RequestIds": ["req-1", "req-2", "req-3"],
    }


async def test_starts_at_the_callers_offset_and_passes_other_params() -> None:
    listing = Listing(130)
    params = {"Offset": 20, "Filters": [{"Name": "key-name", "Values": ["x"]}]}
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", params)
    assert [c["Offset"] for c in listing.calls] == [20, 120]
    assert all(c["Filters"] == params["Filters"] for c in listing.calls)
    assert len(merged["KeyPairSet"]) == 110


async def test_stops_at_the_cap_and_says_where_to_continue() -> None:
    listing = Listing(300)
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", {}, max_items=150)
    assert [(c["Offset"], c["Limit"]) for c in listing.calls] == [(0, 100), (100, 50)]
    paging = merged["Paging"]
    assert paging["Truncated"] is True and paging["Items"] == 150
    assert "cap of 150 items of 300" in paging["Note"] and "Offset=150" in paging["Note"]


async def test_exact_multiple_of_the_cap_is_not_truncated() -> None:
    listing = Listing(200)
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", {}, max_items=200)
    assert merged["Paging"]["Truncated"] is False and len(listing.calls) == 2


async def test_without_total_count_a_short_page_ends_the_list() -> None:
    listing = Listing(120, total=False)
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", {})
    assert len(listing.calls) == 2 and len(merged["KeyPairSet"]) == 120
    assert "TotalCount" not in merged


async def test_with_total_count_a_short_page_does_not_end_the_list() -> None:
    # An API that caps Limit below the documented maximum still gets walked to the end.
    listing = Listing(120, max_limit=50)
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", {})
    assert [c["Offset"] for c in listing.calls] == [0, 50, 100]
    assert len(merged["KeyPairSet"]) == 120


async def test_empty_list_is_one_call() -> None:
    listing = Listing(0)
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", {})
    assert merged["KeyPairSet"] == [] and merged["Paging"]["Pages"] == 1


async def test_progress_after_each_page() -> None:
    seen: list[tuple[int, int | None]] = []

    async def progress(done: int, total: int | None, message: str) -> None:
        seen.append((done, total))

    await fetch_all_pages(Listing(150).call, "DescribeKeyPairs", {}, progress=progress)
    assert seen == [(100, 150), (150, 150)]


async def test_refuses_actions_that_do_not_page() -> None:
    async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        raise AssertionError("nothing may be sent")

    with pytest.raises(ValueError, match="StartInstances does not page"):
        await fetch_all_pages(call, "StartInstances", {})


def test_cap_is_ten_pages() -> None:
    assert 10 * paging_spec("DescribeInstances").page_size == MAX_ITEMS  # type: ignore[union-attr]


async def test_stops_before_the_size_limit_at_an_exact_item() -> None:
    listing = Listing(250)
    one = len('{"KeyId":"lhkp-00000000"}') + 1
    merged = await fetch_all_pages(listing.call, "DescribeKeyPairs", {}, max_chars=2 + 130 * one)
    assert len(merged["KeyPairSet"]) == 130 and merged["Paging"]["Pages"] == 2
    assert merged["KeyPairSet"][-1]["KeyId"] == "lhkp-00000129"
    note = merged["Paging"]["Note"]
    assert "result size limit" in note and "after 130 items of 250" in note
    assert "Offset=130" in note
    # continuing from the Offset it names returns the rest, nothing twice
    rest = await fetch_all_pages(listing.call, "DescribeKeyPairs", {"Offset": 130})
    assert [k["KeyId"] for k in merged["KeyPairSet"] + rest["KeyPairSet"]] == [
        k["KeyId"] for k in listing.items
    ]


async def test_one_item_larger_than_the_limit_is_still_returned() -> None:
    merged = await fetch_all_pages(Listing(3).call, "DescribeKeyPairs", {}, max_chars=10)
    assert len(merged["KeyPairSet"]) == 1 and merged["Paging"]["Truncated"] is True
