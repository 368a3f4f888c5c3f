"""Core families: regions, zones, bundles, scenes, quotas and prices answer from the catalogue."""

from __future__ import annotations

import pytest

from lighthouse_mcp import catalog

from ..conftest import Api

pytestmark = pytest.mark.anyio


async def test_regions_list_every_documented_region(api: Api) -> None:
    data = await api.ok("DescribeRegions", region=None)
    by_id = {r["Region"]: r for r in data["RegionSet"]}
    assert data["TotalCount"] == len(by_id) == len(catalog.region_ids())
    assert "ap-chongqing" in by_id  # named only by the docs' endpoint table
    assert by_id["ap-guangzhou"]["RegionName"] == "广州"
    assert by_id["ap-guangzhou"]["IsChinaMainland"] is True
    assert by_id["ap-hongkong"]["IsChinaMainland"] is False


async def test_zones_belong_to_the_request_region_and_follow_order(api: Api) -> None:
    data = await api.ok("DescribeZones", region="ap-shanghai")
    zones = [z["Zone"] for z in data["ZoneInfoSet"]]
    assert zones == sorted(zones) and all(z.startswith("ap-shanghai-") for z in zones)
    assert data["ZoneInfoSet"][0]["ZoneName"].startswith("上海")
    desc = await api.ok("DescribeZones", {"Order": "DESC"}, region="ap-shanghai")
    assert [z["Zone"] for z in desc["ZoneInfoSet"]] == zones[::-1]


async def test_bundles_filter_page_and_unknown_id(api: Api) -> None:
    data = await api.ok(
        "DescribeBundles", {"Filters": [{"Name": "bundle-type", "Values": ["STORAGE_BUNDLE"]}]}
    )
    assert data["TotalCount"] >= 1
    assert {b["BundleType"] for b in data["BundleSet"]} == {"STORAGE_BUNDLE"}
    paged = await api.ok("DescribeBundles", {"Limit": 2, "Offset": 1})
    everything = await api.ok("DescribeBundles", {"Limit": 100})
    assert paged["BundleSet"] == everything["BundleSet"][1:3]
    assert paged["TotalCount"] == everything["TotalCount"]
    assert await api.error("DescribeBundles", {"BundleIds": ["bundle_nope"]}) == (
        "InvalidParameter.BundleIdNotFound"
    )
    assert await api.error("DescribeBundles", {"Zones": ["ap-beijing-3"]}) in (
        "InvalidParameterValue.ZoneInvalid",
        "InvalidParameterValue.InvalidZone",
    )


async def test_bundle_discount_steps(api: Api) -> None:
    data = await api.ok("DescribeBundleDiscount", {"BundleId": "bundle2022_gen_02"})
    rows = {d["TimeSpan"]: d for d in data["DiscountDetail"]}
    assert rows[1]["RealTotalCost"] == 60 and rows[1]["Discount"] == 100
    assert rows[6]["Discount"] == 88 and rows[6]["RealTotalCost"] == pytest.approx(360 * 0.88)
    assert rows[12]["Discount"] == 85


async def test_instance_quote_changes_with_period_and_count(api: Api) -> None:
    async def quote(period: int, count: int) -> dict[str, float]:
        data = await api.ok(
            "InquirePriceCreateInstances",
            {
                "BundleId": "bundle2022_gen_02",
                "InstanceChargePrepaid": {"Period": period},
                "InstanceCount": count,
            },
        )
        price: dict[str, float] = data["Price"]["InstancePrice"]
        return price

    one = await quote(1, 1)
    assert one["OriginalPrice"] == one["DiscountPrice"] == 60
    twelve_two = await quote(12, 2)
    assert twelve_two["OriginalPrice"] == 60 * 12 * 2
    assert twelve_two["DiscountPrice"] == pytest.approx(60 * 12 * 2 * 0.85)
    code = await api.error(
        "InquirePriceCreateInstances",
        {"BundleId": "bundle2022_gen_02", "InstanceChargePrepaid": {"Period": 13}},
    )
    assert code.startswith("InvalidParameterValue")


async def test_renew_quote_reads_the_instance_bundle(api: Api) -> None:
    data = await api.ok(
        "InquirePriceRenewInstances",
        {
            "InstanceIds": ["lhins-demo0001", "lhins-demo0002"],
            "InstanceChargePrepaid": {"Period": 1},
        },
    )
    assert data["TotalPrice"]["OriginalPrice"] == 60 + 50
    assert [d["InstanceId"] for d in data["InstancePriceDetailSet"]] == [
        "lhins-demo0001",
        "lhins-demo0002",
    ]
    assert await api.error(
        "InquirePriceRenewInstances",
        {"InstanceIds": ["lhins-zzzzzzzz"], "InstanceChargePrepaid": {"Period": 1}},
    ) == ("ResourceNotFound.InstanceIdNotFound")


async def test_disk_and_blueprint_quotes(api: Api) -> None:
    data = await api.ok(
        "InquirePriceCreateDisks",
        {"DiskSize": 20, "DiskType": "CLOUD_SSD", "DiskChargePrepaid": {"Period": 1}},
    )
    assert data["DiskPrice"]["OriginalPrice"] == 20.0  # the docs' example figure
    bigger = await api.ok(
        "InquirePriceCreateDisks",
        {
            "DiskSize": 40,
            "DiskType": "CLOUD_SSD",
            "DiskChargePrepaid": {"Period": 1},
            "DiskBackupQuota": 1,
            "DiskCount": 2,
        },
    )
    assert bigger["DiskPrice"]["OriginalPrice"] == (40 + 2) * 2
    assert await api.error(
        "InquirePriceCreateDisks",
        {"DiskSize": 15, "DiskType": "CLOUD_SSD", "DiskChargePrepaid": {"Period": 1}},
    ) == ("InvalidParameterValue.OutOfRange")
    bp = await api.ok("InquirePriceCreateBlueprint", {"BlueprintCount": 5})
    assert bp["BlueprintPrice"]["OriginalPrice"] == pytest.approx(0.04)


async def test_quotas_count_live_state(api: Api) -> None:
    data = await api.ok(
        "DescribeGeneralResourceQuotas",
        {"ResourceNames": ["GENERAL_BUNDLE_INSTANCE", "USER_KEY_PAIR"]},
    )
    rows = {q["ResourceName"]: q for q in data["GeneralResourceQuotaSet"]}
    general = rows["GENERAL_BUNDLE_INSTANCE"]
    assert general["ResourceQuotaTotal"] - general["ResourceQuotaAvailable"] == 2  # seeded
    assert await api.error("DescribeGeneralResourceQuotas", {"ResourceNames": ["NOPE"]}) == (
        "InvalidParameterValue.InvalidResourceQuotaResourceName"
    )


async def test_scenes(api: Api) -> None:
    data = await api.ok("DescribeAllScenes", {"Limit": 2}, region=None)
    assert data["TotalCount"] == 4 and len(data["SceneInfoSet"]) == 2
    one = await api.ok("DescribeScenes", {"SceneIds": ["lhsc-3bzsddow"]})
    assert [s["SceneId"] for s in one["SceneSet"]] == ["lhsc-3bzsddow"]
