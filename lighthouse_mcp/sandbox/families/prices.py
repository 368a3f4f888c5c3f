"""InquirePrice*: quotes computed from the catalogue, so a quote changes with its inputs.

Instance quotes are the bundle's monthly price × period × count, with the period's
discount (:func:`seed.discount_percent`); disk quotes are size × the per-GB price of the
disk type (+ backup points) × period × count, with the same discount steps. Renewal
quotes read the live records (an instance's bundle, a disk's size and type), so after a
bundle change or a disk resize the renewal price follows.
"""

from __future__ import annotations

from typing import Any

from ..engine import seed
from ..engine.context import Ctx
from ..engine.registry import Family
from .bundles import unknown_bundle

#: Purchase quotes are computed from the catalogue alone (``coverage="seed"``); renewal
#: quotes read live records.
family = Family("prices")

#: Periods (months) the docs allow: for purchase, and for renewal (no 48/60).
BUY_PERIODS = frozenset(seed.DISCOUNT_SPANS)
RENEW_PERIODS = frozenset(range(1, 13)) | {24, 36}


def check_period(ctx: Ctx, period: int, *, renew: bool = False, field: str = "Period") -> None:
    """Refuse a period the docs do not list (the families reuse this for Create/Renew)."""
    allowed = RENEW_PERIODS if renew else BUY_PERIODS
    if period not in allowed:
        raise ctx.fail(
            "InvalidParameterValue.OutOfRange",
            f"`{field}` must be one of {', '.join(map(str, sorted(allowed)))} months; "
            f"got {period}.",
            also=("InvalidParameterValue",),
        )


def instance_quote(ctx: Ctx, bundle_id: str, months: int, count: int = 1) -> dict[str, Any]:
    """The InstancePrice of ``count`` instances of ``bundle_id`` for ``months``."""
    found = seed.bundle(bundle_id)
    if found is None:
        raise unknown_bundle(ctx, bundle_id)
    return seed.instance_price(
        found["Price"]["InstancePrice"]["OriginalBundlePrice"], months, count
    )


def disk_quote(
    disk_type: str, size: int, months: int, *, count: int = 1, backup_quota: int = 0
) -> dict[str, Any]:
    """A DiskPrice: DiskSpace (+ DiskBackupQuota) detail lines and their totals."""
    discount = seed.discount_percent(months)
    lines = [("DiskSpace", seed.DISK_PRICE_PER_GB[disk_type] * size)]
    if backup_quota:
        lines.append(("DiskBackupQuota", seed.DISK_BACKUP_POINT_PRICE * backup_quota))
    details = []
    for name, unit in lines:
        original = unit * months * count
        details.append(
            {
                "PriceName": name,
                "OriginUnitPrice": round(unit, 2),
                "OriginalPrice": round(original, 2),
                "Discount": discount,
                "DiscountPrice": round(original * discount / 100, 2),
            }
        )
    unit_total = sum(unit for _, unit in lines)
    original_total = unit_total * months * count
    return {
        "OriginalDiskPrice": round(unit_total, 2),
        "OriginalPrice": round(original_total, 2),
        "Discount": discount,
        "DiscountPrice": round(original_total * discount / 100, 2),
        "DetailPrices": details,
    }


@family.handler("InquirePriceCreateInstances", coverage="seed")
def inquire_price_create_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    prepaid = params["InstanceChargePrepaid"]
    check_period(ctx, prepaid["Period"], field="InstanceChargePrepaid.Period")
    bundle = seed.bundle(params["BundleId"])
    if bundle is None:
        raise unknown_bundle(ctx, params["BundleId"])
    if bundle["BundleSalesState"] != "AVAILABLE":
        raise ctx.fail(
            "ResourceUnavailable.BundleUnavailable",
            f"The bundle `{params['BundleId']}` is sold out.",
        )
    blueprint_id = params.get("BlueprintId")
    if blueprint_id and blueprint_id not in ctx.state.table("blueprints"):
        raise ctx.fail(
            "ResourceNotFound.BlueprintIdNotFound",
            f"The blueprint `{blueprint_id}` does not exist in {ctx.region}.",
            also=("InvalidParameterValue.InvalidBlueprintId",),
        )
    count = params.get("InstanceCount", 1)
    if count < 1:
        raise ctx.fail("InvalidParameterValue", f"`InstanceCount` must be at least 1; got {count}.")
    return {
        "Price": {
            "InstancePrice": instance_quote(ctx, bundle["BundleId"], prepaid["Period"], count)
        }
    }


def _instance(ctx: Ctx, instance_id: str) -> dict[str, Any]:
    found = ctx.state.table("instances").get(instance_id)
    if found is None:
        raise ctx.fail(
            "ResourceNotFound.InstanceIdNotFound",
            f"The instance `{instance_id}` does not exist in {ctx.region}.",
            also=("ResourceNotFound.InstanceNotFound",),
        )
    return found


@family.handler("InquirePriceRenewInstances")
def inquire_price_renew_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    months = params["InstanceChargePrepaid"]["Period"]
    check_period(ctx, months, renew=True, field="InstanceChargePrepaid.Period")
    instances = [_instance(ctx, iid) for iid in params["InstanceIds"]]
    details, disk_prices = [], []
    original = discounted = unit_sum = 0.0
    for inst in instances:
        price = instance_quote(ctx, inst["BundleId"], months)
        unit = price["OriginalBundlePrice"]
        details.append(
            {
                "InstanceId": inst["InstanceId"],
                "InstancePrice": price,
                "DiscountDetail": [seed.discount_detail(unit, m) for m in sorted(RENEW_PERIODS)],
            }
        )
        unit_sum += unit
        original += price["OriginalPrice"]
        discounted += price["DiscountPrice"]
    if params.get("RenewDataDisk"):
        wanted = {inst["InstanceId"] for inst in instances}
        for disk in ctx.state.table("disks").values():
            if disk.get("InstanceId") in wanted and disk.get("DiskUsage") != "SYSTEM_DISK":
                quote = disk_quote(
                    disk["DiskType"],
                    disk["DiskSize"],
                    months,
                    backup_quota=disk.get("DiskBackupQuota") or 0,
                )
                disk_prices.append(
                    {
                        "DiskId": disk["DiskId"],
                        "OriginalDiskPrice": quote["OriginalDiskPrice"],
                        "OriginalPrice": quote["OriginalPrice"],
                        "Discount": quote["Discount"],
                        "DiscountPrice": quote["DiscountPrice"],
                        "InstanceId": disk["InstanceId"],
                    }
                )
                original += quote["OriginalPrice"]
                discounted += quote["DiscountPrice"]
    instance_price = seed.priced(
        round(unit_sum, 2),
        round(sum(d["InstancePrice"]["OriginalPrice"] for d in details), 2),
        seed.discount_percent(months),
        round(sum(d["InstancePrice"]["DiscountPrice"] for d in details), 2),
    )
    return {
        "Price": {"InstancePrice": instance_price},
        "DataDiskPriceSet": disk_prices,
        "InstancePriceDetailSet": details,
        "TotalPrice": {"OriginalPrice": round(original, 2), "DiscountPrice": round(discounted, 2)},
    }


@family.handler("InquirePriceCreateDisks", coverage="seed")
def inquire_price_create_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    months = params["DiskChargePrepaid"]["Period"]
    check_period(ctx, months, field="DiskChargePrepaid.Period")
    disk_type = params["DiskType"]
    if disk_type not in seed.DISK_PRICE_PER_GB:
        raise ctx.fail(
            "InvalidParameterValue",
            f"`DiskType` must be one of {', '.join(seed.DISK_PRICE_PER_GB)}; got {disk_type!r}.",
        )
    size = params["DiskSize"]
    low, high, step = seed.DISK_SIZE_LIMITS[disk_type]
    if not low <= size <= high or size % step:
        raise ctx.fail(
            "InvalidParameterValue.OutOfRange",
            f"`DiskSize` of a {disk_type} disk must be {low}-{high} GB in steps of "
            f"{step}; got {size}.",
            also=("InvalidParameterValue",),
        )
    backups = params.get("DiskBackupQuota", 0)
    if not 0 <= backups <= seed.DISK_BACKUP_QUOTA_MAX:
        raise ctx.fail(
            "InvalidParameterValue.OutOfRange",
            f"`DiskBackupQuota` must be 0-{seed.DISK_BACKUP_QUOTA_MAX}; got {backups}.",
            also=("InvalidParameterValue",),
        )
    count = params.get("DiskCount", 1)
    if count < 1:
        raise ctx.fail("InvalidParameterValue", f"`DiskCount` must be at least 1; got {count}.")
    return {"DiskPrice": disk_quote(disk_type, size, months, count=count, backup_quota=backups)}


@family.handler("InquirePriceRenewDisks")
def inquire_price_renew_disks(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    prepaid = params["RenewDiskChargePrepaid"]
    months = prepaid.get("Period")
    if months is None:
        months = 1  # CurInstanceDeadline alignment: quoted as one month
    check_period(ctx, months, renew=True, field="RenewDiskChargePrepaid.Period")
    if not params["DiskIds"]:  # an empty list must be refused, not crash the quote
        raise ctx.fail(
            "InvalidParameterValue",
            "`DiskIds` must name at least one disk.",
            also=("MissingParameter",),
        )
    quotes = []
    for disk_id in params["DiskIds"]:
        disk = ctx.state.table("disks").get(disk_id)
        if disk is None:
            raise ctx.fail(
                "ResourceNotFound.DiskIdNotFound",
                f"The disk `{disk_id}` does not exist in {ctx.region}.",
                also=("ResourceNotFound.DiskNotFound",),
            )
        if disk.get("DiskUsage") == "SYSTEM_DISK":
            raise ctx.fail(
                "OperationDenied.DiskUsageNotSupportOperation",
                f"`{disk_id}` is a system disk; it renews with its instance.",
            )
        quotes.append(
            disk_quote(
                disk["DiskType"],
                disk["DiskSize"],
                months,
                backup_quota=disk.get("DiskBackupQuota") or 0,
            )
        )
    return {"DiskPrice": quotes[0]}


@family.handler("InquirePriceCreateBlueprint", coverage="seed")
def inquire_price_create_blueprint(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    count = params.get("BlueprintCount", 1)
    if count < 1:
        raise ctx.fail(
            "InvalidParameterValue", f"`BlueprintCount` must be at least 1; got {count}."
        )
    original = round(seed.BLUEPRINT_PRICE * count, 4)
    return {
        "BlueprintPrice": {
            "OriginalBlueprintPrice": seed.BLUEPRINT_PRICE,
            "OriginalPrice": original,
            "Discount": 100,
            "DiscountPrice": original,
        }
    }
