"""DescribeGeneralResourceQuotas, and the quota arithmetic families use to refuse creation.

Totals are per account and region. Usage is counted from the live state, so creating a
key pair lowers ``USER_KEY_PAIR``'s available count by one, and a family that would go
over a total raises its documented ``LimitExceeded.*`` code through :func:`require`.
"""

from __future__ import annotations

from typing import Any

from ..engine import seed
from ..engine.context import Ctx
from ..engine.registry import Family
from ..engine.state import RegionState

family = Family("quotas")

#: resource name -> total per account and region
QUOTA_TOTALS: dict[str, int] = {
    "GENERAL_BUNDLE_INSTANCE": 20,
    "STORAGE_BUNDLE_INSTANCE": 20,
    "ENTERPRISE_BUNDLE_INSTANCE": 20,
    "EXCLUSIVE_BUNDLE_INSTANCE": 10,
    "BEFAST_BUNDLE_INSTANCE": 10,
    "STARTER_BUNDLE_INSTANCE": 10,
    "HK_EXCLUSIVE_BUNDLE_INSTANCE": 10,
    "CAREFREE_BUNDLE_INSTANCE": 10,
    "USER_KEY_PAIR": 10,
    "SNAPSHOT": 20,
    "BLUEPRINT": 20,
    "FREE_BLUEPRINT": 2,
    "DATA_DISK": 20,
}


def _bundle_type(bundle_id: str) -> str | None:
    found = seed.bundle(bundle_id)
    return found["BundleType"] if found else None


def used(state: RegionState, name: str) -> int:
    """How much of quota ``name`` the region's state uses now."""
    if name.endswith("_BUNDLE_INSTANCE"):
        kind = name.removesuffix("_INSTANCE")
        return sum(
            1 for r in state.table("instances").values() if _bundle_type(r["BundleId"]) == kind
        )
    if name == "USER_KEY_PAIR":
        return len(state.table("keypairs"))
    if name == "SNAPSHOT":
        return len(state.table("snapshots"))
    if name in ("BLUEPRINT", "FREE_BLUEPRINT"):
        return sum(1 for b in state.table("blueprints").values() if not b.get("_public"))
    if name == "DATA_DISK":
        return sum(1 for d in state.table("disks").values() if d.get("DiskUsage") != "SYSTEM_DISK")
    return 0


def available(state: RegionState, name: str) -> int:
    return max(QUOTA_TOTALS[name] - used(state, name), 0)


def require(ctx: Ctx, name: str, needed: int, code: str, *, also: tuple[str, ...] = ()) -> None:
    """Raise ``code`` (or the first of ``also`` the action documents) if ``needed`` > free."""
    free = available(ctx.state, name)
    if needed > free:
        raise ctx.fail(
            code,
            f"The {name} quota of {ctx.region} allows {QUOTA_TOTALS[name]}; "
            f"{free} left, {needed} requested.",
            also=(*also, "LimitExceeded"),
        )


@family.handler("DescribeGeneralResourceQuotas")
def describe_general_resource_quotas(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for name in params["ResourceNames"]:
        if name not in QUOTA_TOTALS:
            raise ctx.fail(
                "InvalidParameterValue.InvalidResourceQuotaResourceName",
                f"`{name}` is not a quota name; expected one of: {', '.join(QUOTA_TOTALS)}.",
                also=("InvalidParameterValue",),
            )
        rows.append(
            {
                "ResourceName": name,
                "ResourceQuotaAvailable": available(ctx.state, name),
                "ResourceQuotaTotal": QUOTA_TOTALS[name],
            }
        )
    return {"GeneralResourceQuotaSet": rows}
