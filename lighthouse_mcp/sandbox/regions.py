"""DescribeRegions and DescribeZones: the documented regions, and the zones of the caller's."""

from __future__ import annotations

from typing import Any

from . import seed
from .backend import Ctx, handler

#: Answers come from the static catalogue, not from account state (see coverage.py).
COVERAGE = "seed"


@handler("DescribeRegions")
def describe_regions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = seed.regions()
    return {"TotalCount": len(rows), "RegionSet": rows}


_DISPLAY_ORDER = {"HIDDEN": 0, "NORMAL": 1, "SELECTED": 2}


@handler("DescribeZones")
def describe_zones(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Zones of the request's region, ordered as the docs describe (by zone, ascending)."""
    rows = seed.zones(ctx.region)
    if params.get("OrderField") == "INSTANCE_DISPLAY_LABEL":
        rows.sort(key=lambda z: (_DISPLAY_ORDER.get(z["InstanceDisplayLabel"], 1), z["Zone"]))
    else:
        rows.sort(key=lambda z: z["Zone"])
    if params.get("Order") == "DESC":
        rows.reverse()
    return {"TotalCount": len(rows), "ZoneInfoSet": rows}
