"""Blueprints: custom images from instances, attributes, sharing, sync across regions."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import CENTOS, Compute

pytestmark = pytest.mark.anyio


async def _blueprint(api: Any, bid: str, region: str = "ap-guangzhou") -> dict[str, Any]:
    data = await api.ok("DescribeBlueprints", {"BlueprintIds": [bid]}, region=region)
    assert data["TotalCount"] == 1, data
    found: dict[str, Any] = data["BlueprintSet"][0]
    return found


async def _custom(compute: Compute, api: Any, **params: Any) -> tuple[str, str]:
    iid = await compute.create()
    data = await api.ok(
        "CreateBlueprint",
        {"InstanceId": iid, "BlueprintName": "golden", "Description": "base image", **params},
    )
    compute.settle()
    bid: str = data["BlueprintId"]
    return iid, bid


async def test_create_from_an_instance(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    data = await api.ok(
        "CreateBlueprint",
        {"InstanceId": iid, "BlueprintName": "golden", "Tags": [{"Key": "team", "Value": "web"}]},
    )
    # BlueprintState documents no creating state: the image is not listed (nor usable)
    # until it is made, and then it is NORMAL.
    listed = await api.ok("DescribeBlueprints", {"BlueprintIds": [data["BlueprintId"]]})
    assert listed["TotalCount"] == 0
    # ForcePowerOff defaults to true: the running instance is stopped for the image.
    assert await compute.state(iid) == ("STOPPING", "OPERATING")
    compute.settle()
    bp = await _blueprint(api, data["BlueprintId"])
    assert (bp["BlueprintType"], bp["BlueprintState"], bp["OsName"], bp["PlatformType"]) == (
        "PRIVATE",
        "NORMAL",
        "CentOS 7.6 64bit",
        "LINUX_UNIX",
    )
    assert bp["RequiredSystemDiskSize"] == 40
    assert bp["Tags"] == [{"Key": "team", "Value": "web"}]
    assert not [k for k in bp if k.startswith("_")]
    tagged = await api.ok(
        "DescribeBlueprints", {"Filters": [{"Name": "tag:team", "Values": ["web"]}]}
    )
    assert [b["BlueprintId"] for b in tagged["BlueprintSet"]] == [data["BlueprintId"]]
    assert await compute.state(iid) == ("RUNNING", "SUCCESS")
    # The new image can be used to create an instance.
    clone = await compute.create(BlueprintId=data["BlueprintId"])
    assert (await compute.instance(clone))["BlueprintId"] == data["BlueprintId"]
    shown = await api.ok("DescribeBlueprintInstances", {"InstanceIds": [clone]})
    assert shown["BlueprintInstanceSet"][0]["Blueprint"]["BlueprintName"] == "golden"


async def test_create_refusals(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    assert (
        await api.error("CreateBlueprint", {"InstanceId": iid, "BlueprintName": "n" * 61})
        == "InvalidParameterValue.TooLong"
    )
    await api.ok(
        "CreateBlueprint", {"InstanceId": iid, "BlueprintName": "one", "ForcePowerOff": False}
    )
    assert await compute.state(iid) == ("RUNNING", "OPERATING")
    assert (
        await api.error("CreateBlueprint", {"InstanceId": iid, "BlueprintName": "two"})
        == "UnsupportedOperation.LatestOperationUnfinished"
    )
    assert (
        await api.error("CreateBlueprint", {"InstanceId": "lhins-zzzzzzzz", "BlueprintName": "x"})
        == "ResourceNotFound.InstanceIdNotFound"
    )


async def test_describe_filters_and_values(compute: Compute, api: Any) -> None:
    _, bid = await _custom(compute, api)
    private = await api.ok(
        "DescribeBlueprints", {"Filters": [{"Name": "blueprint-type", "Values": ["PRIVATE"]}]}
    )
    assert [b["BlueprintId"] for b in private["BlueprintSet"]] == [bid]
    windows = await api.ok(
        "DescribeBlueprints",
        {"Filters": [{"Name": "platform-type", "Values": ["WINDOWS"]}], "Limit": 100},
    )
    assert windows["TotalCount"] >= 1
    assert {b["PlatformType"] for b in windows["BlueprintSet"]} == {"WINDOWS"}
    scene = await api.ok(
        "DescribeBlueprints",
        {"Filters": [{"Name": "scene-id", "Values": ["lhsc-3bzsddow"]}], "Limit": 100},
    )
    assert scene["TotalCount"] >= 1
    assert all("lhsc-3bzsddow" in b["SceneIdSet"] for b in scene["BlueprintSet"])
    page = await api.ok("DescribeBlueprints", {"Offset": 0, "Limit": 2})
    assert len(page["BlueprintSet"]) == 2 and page["TotalCount"] > 2


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("blueprint-type", "InvalidParameterValue.InvalidBlueprintType"),
        ("platform-type", "InvalidParameterValue.InvalidBlueprintPlatformType"),
    ],
)
async def test_filter_values_outside_the_enum(api: Any, name: str, code: str) -> None:
    assert (
        await api.error("DescribeBlueprints", {"Filters": [{"Name": name, "Values": ["NOPE"]}]})
        == code
    )


async def test_modify_attribute(compute: Compute, api: Any) -> None:
    _, bid = await _custom(compute, api)
    assert (
        await api.error("ModifyBlueprintAttribute", {"BlueprintId": bid})
        == "InvalidParameter.MustSpecifyOneAttributeToModify"
    )
    await api.ok(
        "ModifyBlueprintAttribute",
        {"BlueprintId": bid, "BlueprintName": "silver", "Description": "new"},
    )
    bp = await _blueprint(api, bid)
    assert (bp["BlueprintName"], bp["Description"]) == ("silver", "new")
    assert (
        await api.error(
            "ModifyBlueprintAttribute", {"BlueprintId": CENTOS, "BlueprintName": "mine"}
        )
        == "ResourceNotFound.PrivateBlueprintNotFound"
    )


async def test_share_cancel_and_delete(compute: Compute, api: Any) -> None:
    _, bid = await _custom(compute, api)
    await api.ok(
        "ShareBlueprintAcrossAccounts", {"BlueprintId": bid, "AccountIds": ["700000164995"]}
    )
    assert (await _blueprint(api, bid))["BlueprintShared"] is True
    assert (
        await api.error(
            "ShareBlueprintAcrossAccounts", {"BlueprintId": bid, "AccountIds": ["700000164995"]}
        )
        == "UnsupportedOperation.BlueprintAlreadyShared"
    )
    assert (
        await api.error("DeleteBlueprints", {"BlueprintIds": [bid]})
        == "UnsupportedOperation.BlueprintOccupied"
    )
    assert (
        await api.error(
            "CancelShareBlueprintAcrossAccounts",
            {"BlueprintId": bid, "AccountIds": ["700000000001"]},
        )
        == "UnsupportedOperation.BlueprintHasNotShared"
    )
    await api.ok(
        "CancelShareBlueprintAcrossAccounts", {"BlueprintId": bid, "AccountIds": ["700000164995"]}
    )
    assert (await _blueprint(api, bid))["BlueprintShared"] is False
    assert (
        await api.error("DeleteBlueprints", {"BlueprintIds": [CENTOS]})
        == "ResourceNotFound.BlueprintNotFound"
    )
    await api.ok("DeleteBlueprints", {"BlueprintIds": [bid]})
    assert (await _blueprint(api, bid))["BlueprintState"] == "DELETING"
    compute.settle()
    gone = await api.ok("DescribeBlueprints", {"BlueprintIds": [bid]})
    assert gone["TotalCount"] == 0
    assert (
        await api.error("DeleteBlueprints", {"BlueprintIds": [bid]})
        == "ResourceNotFound.BlueprintIdNotFound"
    )


async def test_sync_to_other_regions(compute: Compute, api: Any) -> None:
    _, bid = await _custom(compute, api)
    synced = await api.ok(
        "SyncBlueprint", {"BlueprintId": bid, "DestinationRegions": ["ap-shanghai"]}
    )
    assert (await _blueprint(api, bid))["BlueprintState"] == "SYNCING"
    copies = await api.ok(
        "DescribeBlueprints",
        {"Filters": [{"Name": "blueprint-type", "Values": ["PRIVATE"]}]},
        region="ap-shanghai",
    )
    [copy] = copies["BlueprintSet"]
    assert synced["DestinationRegionBlueprintSet"] == [
        {"Region": "ap-shanghai", "BlueprintId": copy["BlueprintId"]}
    ]
    assert (copy["BlueprintName"], copy["BlueprintState"]) == ("golden", "SYNCING")
    assert (
        await api.error("SyncBlueprint", {"BlueprintId": bid, "DestinationRegions": ["ap-beijing"]})
        == "UnsupportedOperation.BlueprintCurStateInvalid"
    )
    compute.settle()
    assert (await _blueprint(api, bid))["BlueprintState"] == "NORMAL"
    assert (await _blueprint(api, copy["BlueprintId"], "ap-shanghai"))["BlueprintState"] == "NORMAL"
    for regions, code in (
        (["ap-guangzhou"], "InvalidParameterValue.DestinationRegionSameAsSourceRegion"),
        (["ap-singapore"], "InvalidParameterValue.NotSupportCrossBorderSyncBlueprint"),
        (["ap-beijing", "ap-beijing"], "InvalidParameterValue.Duplicated"),
    ):
        assert (
            await api.error("SyncBlueprint", {"BlueprintId": bid, "DestinationRegions": regions})
            == code
        )
    assert (
        await api.error(
            "SyncBlueprint", {"BlueprintId": CENTOS, "DestinationRegions": ["ap-beijing"]}
        )
        == "ResourceNotFound.PrivateBlueprintNotFound"
    )


async def test_key_pairs_baked_into_an_image_cannot_be_deleted(compute: Compute, api: Any) -> None:
    created = await api.ok("CreateKeyPair", {"KeyName": "baked"})
    key = created["KeyPair"]["KeyId"]
    iid = await compute.create(LoginConfiguration={"KeyIds": [key]})
    await api.ok("CreateBlueprint", {"InstanceId": iid, "BlueprintName": "with_key"})
    compute.settle()
    await api.ok("DisassociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [iid]})
    compute.settle()
    assert (
        await api.error("DeleteKeyPairs", {"KeyIds": [key]})
        == "UnsupportedOperation.KeyPairBindToBlueprints"
    )


async def test_describe_blueprint_instances_limits(compute: Compute, api: Any) -> None:
    a = await compute.create()
    b = await compute.create()
    assert (
        await api.error("DescribeBlueprintInstances", {"InstanceIds": [a, b]})
        == "InvalidParameterValue.LimitExceeded"
    )
    data = await api.ok("DescribeBlueprintInstances", {"InstanceIds": [a]})
    assert data["BlueprintInstanceSet"][0]["Blueprint"]["BlueprintId"] == CENTOS
