"""Read-only instance queries: denied actions, returnability, traffic, VNC, disks, options.

Each answer is derived from the same records and rules the mutating actions use
(:data:`.instance_model.RULES`, the bundle and blueprint tables), so what a query says is
allowed is exactly what the action then accepts.
"""

from __future__ import annotations

import math
import string
from typing import Any
from urllib.parse import quote

from ..engine import seed
from ..engine.context import Ctx
from ..engine.listing import apply_filters, check_ids, page
from ..engine.periods import parse_iso
from ..engine.registry import Family
from ..engine.state import Record, public
from . import disk_model
from .blueprints import RESET_FILTERS, visible_blueprints
from .instance_model import (
    DENIABLE_ACTIONS,
    INSTANCE_ID,
    INSTANCE_ID_MALFORMED,
    LINUX,
    all_bundles,
    blueprint_fit,
    bundle,
    bundle_change_problem,
    denial,
    documented_code,
    instances,
    is_mainland,
    lookup,
    lookup_many,
    require,
)

family = Family("instance_queries")

GB = 1024**3
#: Days after purchase during which an instance can be returned for a refund.
RETURN_WINDOW_DAYS = 5


def _listed(ctx: Ctx, params: dict[str, Any]) -> list[Record]:
    """Instances named by the optional ``InstanceIds`` (format-checked), else all."""
    ids = params.get("InstanceIds") or []
    rows = sorted(instances(ctx).values(), key=lambda r: (r["CreatedTime"], r["InstanceId"]))
    if ids:
        check_ids(ctx, ids, "InstanceIds", INSTANCE_ID, INSTANCE_ID_MALFORMED, maximum=100)
        for iid in ids:
            if iid not in instances(ctx):
                raise ctx.fail(
                    "ResourceNotFound.InstanceIdNotFound",
                    f"The instance `{iid}` does not exist in {ctx.region}.",
                    also=("ResourceNotFound.InstanceNotFound",),
                )
        rows = [instances(ctx)[iid] for iid in ids]
    return rows


@family.handler("DescribeInstancesDeniedActions")
def describe_instances_denied_actions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    out = []
    for record in lookup_many(ctx, params["InstanceIds"]):
        denied = []
        for action in DENIABLE_ACTIONS:
            found = denial(record, action)
            if found is not None:
                codes, message = found
                denied.append(
                    {"Action": action, "Code": documented_code(action, codes), "Message": message}
                )
        out.append({"InstanceId": record["InstanceId"], "DeniedActions": denied})
    return {"InstanceDeniedActionSet": out}


def _returnable(ctx: Ctx, record: Record) -> tuple[int, str]:
    if record["InstanceState"] in ("SHUTDOWN", "TERMINATING"):
        return 1, "资源已退货"
    if parse_iso(record["ExpiredTime"]) <= ctx.now():
        return 2, "资源已到期"
    if ctx.now() - parse_iso(record["CreatedTime"]) > RETURN_WINDOW_DAYS * 86400:
        return 3, f"资源购买超过{RETURN_WINDOW_DAYS}天不支持退款"
    return 0, ""


@family.handler("DescribeInstancesReturnable")
def describe_instances_returnable(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for record in _listed(ctx, params):
        code, message = _returnable(ctx, record)
        rows.append(
            {
                "InstanceId": record["InstanceId"],
                "IsReturnable": code == 0,
                "ReturnFailCode": code,
                "ReturnFailMessage": message,
            }
        )
    return {"TotalCount": len(rows), "InstanceReturnableSet": page(ctx, rows, params)}


def _traffic_package(ctx: Ctx, record: Record) -> Record:
    """This month's traffic package: the bundle's allowance, usage growing with uptime."""
    if not record.get("_traffic_package_id"):
        record["_traffic_package_id"] = ctx.new_id("lhtfp")
    created = parse_iso(record["CreatedTime"])
    month = 30 * 86400
    start = created + math.floor(max(ctx.now() - created, 0) / month) * month
    end = start + month - 1
    monthly = int((bundle(ctx, record["BundleId"]) or {}).get("MonthlyTraffic") or 1024)
    total = monthly * GB
    # A steady 1 KiB/s per running instance: deterministic, and visibly changes with time.
    used = min(total, int(max(ctx.now() - start, 0)) * 1024)
    return {
        "TrafficPackageId": record["_traffic_package_id"],
        "TrafficUsed": used,
        "TrafficPackageTotal": total,
        "TrafficPackageRemaining": total - used,
        "TrafficOverflow": 0,
        "StartTime": ctx.iso(start),
        "EndTime": ctx.iso(end),
        "Deadline": record["ExpiredTime"],
        "Status": "NETWORK_NORMAL",
    }


@family.handler("DescribeInstancesTrafficPackages")
def describe_instances_traffic_packages(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {"InstanceId": r["InstanceId"], "TrafficPackageSet": [_traffic_package(ctx, r)]}
        for r in _listed(ctx, params)
    ]
    return {"TotalCount": len(rows), "InstanceTrafficPackageSet": page(ctx, rows, params)}


@family.handler("DescribeInstanceVncUrl")
def describe_instance_vnc_url(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """A one-time console address (a secret: the gate marks this action secret_output)."""
    record = lookup(ctx, params["InstanceId"])
    require(ctx, [record])
    token = "".join(ctx.rng.choices(string.ascii_letters + string.digits, k=96))
    return {"InstanceVncUrl": quote(f"wss://usevnc.qcloud.com:443/vnc?s={token}", safe="")}


@family.handler("DescribeInstancesDiskNum")
def describe_instances_disk_num(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {
            "InstanceId": r["InstanceId"],
            "AttachedDiskCount": disk_model.attached_data_disk_count(ctx, r["InstanceId"]),
            "MaxAttachCount": disk_model.MAX_ATTACHED_DATA_DISKS,
        }
        for r in lookup_many(ctx, params["InstanceIds"])
    ]
    return {"AttachDetailSet": rows, "TotalCount": len(rows)}


# -- DescribeModifyInstanceBundles ---------------------------------------------------------


def _price_gap(ctx: Ctx, record: Record, current: Record, target: Record) -> Record:
    """What the upgrade costs: the monthly price difference over the months left."""

    def monthly(b: Record, field: str) -> float:
        price = (b.get("Price") or {}).get("InstancePrice") or {}
        return float(price.get(field) or 0)

    months = max(1, math.ceil((parse_iso(record["ExpiredTime"]) - ctx.now()) / (30 * 86400)))
    original = max(
        0.0, monthly(target, "OriginalBundlePrice") - monthly(current, "OriginalBundlePrice")
    )
    discounted = max(0.0, monthly(target, "DiscountPrice") - monthly(current, "DiscountPrice"))
    discount = ((target.get("Price") or {}).get("InstancePrice") or {}).get("Discount", 100)
    currency = ((target.get("Price") or {}).get("InstancePrice") or {}).get("Currency", "CNY")
    return {
        "InstancePrice": seed.priced(
            round(original, 2),
            round(original * months, 2),
            discount,
            round(discounted * months, 2),
            currency,
        )
    }


MODIFY_BUNDLE_FILTERS = {
    "bundle-id": lambda m: [m["Bundle"]["BundleId"]],
    "support-platform-type": lambda m: [
        p
        for p, flag in (
            ("LINUX_UNIX", m["Bundle"].get("SupportLinuxUnixPlatform")),
            ("WINDOWS", m["Bundle"].get("SupportWindowsPlatform")),
        )
        if flag
    ],
    "bundle-type": lambda m: [m["Bundle"].get("BundleType")],
    "bundle-state": lambda m: [m["Bundle"].get("BundleState", "ONLINE")],
}


@family.handler("DescribeModifyInstanceBundles")
def describe_modify_instance_bundles(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup(ctx, params["InstanceId"])
    if record["InstanceState"] not in ("RUNNING", "STOPPED"):
        raise ctx.fail(
            "UnsupportedOperation.InvalidInstanceState",
            f"The instance `{record['InstanceId']}` is {record['InstanceState']}; "
            "bundle options are listed for RUNNING or STOPPED instances.",
        )
    current = bundle(ctx, record["BundleId"]) or {"BundleId": record["BundleId"]}
    rows = []
    for candidate in sorted(
        all_bundles(ctx), key=lambda b: (b.get("CPU", 0), b.get("Memory", 0), b["BundleId"])
    ):
        if candidate["BundleId"] == record["BundleId"]:
            continue
        problem = bundle_change_problem(ctx, record, candidate)
        if candidate.get("BundleSalesState") == "SOLD_OUT":
            state, message = "SOLD_OUT", "套餐已售罄"
        elif problem:
            state, message = "UNAVAILABLE", problem
        else:
            state, message = "AVAILABLE", ""
        rows.append(
            {
                "ModifyPrice": _price_gap(ctx, record, current, candidate),
                "ModifyBundleState": state,
                "Bundle": public(candidate),
                "NotSupportModifyMessage": message,
            }
        )
    rows = apply_filters(ctx, rows, params.get("Filters"), MODIFY_BUNDLE_FILTERS, max_values=5)
    return {"TotalCount": len(rows), "ModifyBundleSet": page(ctx, rows, params)}


@family.handler("DescribeResetInstanceBlueprints")
def describe_reset_instance_blueprints(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup(ctx, params["InstanceId"])
    current = bundle(ctx, record["BundleId"]) or {
        "BundleId": record["BundleId"],
        "Memory": record["Memory"],
        "SystemDiskSize": record["SystemDisk"]["DiskSize"],
    }
    candidates = [b for b in visible_blueprints(ctx) if b.get("BlueprintState") == "NORMAL"]
    candidates = apply_filters(ctx, candidates, params.get("Filters"), RESET_FILTERS, max_values=5)
    rows = []
    for bp in candidates:
        reason = blueprint_fit(current, bp) or ""
        if (
            not reason
            and bp.get("PlatformType", LINUX) != record["PlatformType"]
            and not is_mainland(ctx.region)
        ):
            reason = "非中国大陆地域不支持Linux系统和Windows系统之间互转。"
        rows.append(
            {
                "BlueprintInfo": public(bp),
                "IsResettable": not reason,
                "NonResettableMessage": reason,
            }
        )
    return {"TotalCount": len(rows), "ResetInstanceBlueprintSet": page(ctx, rows, params)}
