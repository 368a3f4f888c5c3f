"""Questions about one blueprint: the bundles it runs on, the accounts it is shared with.

DescribeBlueprintBundles lists the seed bundles a blueprint fits (platform, system disk,
memory: the rule CreateInstances and ResetInstance apply) as ``BlueprintBundle`` rows;
DescribeBlueprintsShareAcrossAccountInfos lists the accounts ShareBlueprintAcrossAccounts
gave a custom blueprint to, with when.
"""

from __future__ import annotations

from typing import Any

from ..engine import seed
from ..engine.context import Ctx
from ..engine.listing import apply_filters, check_ids, check_unique, page
from ..engine.registry import Family
from ..engine.state import Record
from .instance_model import BLUEPRINT_ID, BLUEPRINT_ID_MALFORMED, blueprint_fit, lookup_blueprint

family = Family("blueprint_queries")

#: Display order of the bundle types (the console lists general-purpose bundles first).
_PRIORITY = {"GENERAL_BUNDLE": 1, "STORAGE_BUNDLE": 2, "ENTERPRISE_BUNDLE": 3}


def _blueprint_bundle(bundle: Record) -> Record:
    return {
        **bundle,
        "BundleTypePriority": _PRIORITY.get(str(bundle["BundleType"]), 9),
        "SupportSlot": 0,
    }


@family.handler("DescribeBlueprintBundles")
def describe_blueprint_bundles(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    target = lookup_blueprint(ctx, params["BlueprintId"])
    rows = [b for b in seed.bundles() if blueprint_fit(b, target) is None]
    wanted = params.get("BundleIds")
    if wanted:
        check_unique(ctx, wanted, "BundleIds")
        rows = [b for b in rows if b["BundleId"] in set(wanted)]
    shown = [_blueprint_bundle(b) for b in page(ctx, rows, params)]
    return {"BlueprintBundleSet": shown, "TotalCount": len(rows)}


@family.handler("DescribeBlueprintsShareAcrossAccountInfos")
def describe_blueprints_share_across_account_infos(
    ctx: Ctx, params: dict[str, Any]
) -> dict[str, Any]:
    ids = params["BlueprintIds"]
    check_ids(ctx, ids, "BlueprintIds", BLUEPRINT_ID, BLUEPRINT_ID_MALFORMED, maximum=100)
    rows: list[Record] = []
    for blueprint_id in ids:
        record = lookup_blueprint(ctx, blueprint_id, "BlueprintIds")
        times = record.get("_shared_times") or {}
        rows += [
            {
                "BlueprintId": record["BlueprintId"],
                "AccountId": account,
                "CreatedTime": times.get(account) or record.get("CreatedTime"),
            }
            for account in record.get("_shared_accounts") or []
        ]
    rows = apply_filters(
        ctx,
        rows,
        params.get("Filters"),
        {"account-id": lambda r: [r["AccountId"]]},
        max_values=5,
    )
    return {"TotalCount": len(rows), "BlueprintShareAcrossAccountInfoSet": page(ctx, rows, params)}
