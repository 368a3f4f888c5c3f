"""The sandbox's catalogue and starting state: regions, zones, bundles, blueprints, scenes.

Values follow the docs' examples and structures (bundle ids such as
``bundle2022_gen_02`` with 2 cores, 2 GB, a 50 GB SSD, 500 GB of traffic at 60 CNY a
month; the 宝塔 and CentOS blueprints; the 1–5/6–11/12+ month discount steps of
DescribeBundleDiscount). The catalogue is static data read by the families; the
*state* seeded per account is what a fresh account would plausibly own: public
blueprints in every region, and two instances with their firewalls in ap-guangzhou, so a
first ``DescribeInstances`` shows something.

Helpers here (``instance_record``, ``default_firewall_rules``, ``bundle``,
``discount_percent``) are shared with the resource families so an instance created by
CreateInstances looks exactly like a seeded one.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from lighthouse_mcp import catalog

from .state import RegionState, iso

DEMO_REGION = "ap-guangzhou"
CURRENCY = "CNY"
_NUMERALS = "一二三四五六七八九"

#: Zone numbers per region (a realistic subset of what Lighthouse sells).
_ZONE_NUMBERS: dict[str, tuple[int, ...]] = {
    "ap-guangzhou": (3, 4, 6, 7),
    "ap-shanghai": (2, 3, 4, 5),
    "ap-beijing": (3, 5, 6, 7),
    "ap-nanjing": (1, 2, 3),
    "ap-chengdu": (1, 2),
    "ap-hongkong": (2, 3),
    "ap-singapore": (1, 2, 3),
    "ap-tokyo": (1, 2),
    "ap-seoul": (1, 2),
    "ap-bangkok": (1, 2),
    "ap-jakarta": (1, 2),
    "eu-frankfurt": (1, 2),
    "na-siliconvalley": (1, 2),
    "na-ashburn": (1, 2),
    "sa-saopaulo": (1,),
    "ap-shanghai-fsi": (1, 2),
    "ap-shenzhen-fsi": (1, 2),
}
_MAINLAND_AREAS = ("华南地区", "华北地区", "华东地区", "西南地区", "华中地区")


# -- regions and zones -----------------------------------------------------------------


def _short_name(long_name: str) -> str:
    """'华南地区（广州）' -> '广州' (the RegionName style of the DescribeRegions example)."""
    match = re.search(r"[（(](.+?)[）)]", long_name)
    return match.group(1) if match else long_name


def regions() -> list[dict[str, Any]]:
    """RegionInfo records for every documented region."""
    return [
        {
            "Region": r["region"],
            "RegionName": _short_name(r["name"]),
            "RegionState": "AVAILABLE",
            "IsChinaMainland": r["name"].startswith(_MAINLAND_AREAS),
        }
        for r in catalog.load_catalog()["regions"]
    ]


def zones(region: str) -> list[dict[str, Any]]:
    """ZoneInfo records of ``region`` (e.g. ap-guangzhou-3 广州三区)."""
    city = next((r["RegionName"] for r in regions() if r["Region"] == region), region)
    city = city.removesuffix("金融")
    return [
        {
            "Zone": f"{region}-{n}",
            "ZoneName": f"{city}{_NUMERALS[n - 1]}区",
            "InstanceDisplayLabel": "NORMAL",
        }
        for n in _ZONE_NUMBERS.get(region, (1, 2))
    ]


# -- bundles and prices ----------------------------------------------------------------

_BUNDLE_TYPES = {
    "GENERAL_BUNDLE": "通用型",
    "STORAGE_BUNDLE": "存储型",
    "ENTERPRISE_BUNDLE": "企业型",
    "STARTER_BUNDLE": "入门型",
}

#: (BundleId, type, CPU, Memory GB, disk GB, disk type, traffic GB, Mbps, CNY/month, state)
_BUNDLE_ROWS: tuple[tuple[str, str, int, int, int, str, int, int, float, str], ...] = (
    (
        "bundle_starter_nmc_lin_med2_01",
        "STARTER_BUNDLE",
        2,
        1,
        40,
        "CLOUD_PREMIUM",
        200,
        3,
        32.0,
        "AVAILABLE",
    ),
    ("bundle2022_gen_01", "GENERAL_BUNDLE", 2, 2, 40, "CLOUD_SSD", 300, 3, 50.0, "AVAILABLE"),
    ("bundle2022_gen_02", "GENERAL_BUNDLE", 2, 2, 50, "CLOUD_SSD", 500, 5, 60.0, "AVAILABLE"),
    ("bundle2022_gen_03", "GENERAL_BUNDLE", 2, 4, 60, "CLOUD_SSD", 600, 6, 90.0, "AVAILABLE"),
    ("bundle2022_gen_04", "GENERAL_BUNDLE", 2, 4, 80, "CLOUD_SSD", 1200, 8, 130.0, "AVAILABLE"),
    ("bundle2022_gen_05", "GENERAL_BUNDLE", 4, 8, 100, "CLOUD_SSD", 1500, 10, 250.0, "AVAILABLE"),
    ("bundle2022_gen_06", "GENERAL_BUNDLE", 4, 16, 140, "CLOUD_SSD", 2500, 14, 480.0, "AVAILABLE"),
    (
        "bundle_gen_mc_med2_02",
        "GENERAL_BUNDLE",
        2,
        2,
        70,
        "CLOUD_PREMIUM",
        500,
        5,
        65.0,
        "AVAILABLE",
    ),
    (
        "bundle_ntp_small1_500",
        "GENERAL_BUNDLE",
        1,
        1,
        40,
        "CLOUD_PREMIUM",
        500,
        4,
        60.0,
        "AVAILABLE",
    ),
    ("bundle_bw_small1_1", "GENERAL_BUNDLE", 1, 1, 50, "CLOUD_PREMIUM", 1000, 1, 45.0, "SOLD_OUT"),
    ("bundle_sto_01", "STORAGE_BUNDLE", 2, 4, 180, "CLOUD_PREMIUM", 1000, 5, 150.0, "AVAILABLE"),
    ("bundle_ent_01", "ENTERPRISE_BUNDLE", 4, 8, 180, "CLOUD_SSD", 2000, 12, 390.0, "AVAILABLE"),
)


def discount_percent(months: int) -> int:
    """The common discount of a prepaid period, as DescribeBundleDiscount documents it.

    1–5 months: 100 (no discount); 6–11 months: 88; 12 months or more: 85.
    """
    if months >= 12:
        return 85
    if months >= 6:
        return 88
    return 100


def _money(value: float) -> float:
    return round(value + 1e-9, 2)


def instance_price(unit: float, months: int = 1, count: int = 1) -> dict[str, Any]:
    """An InstancePrice for ``count`` instances of a bundle for ``months``."""
    discount = discount_percent(months)
    original = unit * months * count
    return priced(unit, _money(original), discount, _money(original * discount / 100))


def priced(
    unit: float, original: float, discount: int, discounted: float, currency: str = CURRENCY
) -> dict[str, Any]:
    """An InstancePrice with its ``DetailPrices``: the one billing item of an instance is
    the instance itself (its system disk and traffic come with the bundle)."""
    total = {"OriginalPrice": original, "Discount": discount, "DiscountPrice": discounted}
    detail = {"PriceName": "Instance", "OriginUnitPrice": unit, **total}
    return {"OriginalBundlePrice": unit, **total, "Currency": currency, "DetailPrices": [detail]}


#: The periods DescribeBundleDiscount lists (months).
DISCOUNT_SPANS = (*range(1, 13), 24, 36, 48, 60)


def discount_detail(unit: float, months: int) -> dict[str, Any]:
    """A DiscountDetail row: the cost of ``months`` at ``unit`` a month, and the discount."""
    discount = discount_percent(months)
    total = unit * months
    return {
        "TimeSpan": months,
        "TimeUnit": "m",
        "TotalCost": _money(total),
        "RealTotalCost": _money(total * discount / 100),
        "Discount": discount,
        "PolicyDetail": {
            "UserDiscount": 100,
            "CommonDiscount": discount,
            "FinalDiscount": discount,
            "ActivityDiscount": None if discount == 100 else 100,
            "DiscountType": None if discount == 100 else "common",
        },
    }


def bundles() -> list[dict[str, Any]]:
    """Bundle records (the documented ``Bundle`` structure), cheapest first per type."""
    out = []
    for bid, kind, cpu, mem, disk, disk_type, traffic, mbps, price, sales in _BUNDLE_ROWS:
        out.append(
            {
                "BundleId": bid,
                "Memory": mem,
                "SystemDiskType": disk_type,
                "SystemDiskSize": disk,
                "MonthlyTraffic": traffic,
                "SupportLinuxUnixPlatform": True,
                "SupportWindowsPlatform": mem >= 2,
                "Price": {"InstancePrice": instance_price(price)},
                "CPU": cpu,
                "InternetMaxBandwidthOut": mbps,
                "InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
                "BundleSalesState": sales,
                "BundleType": kind,
                "BundleTypeDescription": _BUNDLE_TYPES[kind],
                "BundleDisplayLabel": "NORMAL",
                "TrafficUnlimited": False,
            }
        )
    return out


def bundle(bundle_id: str) -> dict[str, Any] | None:
    """One bundle by id, or None."""
    return next((b for b in bundles() if b["BundleId"] == bundle_id), None)


def bundle_monthly_price(bundle_id: str) -> float:
    found = bundle(bundle_id)
    if found is None:
        raise KeyError(bundle_id)
    price: float = found["Price"]["InstancePrice"]["OriginalBundlePrice"]
    return price


#: Disk prices per GB and month, and per backup point and month (InquirePriceCreateDisks:
#: a 20 GB SSD costs 20 CNY a month; a backup point 2 CNY).
DISK_PRICE_PER_GB = {"CLOUD_SSD": 1.0, "CLOUD_PREMIUM": 0.35}
DISK_BACKUP_POINT_PRICE = 2.0
#: Data disk size limits per type (min GB, max GB, step) as DescribeDiskConfigs shows them,
#: and the backup-point quota range of CreateDisks.
DISK_SIZE_LIMITS = {"CLOUD_PREMIUM": (10, 1000, 10), "CLOUD_SSD": (20, 1000, 10)}
DISK_BACKUP_QUOTA_MAX = 500
#: Custom blueprint storage price per image (InquirePriceCreateBlueprint example).
BLUEPRINT_PRICE = 0.008


# -- blueprints and scenes -------------------------------------------------------------

SCENES: tuple[dict[str, str], ...] = (
    {"SceneId": "lhsc-3bzsddow", "DisplayName": "建站", "Description": "快速搭建网站、博客"},
    {"SceneId": "lhsc-xyz789ab", "DisplayName": "开发测试", "Description": "开发与测试环境"},
    {"SceneId": "lhsc-pqr456st", "DisplayName": "游戏服务器", "Description": "游戏服务端"},
    {"SceneId": "lhsc-uvw123xy", "DisplayName": "容器", "Description": "Docker 容器化应用"},
)

_CDN = "https://cloudcache.tencent-cloud.com/open_proj/proj_qcloud_v2/tc-console/"
#: (BlueprintId, type, name, title, version, OS name, Platform, PlatformType, disk, memory,
#:  scenes, description)
_BLUEPRINT_ROWS: tuple[
    tuple[str, str, str, str, str, str, str, str, int, int, tuple[str, ...], str], ...
] = (
    (
        "lhbp-5e8807lo",
        "PURE_OS",
        "centos_7_6",
        "CentOS",
        "7.6 64bit",
        "CentOS 7.6 64bit",
        "CENTOS",
        "LINUX_UNIX",
        20,
        1,
        ("lhsc-xyz789ab",),
        "CentOS 7.6 64 位操作系统。",
    ),
    (
        "lhbp-uh2t0ifo",
        "PURE_OS",
        "ubuntu_22_04",
        "Ubuntu",
        "22.04 LTS",
        "Ubuntu Server 22.04 LTS 64bit",
        "UBUNTU",
        "LINUX_UNIX",
        20,
        1,
        ("lhsc-xyz789ab",),
        "Ubuntu Server 22.04 LTS 64 位操作系统。",
    ),
    (
        "lhbp-d1h2n3x4",
        "PURE_OS",
        "debian_12",
        "Debian",
        "12 64bit",
        "Debian 12.0 64bit",
        "DEBIAN",
        "LINUX_UNIX",
        20,
        1,
        ("lhsc-xyz789ab",),
        "Debian 12 64 位操作系统。",
    ),
    (
        "lhbp-oc9s8r7q",
        "PURE_OS",
        "opencloudos_9",
        "OpenCloudOS",
        "9",
        "OpenCloudOS 9",
        "OPENCLOUDOS",
        "LINUX_UNIX",
        20,
        1,
        ("lhsc-xyz789ab",),
        "OpenCloudOS 9 操作系统。",
    ),
    (
        "lhbp-w2022dct",
        "PURE_OS",
        "windows_server_2022",
        "Windows Server",
        "2022 数据中心版",
        "Windows Server 2022 DataCenter 64bit CN",
        "WINDOWS",
        "WINDOWS",
        50,
        2,
        ("lhsc-xyz789ab",),
        "Windows Server 2022 数据中心版。",
    ),
    (
        "lhbp-lf6jlx98",
        "APP_OS",
        "btpanel_exclusive",
        "宝塔Linux面板",
        "8.1.0 腾讯云专享版",
        "OpenCloudOS 9",
        "OPENCLOUDOS",
        "LINUX_UNIX",
        20,
        1,
        ("lhsc-3bzsddow",),
        "宝塔Linux面板（BT-Panel）是一款简单好用的服务器运维管理面板，基于OpenCloudOS 9。",
    ),
    (
        "lhbp-wp6h5n2c",
        "APP_OS",
        "wordpress",
        "WordPress",
        "6.4",
        "OpenCloudOS 9",
        "OPENCLOUDOS",
        "LINUX_UNIX",
        20,
        1,
        ("lhsc-3bzsddow",),
        "WordPress 建站应用镜像。",
    ),
    (
        "lhbp-m1g6ap11",
        "APP_OS",
        "7_days_to_die_windows",
        "7日杀Windows",
        " ",
        "Windows Server 2022 DataCenter 64bit CN",
        "WINDOWS",
        "WINDOWS",
        60,
        4,
        ("lhsc-pqr456st",),
        "七日杀是一个生存类游戏。",
    ),
    (
        "lhbp-dk24ce01",
        "DOCKER",
        "docker_ce",
        "Docker CE",
        "24.0",
        "CentOS 7.6 64bit",
        "CENTOS",
        "LINUX_UNIX",
        20,
        1,
        ("lhsc-uvw123xy",),
        "预装 Docker CE 的容器镜像。",
    ),
)


def public_blueprints(now: float) -> list[dict[str, Any]]:
    """Public blueprint records (the ``Blueprint`` structure) plus ``_public``."""
    out = []
    for row in _BLUEPRINT_ROWS:
        bid, kind, name, title, version, os_name, platform, ptype, disk, mem, scenes, desc = row
        out.append(
            {
                "BlueprintId": bid,
                "DisplayTitle": title,
                "DisplayVersion": version,
                "Description": desc,
                "OsName": os_name,
                "Platform": platform,
                "PlatformType": ptype,
                "BlueprintType": kind,
                "ImageUrl": f"{_CDN}{name}.svg",
                "RequiredSystemDiskSize": disk,
                "BlueprintState": "NORMAL",
                "CreatedTime": "2024-05-08T03:43:06Z",
                "BlueprintName": name,
                "SupportAutomationTools": True,
                "RequiredMemorySize": mem,
                "ImageId": "",
                "CommunityUrl": "",
                "GuideUrl": "https://cloud.tencent.com/document/product/1207",
                "SceneIdSet": list(scenes),
                "DockerVersion": "24.0.7" if kind == "DOCKER" else None,
                "BlueprintShared": False,
                "Tags": [],  # public images carry no tags
                "_public": True,
            }
        )
    return out


# -- instances and their firewalls -----------------------------------------------------


def default_firewall_rules(platform_type: str = "LINUX_UNIX") -> list[dict[str, Any]]:
    """The rules a new instance starts with (FirewallRuleInfo records)."""
    login = (
        ("Windows登录(3389)", "3389", "放通Windows远程桌面登录(3389)")
        if platform_type == "WINDOWS"
        else ("Linux登录(22)", "22", "放通Linux SSH登录(22)")
    )
    rows = (
        login,
        ("HTTP(80)", "80", "放通Web服务HTTP(80)，如 Apache、Nginx"),
        ("HTTPS(443)", "443", "放通Web服务HTTPS(443)，如 Apache、Nginx"),
    )
    rules = [
        {
            "AppType": app,
            "Protocol": "TCP",
            "Port": port,
            "CidrBlock": "0.0.0.0/0",
            "Ipv6CidrBlock": "",
            "Action": "ACCEPT",
            "FirewallRuleDescription": text,
        }
        for app, port, text in rows
    ]
    rules.append(
        {
            "AppType": "Ping-ICMP",
            "Protocol": "ICMP",
            "Port": "ALL",
            "CidrBlock": "0.0.0.0/0",
            "Ipv6CidrBlock": "",
            "Action": "ACCEPT",
            "FirewallRuleDescription": "放通ICMP协议，用于Ping测试",
        }
    )
    return rules


def _months_later(timestamp: float, months: int) -> float:
    return timestamp + months * 30 * 86400


def instance_record(
    instance_id: str,
    *,
    bundle_id: str,
    blueprint: dict[str, Any],
    zone: str,
    name: str,
    now: float,
    rng: random.Random,
    disk_id: str,
    state: str = "PENDING",
    period_months: int = 1,
    renew_flag: str = "NOTIFY_AND_MANUAL_RENEW",
    key_ids: list[str] | None = None,
    tags: list[dict[str, str]] | None = None,
    request_id: str = "",
    operation: str = "CreateInstances",
) -> dict[str, Any]:
    """A new ``Instance`` record as DescribeInstances documents it.

    Internal fields: ``_period_months`` (the prepaid period, for renewals and prices).
    """
    spec = bundle(bundle_id)
    if spec is None:
        raise KeyError(bundle_id)
    return {
        "InstanceId": instance_id,
        "BundleId": bundle_id,
        "BlueprintId": blueprint["BlueprintId"],
        "CPU": spec["CPU"],
        "Memory": spec["Memory"],
        "InstanceName": name,
        "InstanceChargeType": "PREPAID",
        "SystemDisk": {
            "DiskType": spec["SystemDiskType"],
            "DiskSize": max(spec["SystemDiskSize"], blueprint["RequiredSystemDiskSize"]),
            "DiskId": disk_id,
        },
        "PrivateAddresses": [
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
        ],
        "PublicAddresses": [
            f"{rng.choice((43, 81, 101, 118, 129, 150, 170))}.{rng.randint(0, 255)}."
            f"{rng.randint(0, 255)}.{rng.randint(2, 254)}"
        ],
        "InternetAccessible": {
            "InternetChargeType": spec["InternetChargeType"],
            "InternetMaxBandwidthOut": spec["InternetMaxBandwidthOut"],
            "PublicIpAssigned": True,
        },
        "RenewFlag": renew_flag,
        "LoginSettings": {"KeyIds": list(key_ids or [])},
        "InstanceState": state,
        "Uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "LatestOperation": operation,
        "LatestOperationState": "OPERATING" if state == "PENDING" else "SUCCESS",
        "LatestOperationRequestId": request_id,
        "LatestOperationStartedTime": iso(now),
        "IsolatedTime": None,
        "CreatedTime": iso(now),
        "ExpiredTime": iso(_months_later(now, period_months)),
        "PlatformType": blueprint["PlatformType"],
        "Platform": blueprint["Platform"],
        "OsName": blueprint["OsName"],
        "Zone": zone,
        "Tags": list(tags or []),
        "InstanceRestrictState": "NORMAL",
        "SupportIpv6Detail": {"IsSupport": False, "Detail": "EFFECTIVE_IMMEDIATELY", "Message": ""},
        "PublicIpv6Addresses": [],
        "InitInvocationId": "",
        "InstanceViolationDetail": None,
        "_period_months": period_months,
    }


def seed_region(state: RegionState, rng: random.Random, now: float) -> None:
    """Seed a region the first time an account touches it (a backend ``RegionSeeder``)."""
    if state.region not in catalog.region_ids():
        return  # the account-global pseudo-region holds no seed
    blueprints = state.table("blueprints")
    for bp in public_blueprints(now):
        blueprints[bp["BlueprintId"]] = bp
    if state.region != DEMO_REGION:
        return
    centos, ubuntu = blueprints["lhbp-5e8807lo"], blueprints["lhbp-uh2t0ifo"]
    demo: tuple[tuple[str, str, str, dict[str, Any], int, str, str, list[dict[str, str]]], ...] = (
        (
            "lhins-demo0001",
            "lighthouse-test",
            "bundle2022_gen_02",
            centos,
            3,
            "RUNNING",
            "lhdisk-demo0001",
            [{"Key": "env", "Value": "demo"}],
        ),
        (
            "lhins-demo0002",
            "web-staging",
            "bundle2022_gen_01",
            ubuntu,
            4,
            "STOPPED",
            "lhdisk-demo0002",
            [],
        ),
    )
    created = now - 7 * 86400
    for iid, name, bid, bp, zone_n, inst_state, disk_id, tags in demo:
        record = instance_record(
            iid,
            bundle_id=bid,
            blueprint=bp,
            zone=f"{DEMO_REGION}-{zone_n}",
            name=name,
            now=created,
            rng=rng,
            disk_id=disk_id,
            state=inst_state,
            period_months=1,
            tags=tags,
            operation="StartInstances" if inst_state == "RUNNING" else "StopInstances",
        )
        state.table("instances")[iid] = record
        state.table("firewall")[iid] = {
            "version": 1,
            "rules": default_firewall_rules(bp["PlatformType"]),
        }
