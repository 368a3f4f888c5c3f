"""Seed records have exactly the documented structure members (plus internal `_` fields)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox.engine import seed
from lighthouse_mcp.sandbox.engine.state import RegionState, public


def members(structure: str) -> set[str]:
    return {m["name"] for m in catalog.structure(structure)["members"]}


def seeded(region: str = "ap-guangzhou") -> RegionState:
    state = RegionState(region)
    seed.seed_region(state, random.Random(1), 1_700_000_000.0)
    return state


@pytest.mark.parametrize(
    ("records", "structure"),
    [
        (seed.regions(), "RegionInfo"),
        (seed.zones("ap-guangzhou"), "ZoneInfo"),
        (seed.bundles(), "Bundle"),
        (seed.public_blueprints(0), "Blueprint"),
        (seed.default_firewall_rules(), "FirewallRuleInfo"),
        (list(seed.SCENES), "SceneInfo"),
    ],
)
def test_catalogue_records_match_their_structure(
    records: list[dict[str, Any]], structure: str
) -> None:
    assert records
    for record in records:
        assert set(public(record)) == members(structure), structure


def test_seed_instances_are_documented_instances() -> None:
    state = seeded()
    instances = state.table("instances")
    assert sorted(instances) == ["lhins-demo0001", "lhins-demo0002"]
    for rid, record in instances.items():
        assert set(public(record)) == members("Instance")
        assert record["InstanceId"] == rid
        assert set(record["SystemDisk"]) == members("SystemDisk")
        assert state.table("firewall")[rid]["version"] == 1
    assert {r["InstanceState"] for r in instances.values()} == {"RUNNING", "STOPPED"}
    zones = {z["Zone"] for z in seed.zones("ap-guangzhou")}
    assert {r["Zone"] for r in instances.values()} <= zones


def test_other_regions_get_blueprints_but_no_instances() -> None:
    state = seeded("ap-singapore")
    assert state.table("instances") == {}
    assert all(b["_public"] for b in state.table("blueprints").values())


def test_the_global_pseudo_region_has_no_seed() -> None:
    assert seeded("global").tables == {}


def test_discount_steps_follow_the_docs_example() -> None:
    assert [seed.discount_percent(m) for m in (1, 5, 6, 11, 12, 60)] == [100, 100, 88, 88, 85, 85]
    row = seed.discount_detail(50, 6)
    assert (row["TotalCost"], row["RealTotalCost"]) == (300, 264)  # DescribeBundleDiscount


def test_every_seed_blueprint_and_bundle_id_is_well_formed() -> None:
    assert all(
        re.fullmatch(r"lhbp-[a-z0-9]{8}", b["BlueprintId"]) for b in seed.public_blueprints(0)
    )
    assert len({b["BundleId"] for b in seed.bundles()}) == len(seed.bundles())
