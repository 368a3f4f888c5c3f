"""Which actions page, from the catalog: their largest Limit and their one list (the
walking itself is tested in test_whole_lists.py)."""

from __future__ import annotations

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.paging import PagingSpec, pageable_actions, paging_spec


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
