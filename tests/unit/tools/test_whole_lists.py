"""all_pages with fields (caps after projection), the truncation marker, a Limit above
the maximum refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from lighthouse_mcp.tools.validate import validate
from lighthouse_mcp.tools.whole_lists import (
    TRUNCATED,
    all_pages,
    truncation,
)

pytestmark = pytest.mark.anyio


class Instances:
    """DescribeInstances over ``count`` big records, honouring Offset/Limit (max 100)."""

    def __init__(self, count: int, *, total: bool = True, max_limit: int = 100) -> None:
        self.max_limit = max_limit
        self.items = [
            {"InstanceId": f"lhins-{i:08d}", "InstanceName": "x" * 400, "InstanceState": "RUNNING"}
            for i in range(count)
        ]
        self.total = total
        self.calls: list[dict[str, Any]] = []

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        assert action == "DescribeInstances"
        self.calls.append(dict(params))
        offset, limit = int(params["Offset"]), int(params["Limit"])
        assert 1 <= limit <= 100
        limit = min(limit, self.max_limit)
        out: dict[str, Any] = {
            "InstanceSet": self.items[offset : offset + limit],
            "RequestId": f"req-{len(self.calls)}",
        }
        if self.total:
            out["TotalCount"] = len(self.items)
        return out


async def test_two_thousand_instances_whole_with_fields() -> None:
    api = Instances(2000)
    out = await all_pages(
        api.call, "DescribeInstances", {}, fields=["InstanceSet.InstanceId", "TotalCount"]
    )
    assert len(out["InstanceSet"]) == 2000 and out["TotalCount"] == 2000
    assert out["InstanceSet"][1999] == {"InstanceId": "lhins-00001999"}
    assert TRUNCATED not in out
    assert out["Paging"]["Pages"] == 20 and len(out["Paging"]["RequestIds"]) == 20


async def test_size_cap_applies_after_projection_and_marks_the_cut() -> None:
    api = Instances(2000)
    out = await all_pages(api.call, "DescribeInstances", {}, max_chars=50_000)
    kept = len(out["InstanceSet"])
    assert 50 < kept < 200  # whole records: about 450 characters each
    marker = out[TRUNCATED]
    assert marker["reason"] == "max_chars" and marker["list"] == "InstanceSet"
    assert marker["returned"] == kept and marker["total"] == 2000
    assert marker["next"] == {"Offset": kept, "Limit": 100}
    assert "fields" in marker["hint"]
    projected = await all_pages(
        Instances(2000).call,
        "DescribeInstances",
        {},
        fields=["InstanceSet.InstanceId"],
        max_chars=50_000,
    )
    assert len(projected["InstanceSet"]) > 5 * kept


async def test_item_cap_marks_the_cut_with_where_to_continue() -> None:
    api = Instances(250)
    out = await all_pages(
        api.call,
        "DescribeInstances",
        {"Offset": 10},
        max_items=120,
        fields=["InstanceSet.InstanceId"],
    )
    assert len(out["InstanceSet"]) == 120
    assert out[TRUNCATED]["reason"] == "max_items"
    assert out[TRUNCATED]["next"] == {"Offset": 130, "Limit": 100}
    assert [c["Offset"] for c in api.calls] == [10, 110]


async def test_no_marker_when_the_cap_meets_the_end() -> None:
    out = await all_pages(Instances(100).call, "DescribeInstances", {}, max_items=100)
    assert len(out["InstanceSet"]) == 100 and TRUNCATED not in out


async def test_without_total_a_short_page_ends_the_list() -> None:
    api = Instances(150, total=False)
    out = await all_pages(api.call, "DescribeInstances", {})
    assert len(out["InstanceSet"]) == 150 and TRUNCATED not in out and len(api.calls) == 2


async def test_not_pageable_is_refused() -> None:
    with pytest.raises(ValueError, match="does not page"):
        await all_pages(Instances(1).call, "RebootInstances", {})


def test_limit_over_the_maximum_is_refused_before_sending() -> None:
    """The decision for a Limit above the documented maximum: refuse it with the maximum
    named (never lower it silently), so no list is ever shorter than the caller asked."""
    problems = validate("DescribeInstances", {"Limit": 500})
    assert [(p.path, p.expected) for p in problems] == [("Limit", "integer <= 100")]


def test_marker_for_a_result_cut_without_paging() -> None:
    marker = truncation("result_size", list_field="ContainerList", returned=10, cap=60_000)
    assert "next" not in marker and "total" not in marker
    assert marker["hint"].startswith("the result was cut to 60000 characters: 10 ContainerList")


async def test_starts_at_the_callers_offset_and_passes_other_params() -> None:
    api = Instances(130)
    params = {"Offset": 20, "Filters": [{"Name": "instance-name", "Values": ["x"]}]}
    out = await all_pages(api.call, "DescribeInstances", params)
    assert [c["Offset"] for c in api.calls] == [20, 120]
    assert all(c["Filters"] == params["Filters"] for c in api.calls)
    assert len(out["InstanceSet"]) == 110 and out["Paging"]["From"] == 20


async def test_with_total_count_a_short_page_does_not_end_the_list() -> None:
    # An API that caps Limit below the documented maximum still gets walked to the end.
    api = Instances(120, max_limit=50)
    out = await all_pages(api.call, "DescribeInstances", {})
    assert [c["Offset"] for c in api.calls] == [0, 50, 100]
    assert len(out["InstanceSet"]) == 120 and TRUNCATED not in out


async def test_empty_list_is_one_call() -> None:
    out = await all_pages(Instances(0).call, "DescribeInstances", {})
    assert out["InstanceSet"] == [] and out["Paging"]["Pages"] == 1 and TRUNCATED not in out


async def test_progress_after_each_page() -> None:
    seen: list[tuple[int, int | None]] = []

    async def progress(done: int, total: int | None, message: str) -> None:
        seen.append((done, total))

    await all_pages(Instances(150).call, "DescribeInstances", {}, progress=progress)
    assert seen == [(100, 150), (150, 150)]


async def test_one_item_larger_than_the_size_cap_is_still_returned() -> None:
    out = await all_pages(Instances(3).call, "DescribeInstances", {}, max_chars=10)
    assert len(out["InstanceSet"]) == 1 and out[TRUNCATED]["next"]["Offset"] == 1
