"""DescribeRegions and DescribeZones: the documented regions, and the zones of the caller's."""

from __future__ import annotations

from typing import Any

from ..engine import seed
from ..engine.context import Ctx
from ..engine.registry import Family

family = Family("regions", coverage="seed")


@family.handler("DescribeRegions")
def describe_regions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = seed.regions()
    return {"TotalCount": len(rows), "RegionSet": rows}


_DISPLAY_ORDER = {"HIDDEN": 0, "NORMAL": 1, "SELECTED": 2}


@family.handler("DescribeZones")
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
