"""Blueprints (images): public seed ones plus custom ones made from instances.

Custom blueprints are ``Blueprint`` records with ``BlueprintType=PRIVATE`` and internal
fields: ``_key_ids`` (key pairs baked into the image, which DeleteKeyPairs must respect),
``_shared_accounts`` (ShareBlueprintAcrossAccounts, with ``_shared_times``: when each
account was given it) and ``_source`` (the instance).
Their lifecycle uses only the documented ``BlueprintState`` values, which name no
creating state: a new custom blueprint is kept out of every lookup and listing while
its image is made (``_making``) and appears ``NORMAL``; ``SYNCING`` -> ``NORMAL`` in
the source region during a SyncBlueprint (each destination gets its own copy,
``SYNCING`` -> ``NORMAL``), ``DELETING`` -> gone after DeleteBlueprints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from lighthouse_mcp import catalog

from ..engine.context import Ctx
from ..engine.listing import TAG_FILTERS, check_ids, check_length, given_tags, page, select
from ..engine.registry import Family
from ..engine.state import Record, public
from . import quotas
from .instance_model import (
    BLUEPRINT_ID,
    BLUEPRINT_ID_MALFORMED,
    begin_operation,
    is_mainland,
    lookup,
    lookup_blueprint,
    lookup_many,
    require,
)

family = Family("blueprints")

MAX_TEXT = 60
#: Accounts one custom blueprint may be shared with.
SHARE_QUOTA = 10
MAX_SYNC_REGIONS = 10
DELETABLE_STATES = ("NORMAL", "ISOLATED", "CREATEFAILED", "SYNCING_FAILED")


def blueprints(ctx: Ctx) -> dict[str, Record]:
    return ctx.state.table("blueprints")


def visible_blueprints(ctx: Ctx) -> list[Record]:
    """Public, custom and shared blueprints of this account and region, in a stable order
    (custom ones once their image is made)."""
    return [r for r in blueprints(ctx).values() if not r.get("_making")]


RESET_FILTERS = {
    "blueprint-id": lambda r: [r["BlueprintId"]],
    "blueprint-type": lambda r: [r.get("BlueprintType")],
    "platform-type": lambda r: [r.get("PlatformType")],
    "blueprint-name": lambda r: [r.get("BlueprintName")],
    "blueprint-state": lambda r: [r.get("BlueprintState")],
}
BLUEPRINT_FILTERS = {
    **RESET_FILTERS,
    "scene-id": lambda r: r.get("SceneIdSet") or [],
    **TAG_FILTERS,
}


def lookup_private(ctx: Ctx, blueprint_id: str, field: str = "BlueprintId") -> Record:
    """A custom blueprint owned by this account (public and shared ones are refused)."""
    record = lookup_blueprint(
        ctx,
        blueprint_id,
        field,
        not_found=(
            "ResourceNotFound.BlueprintIdNotFound",
            "ResourceNotFound.PrivateBlueprintNotFound",
            "ResourceNotFound.BlueprintNotFound",
        ),
    )
    if record.get("BlueprintType") == "SHARED":
        raise ctx.fail(
            "UnsupportedOperation.NotSupportSharedBlueprint",
            f"The blueprint `{blueprint_id}` is shared with this account; only its "
            "owner can change it.",
            also=("ResourceNotFound.PrivateBlueprintNotFound",),
        )
    if record.get("BlueprintType") != "PRIVATE":
        raise ctx.fail(
            "ResourceNotFound.PrivateBlueprintNotFound",
            f"The blueprint `{blueprint_id}` is a public "
            f"{record.get('BlueprintType')} blueprint; only custom blueprints "
            "can be changed.",
            also=(
                "InvalidParameterValue.InvalidBlueprintId",
                "ResourceNotFound.BlueprintNotFound",
                "ResourceUnavailable",
            ),
        )
    return record


def _require_state(ctx: Ctx, record: Record, states: tuple[str, ...]) -> None:
    if record["BlueprintState"] not in states:
        raise ctx.fail(
            "UnsupportedOperation.BlueprintCurStateInvalid",
            f"The blueprint `{record['BlueprintId']}` is {record['BlueprintState']}; "
            f"this needs {' or '.join(states)}.",
            also=(
                "InvalidParameterValue.InvalidBlueprintState",
                "UnsupportedOperation.BlueprintLatestOperationUnfinished",
            ),
        )


def _check_text(ctx: Ctx, params: Mapping[str, Any]) -> None:
    for field in ("BlueprintName", "Description"):
        check_length(ctx, params.get(field), field, MAX_TEXT, "InvalidParameterValue.TooLong")


@family.handler("CreateBlueprint")
def create_blueprint(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _check_text(ctx, params)
    if not params.get("InstanceId"):
        raise ctx.fail(
            "MissingParameter", "`InstanceId` is required: a blueprint is made from an instance."
        )
    instance = lookup(ctx, params["InstanceId"])
    require(ctx, [instance])
    quotas.require(ctx, "BLUEPRINT", 1, "LimitExceeded.BlueprintQuotaLimitExceeded")
    source = blueprints(ctx).get(instance["BlueprintId"]) or {}
    record: Record = {
        "BlueprintId": ctx.new_id("lhbp"),
        "DisplayTitle": params["BlueprintName"],
        "DisplayVersion": "",
        "Description": params.get("Description") or "",
        "OsName": instance["OsName"],
        "Platform": instance["Platform"],
        "PlatformType": instance["PlatformType"],
        "BlueprintType": "PRIVATE",
        "ImageUrl": source.get("ImageUrl", ""),
        "RequiredSystemDiskSize": instance["SystemDisk"].get("DiskSize"),
        "BlueprintState": "NORMAL",
        "CreatedTime": ctx.iso(),
        "BlueprintName": params["BlueprintName"],
        "SupportAutomationTools": bool(source.get("SupportAutomationTools", True)),
        "RequiredMemorySize": source.get("RequiredMemorySize", 1),
        "ImageId": "",
        "CommunityUrl": "",
        "GuideUrl": "",
        "SceneIdSet": [],
        "DockerVersion": source.get("DockerVersion"),
        "BlueprintShared": False,
        "Tags": given_tags(params),
        "_key_ids": list(instance["LoginSettings"].get("KeyIds") or []),
        "_shared_accounts": [],
        "_source": instance["InstanceId"],
        "_making": True,
    }
    blueprints(ctx)[record["BlueprintId"]] = record
    ctx.schedule("blueprints", record["BlueprintId"], set={"_making": False})
    previous = instance["InstanceState"]
    power_off = params.get("ForcePowerOff", True) and previous == "RUNNING"
    begin_operation(
        ctx,
        instance,
        transient="STOPPING" if power_off else None,
        final={"InstanceState": previous},
    )
    return {"BlueprintId": record["BlueprintId"]}


@family.handler("DescribeBlueprints")
def describe_blueprints(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = select(
        ctx,
        params,
        visible_blueprints(ctx),
        ids_param="BlueprintIds",
        id_key="BlueprintId",
        pattern=BLUEPRINT_ID,
        malformed=BLUEPRINT_ID_MALFORMED,
        accessors=BLUEPRINT_FILTERS,
        tag_prefix=True,
    )
    shown = [{"Tags": [], **public(r)} for r in page(ctx, rows, params)]
    return {"TotalCount": len(rows), "BlueprintSet": shown}


@family.handler("ModifyBlueprintAttribute")
def modify_blueprint_attribute(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("BlueprintName") is None and params.get("Description") is None:
        raise ctx.fail(
            "InvalidParameter.MustSpecifyOneAttributeToModify",
            "Give `BlueprintName` or `Description` (or both) to change.",
        )
    _check_text(ctx, params)
    record = lookup_private(ctx, params["BlueprintId"])
    _require_state(ctx, record, ("NORMAL",))
    if params.get("BlueprintName") is not None:
        record["BlueprintName"] = record["DisplayTitle"] = params["BlueprintName"]
    if params.get("Description") is not None:
        record["Description"] = params["Description"]
    return {}


@family.handler("DeleteBlueprints")
def delete_blueprints(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ids = params["BlueprintIds"]
    check_ids(ctx, ids, "BlueprintIds", BLUEPRINT_ID, BLUEPRINT_ID_MALFORMED, maximum=100)
    records = [lookup_private(ctx, bid, "BlueprintIds") for bid in ids]
    for record in records:
        _require_state(ctx, record, DELETABLE_STATES)
        if record["_shared_accounts"]:
            raise ctx.fail(
                "UnsupportedOperation.BlueprintOccupied",
                f"The blueprint `{record['BlueprintId']}` is shared with "
                f"{len(record['_shared_accounts'])} account(s); cancel the sharing "
                "first (CancelShareBlueprintAcrossAccounts).",
            )
    for record in records:
        record["BlueprintState"] = "DELETING"
        ctx.schedule("blueprints", record["BlueprintId"], remove=True)
    return {}


def _accounts(ctx: Ctx, params: Mapping[str, Any]) -> list[str]:
    accounts = [str(a) for a in params["AccountIds"]]
    if len(accounts) > SHARE_QUOTA:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`AccountIds` has {len(accounts)} ids; at most {SHARE_QUOTA}.",
        )
    for account in accounts:
        if not account.isdigit():
            raise ctx.fail(
                "InvalidParameterValue.AccountIdsNotExist",
                f"`AccountIds` value `{account}` is not an account id (digits).",
                also=("InvalidParameterValue",),
            )
    return accounts


@family.handler("ShareBlueprintAcrossAccounts")
def share_blueprint_across_accounts(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    accounts = _accounts(ctx, params)
    record = lookup_private(ctx, params["BlueprintId"])
    _require_state(ctx, record, ("NORMAL",))
    shared = record["_shared_accounts"]
    for account in accounts:
        if account in shared:
            raise ctx.fail(
                "UnsupportedOperation.BlueprintAlreadyShared",
                f"The blueprint `{record['BlueprintId']}` is already shared with "
                f"account {account}.",
            )
    if len(set(shared) | set(accounts)) > SHARE_QUOTA:
        raise ctx.fail(
            "LimitExceeded.ShareBlueprintAcrossAccountQuotaLimitExceeded",
            f"A blueprint can be shared with at most {SHARE_QUOTA} accounts.",
        )
    shared.extend(a for a in accounts if a not in shared)
    times = record.setdefault("_shared_times", {})
    for account in accounts:
        times[account] = ctx.iso()
    record["BlueprintShared"] = True
    return {}


@family.handler("CancelShareBlueprintAcrossAccounts")
def cancel_share_blueprint_across_accounts(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    accounts = _accounts(ctx, params)
    record = lookup_private(ctx, params["BlueprintId"])
    shared = record["_shared_accounts"]
    for account in accounts:
        if account not in shared:
            raise ctx.fail(
                "UnsupportedOperation.BlueprintHasNotShared",
                f"The blueprint `{record['BlueprintId']}` is not shared with account {account}.",
            )
    record["_shared_accounts"] = [a for a in shared if a not in accounts]
    record["BlueprintShared"] = bool(record["_shared_accounts"])
    return {}


@family.handler("SyncBlueprint")
def sync_blueprint(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Copy a custom blueprint to other regions (same side of the mainland border)."""
    destinations = params["DestinationRegions"]
    check_ids_unique_regions(ctx, destinations)
    record = lookup_private(ctx, params["BlueprintId"])
    _require_state(ctx, record, ("NORMAL",))
    known = set(catalog.region_ids())
    for region in destinations:
        if region == ctx.region:
            raise ctx.fail(
                "InvalidParameterValue.DestinationRegionSameAsSourceRegion",
                f"`DestinationRegions` contains the source region {region}.",
            )
        if region not in known:
            raise ctx.fail(
                "InvalidParameterValue.UnavailableRegion",
                f"`DestinationRegions` value `{region}` is not a Lighthouse region.",
            )
        if is_mainland(region) != is_mainland(ctx.region):
            raise ctx.fail(
                "InvalidParameterValue.NotSupportCrossBorderSyncBlueprint",
                f"Cannot sync from {ctx.region} to {region}: blueprints do not "
                "cross between mainland China and other regions.",
            )
    for region in destinations:
        there = dataclasses.replace(ctx, region=region, state=ctx.world.region(region))
        quotas.require(there, "BLUEPRINT", 1, "LimitExceeded.SyncBlueprintQuotaLimitExceeded")
    copies = []
    for region in destinations:
        there = dataclasses.replace(ctx, region=region, state=ctx.world.region(region))
        copy = {k: v for k, v in record.items() if k != "_pending"}
        copy.update(
            BlueprintId=ctx.new_id("lhbp"),
            BlueprintState="SYNCING",
            CreatedTime=ctx.iso(),
            BlueprintShared=False,
            _shared_accounts=[],
            _synced_from=f"{ctx.region}/{record['BlueprintId']}",
        )
        blueprints(there)[copy["BlueprintId"]] = copy
        there.schedule("blueprints", copy["BlueprintId"], set={"BlueprintState": "NORMAL"})
        copies.append({"Region": region, "BlueprintId": copy["BlueprintId"]})
    record["BlueprintState"] = "SYNCING"
    ctx.schedule("blueprints", record["BlueprintId"], set={"BlueprintState": "NORMAL"})
    return {"DestinationRegionBlueprintSet": copies}


def check_ids_unique_regions(ctx: Ctx, regions: list[str]) -> None:
    if len(regions) > MAX_SYNC_REGIONS:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`DestinationRegions` has {len(regions)} regions; at most {MAX_SYNC_REGIONS}.",
            also=("LimitExceeded",),
        )
    if len(set(regions)) != len(regions):
        raise ctx.fail(
            "InvalidParameterValue.Duplicated",
            "`DestinationRegions` lists a region more than once.",
        )


@family.handler("DescribeBlueprintInstances")
def describe_blueprint_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ids = params["InstanceIds"]
    if len(ids) > 1:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`InstanceIds` has {len(ids)} ids; this action takes at most 1.",
        )
    rows = []
    for instance in lookup_many(ctx, ids):
        found = blueprints(ctx).get(instance["BlueprintId"])
        if found is None:
            raise ctx.fail(
                "ResourceNotFound",
                f"The blueprint `{instance['BlueprintId']}` of "
                f"`{instance['InstanceId']}` no longer exists.",
            )
        rows.append(
            {
                "Blueprint": public(found),
                "SoftwareSet": list(found.get("_software") or []),
                "InstanceId": instance["InstanceId"],
            }
        )
    return {"TotalCount": len(rows), "BlueprintInstanceSet": rows}
