"""DescribeBundles and DescribeBundleDiscount over the seed catalogue of bundles."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..engine import seed
from ..engine.context import Ctx
from ..engine.listing import apply_filters, exclusive, page
from ..engine.registry import Family
from .instance_model import blueprint_fit, lookup_blueprint

family = Family("bundles", coverage="seed")

_FIELDS: dict[str, Callable[[dict[str, Any]], Iterable[Any]]] = {
    "bundle-id": lambda b: [b["BundleId"]],
    "bundle-type": lambda b: [b["BundleType"]],
    "bundle-state": lambda b: ["ONLINE" if b["BundleSalesState"] == "AVAILABLE" else "OFFLINE"],
    "support-platform-type": lambda b: (
        (["LINUX_UNIX"] if b["SupportLinuxUnixPlatform"] else [])
        + (["WINDOWS"] if b["SupportWindowsPlatform"] else [])
    ),
}


def unknown_bundle(ctx: Ctx, bundle_id: str) -> Exception:
    return ctx.fail(
        "InvalidParameter.BundleIdNotFound",
        f"The bundle `{bundle_id}` does not exist; see DescribeBundles.",
        also=("ResourceNotFound", "InvalidParameterValue"),
    )


def check_zones(ctx: Ctx, zones: list[str]) -> None:
    known = {z["Zone"] for z in seed.zones(ctx.region)}
    for zone in zones:
        if zone not in known:
            raise ctx.fail(
                "InvalidParameterValue.ZoneInvalid",
                f"The zone `{zone}` is not in {ctx.region}; expected one of: "
                f"{', '.join(sorted(known))}.",
                also=("InvalidParameterValue.InvalidZone", "InvalidParameterValue"),
            )


@family.handler("DescribeBundles", coverage="stateful")
def describe_bundles(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """``BlueprintId`` keeps the bundles that blueprint can run on (platform, disk, memory)."""
    exclusive(ctx, params, "BundleIds", "Filters")
    catalogue = seed.bundles()
    known = {b["BundleId"] for b in catalogue}
    wanted = params.get("BundleIds") or []
    for bid in wanted:
        if bid not in known:
            raise unknown_bundle(ctx, bid)
    check_zones(ctx, params.get("Zones") or [])
    if wanted:
        catalogue = [b for b in catalogue if b["BundleId"] in set(wanted)]
    if params.get("BlueprintId"):
        target = lookup_blueprint(ctx, params["BlueprintId"])
        catalogue = [b for b in catalogue if blueprint_fit(b, target) is None]
    rows = apply_filters(ctx, catalogue, params.get("Filters"), _FIELDS)
    return {"TotalCount": len(rows), "BundleSet": page(ctx, rows, params)}


@family.handler("DescribeBundleDiscount")
def describe_bundle_discount(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    bid = params["BundleId"]
    try:
        unit = seed.bundle_monthly_price(bid)
    except KeyError:
        raise unknown_bundle(ctx, bid) from None
    return {
        "Currency": seed.CURRENCY,
        "DiscountDetail": [seed.discount_detail(unit, m) for m in seed.DISCOUNT_SPANS],
    }
