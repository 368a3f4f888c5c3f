"""Instance lifecycle through the signed HTTP path: every state rule, idempotency, DryRun."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lighthouse_mcp import catalog

from .conftest import CENTOS, DELAY, MEDIUM, SMALL, UBUNTU, WINDOWS, Compute

pytestmark = pytest.mark.anyio

NOT_FOUND = "ResourceNotFound.InstanceIdNotFound"
BAD_STATE = "UnsupportedOperation.InvalidInstanceState"
IN_PROGRESS = "OperationDenied.InstanceOperationInProgress"


def _ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


async def test_create_goes_pending_then_running_with_every_documented_member(
    compute: Compute, api: Any
) -> None:
    data = await api.ok(
        "CreateInstances",
        {
            "BundleId": SMALL,
            "BlueprintId": CENTOS,
            "InstanceName": "web-1",
            "InstanceChargePrepaid": {"Period": 3, "RenewFlag": "NOTIFY_AND_AUTO_RENEW"},
            "Tags": [{"Key": "team", "Value": "ops"}],
        },
    )
    [iid] = data["InstanceIdSet"]
    record = await compute.instance(iid)
    members = {m["name"] for m in catalog.structure("Instance")["members"]}
    assert members <= set(record), members - set(record)
    assert not [k for k in record if k.startswith("_")]
    assert (record["InstanceState"], record["LatestOperation"], record["LatestOperationState"]) == (
        "PENDING",
        "CreateInstances",
        "OPERATING",
    )
    assert record["LatestOperationRequestId"] == data["RequestId"]
    assert (record["CPU"], record["Memory"], record["SystemDisk"]["DiskSize"]) == (2, 2, 40)
    assert record["RenewFlag"] == "NOTIFY_AND_AUTO_RENEW"
    assert record["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert record["PublicAddresses"] and record["PrivateAddresses"][0].startswith("10.")
    created, expires = _ts(record["CreatedTime"]), _ts(record["ExpiredTime"])
    assert (expires.year * 12 + expires.month) - (created.year * 12 + created.month) == 3
    # While PENDING every action is refused as "still creating".
    assert (
        await api.error("StopInstances", {"InstanceIds": [iid]})
        == "OperationDenied.InstanceCreating"
    )
    compute.settle()
    assert await compute.state(iid) == ("RUNNING", "SUCCESS")


async def test_client_token_makes_create_idempotent(compute: Compute, api: Any) -> None:
    body = {
        "BundleId": SMALL,
        "BlueprintId": CENTOS,
        "InstanceChargePrepaid": {"Period": 1},
        "ClientToken": "create-web-1",
        "InstanceCount": 2,
    }
    first = await api.ok("CreateInstances", body)
    before = (await api.ok("DescribeInstances", {"Limit": 100}))["TotalCount"]
    second = await api.ok("CreateInstances", body)
    assert second["InstanceIdSet"] == first["InstanceIdSet"]
    assert len(first["InstanceIdSet"]) == 2
    assert (await api.ok("DescribeInstances", {"Limit": 100}))["TotalCount"] == before
    other = await api.ok("CreateInstances", {**body, "ClientToken": "create-web-2"})
    assert set(other["InstanceIdSet"]).isdisjoint(first["InstanceIdSet"])


async def test_dry_run_checks_everything_and_creates_nothing(api: Any) -> None:
    before = (await api.ok("DescribeInstances", {}))["TotalCount"]
    body = {
        "BundleId": SMALL,
        "BlueprintId": CENTOS,
        "InstanceChargePrepaid": {"Period": 1},
        "DryRun": True,
    }
    assert await api.error("CreateInstances", body) == "DryRunOperation"
    assert (
        await api.error("CreateInstances", {**body, "BundleId": "bundle_nope"})
        == "InvalidParameter.BundleIdNotFound"
    )
    assert (await api.ok("DescribeInstances", {}))["TotalCount"] == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"BundleId": "bundle_nope"}, "InvalidParameter.BundleIdNotFound"),
        ({"BundleId": "bundle_bw_small1_1"}, "ResourcesSoldOut.BundleSoldOut"),
        ({"BlueprintId": "lhbp-bad"}, "InvalidParameterValue.BlueprintIdMalformed"),
        ({"BlueprintId": "lhbp-zzzzzzzz"}, "ResourceNotFound.BlueprintIdNotFound"),
        ({"BlueprintId": WINDOWS}, "InvalidParameterValue.BundleAndBlueprintNotMatch"),
        ({"Zones": ["ap-guangzhou-9"]}, "InvalidParameterValue.ZoneInvalid"),
        ({"InstanceChargePrepaid": {"Period": 13}}, "InvalidParameterValue.OutOfRange"),
        ({"ClientToken": "x" * 65}, "InvalidParameterValue.ClientTokenTooLong"),
        ({"InstanceName": "n" * 61}, "InvalidParameterValue.InstanceNameTooLong"),
        (
            {"InstanceCount": 2, "DomainName": "example.com"},
            "InvalidParameterValue.InvalidParameterCombination",
        ),
        (
            {"LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": "weakpass"}},
            "InvalidParameterValue.InvalidPassword",
        ),
        (
            {"LoginConfiguration": {"AutoGeneratePassword": "YES", "Password": "Str0ng!Pass"}},
            "InvalidParameterValue.InvalidParameterCombination",
        ),
        ({"LoginConfiguration": {"KeyIds": ["lhkp-zzzzzzzz"]}}, "ResourceNotFound.KeyPairNotFound"),
        ({"LoginConfiguration": {"KeyIds": ["bad"]}}, "InvalidParameterValue.KeyPairIdMalformed"),
        ({"FirewallTemplateId": "lhft-x"}, "InvalidParameterValue.FirewallTemplateIdMalformed"),
        ({"FirewallTemplateId": "lhft-zzzzzzzz"}, "ResourceNotFound.FirewallTemplateNotFound"),
        ({"InstanceCount": 30}, "LimitExceeded.InstanceQuotaLimitExceeded"),
    ],
)
async def test_create_refuses_with_documented_codes(
    api: Any, change: dict[str, Any], code: str
) -> None:
    body = {
        "BundleId": SMALL,
        "BlueprintId": CENTOS,
        "InstanceChargePrepaid": {"Period": 1},
        **change,
    }
    assert await api.error("CreateInstances", body) == code


async def test_create_with_zones_and_key(compute: Compute, api: Any) -> None:
    key = await api.ok("ImportKeyPair", {"KeyName": "ops", "PublicKey": await _pub(api)})
    iid = await compute.create(
        Zones=["ap-guangzhou-6"], LoginConfiguration={"KeyIds": [key["KeyId"]]}
    )
    record = await compute.instance(iid)
    assert record["Zone"] == "ap-guangzhou-6"
    assert record["LoginSettings"]["KeyIds"] == [key["KeyId"]]
    keys = await api.ok("DescribeKeyPairs", {"KeyIds": [key["KeyId"]]})
    assert keys["KeyPairSet"][0]["AssociatedInstanceIds"] == [iid]


async def _pub(api: Any) -> str:
    created = await api.ok("CreateKeyPair", {"KeyName": "donor"})
    await api.ok("DeleteKeyPairs", {"KeyIds": [created["KeyPair"]["KeyId"]]})
    text: str = created["KeyPair"]["PublicKey"]
    return text


@pytest.mark.parametrize(
    ("action", "start", "transient", "final"),
    [
        ("StopInstances", "RUNNING", "STOPPING", "STOPPED"),
        ("StartInstances", "STOPPED", "STARTING", "RUNNING"),
        ("RebootInstances", "RUNNING", "REBOOTING", "RUNNING"),
    ],
)
async def test_power_transitions_are_observable(
    compute: Compute, api: Any, action: str, start: str, transient: str, final: str
) -> None:
    iid = await (compute.stopped() if start == "STOPPED" else compute.create())
    answer = await api.ok(action, {"InstanceIds": [iid]})
    record = await compute.instance(iid)
    assert (record["InstanceState"], record["LatestOperation"], record["LatestOperationState"]) == (
        transient,
        action,
        "OPERATING",
    )
    assert record["LatestOperationRequestId"] == answer["RequestId"]
    assert record["LatestOperationStartedTime"]
    # Anything else on the instance now waits for the operation to finish.
    assert await api.error("RebootInstances", {"InstanceIds": [iid]}) == IN_PROGRESS
    compute.clock.advance(2.0)
    assert (await compute.state(iid))[0] == transient  # not yet: the delay is 5 s
    compute.settle()
    assert await compute.state(iid) == (final, "SUCCESS")


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("StartInstances", "RUNNING"),
        ("StopInstances", "STOPPED"),
        ("RebootInstances", "STOPPED"),
        ("TerminateInstances", "RUNNING"),
        ("TerminateInstances", "STOPPED"),
        ("IsolateInstances", "SHUTDOWN"),
        ("ResetInstancesPassword", "SHUTDOWN"),
        ("DescribeInstanceVncUrl", "STOPPED"),
    ],
)
async def test_wrong_state_gets_invalid_instance_state(
    compute: Compute, api: Any, action: str, state: str
) -> None:
    iid = await (compute.create() if state == "RUNNING" else compute.stopped())
    if state == "SHUTDOWN":
        await api.ok("IsolateInstances", {"InstanceIds": [iid]})
        compute.settle()
    params: dict[str, Any] = {"InstanceIds": [iid]}
    if action == "ResetInstancesPassword":
        params["Password"] = "Str0ng!Passw0rd"
    if action == "DescribeInstanceVncUrl":
        params = {"InstanceId": iid}
    assert await api.error(action, params) == BAD_STATE


async def test_batch_is_checked_before_anything_changes(compute: Compute, api: Any) -> None:
    running = await compute.create()
    stopped = await compute.stopped()
    assert await api.error("StopInstances", {"InstanceIds": [running, stopped]}) == BAD_STATE
    assert (await compute.state(running))[0] == "RUNNING"
    assert (
        await api.error("StopInstances", {"InstanceIds": [running, running]})
        == "InvalidParameterValue.Duplicated"
    )
    assert await api.error("StopInstances", {"InstanceIds": ["lhins-zzzzzzzz"]}) == NOT_FOUND
    assert (
        await api.error("StopInstances", {"InstanceIds": ["i-123"]})
        == "InvalidParameterValue.InstanceIdMalformed"
    )


async def test_isolate_then_terminate(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    assert await api.error("TerminateInstances", {"InstanceIds": [iid]}) == BAD_STATE
    await api.ok("IsolateInstances", {"InstanceIds": [iid]})
    record = await compute.instance(iid)
    assert (record["InstanceState"], record["LatestOperationState"]) == ("SHUTDOWN", "OPERATING")
    assert record["IsolatedTime"]
    assert await api.error("TerminateInstances", {"InstanceIds": [iid]}) == IN_PROGRESS
    compute.settle()
    await api.ok("TerminateInstances", {"InstanceIds": [iid]})
    assert (await compute.state(iid)) == ("TERMINATING", "OPERATING")
    compute.settle()
    gone = await api.ok("DescribeInstances", {"InstanceIds": [iid]})
    assert gone["TotalCount"] == 0
    assert await api.error("StartInstances", {"InstanceIds": [iid]}) == NOT_FOUND
    assert await api.error("DescribeFirewallRules", {"InstanceId": iid}) == NOT_FOUND


async def test_isolated_instances_are_listed_first(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    await api.ok("IsolateInstances", {"InstanceIds": ["lhins-demo0002"]})
    data = await api.ok("DescribeInstances", {})
    assert data["InstanceSet"][0]["InstanceId"] == "lhins-demo0002"
    assert data["InstanceSet"][1]["InstanceId"] == iid  # then newest first


async def test_reset_instance_reinstalls_and_checks_the_blueprint(
    compute: Compute, api: Any
) -> None:
    iid = await compute.create()
    await api.ok("ResetInstance", {"InstanceId": iid, "BlueprintId": UBUNTU})
    assert await compute.state(iid) == ("STOPPING", "OPERATING")
    compute.clock.advance(DELAY / 2)
    assert await compute.state(iid) == ("STARTING", "OPERATING")
    compute.settle()
    record = await compute.instance(iid)
    assert (record["InstanceState"], record["BlueprintId"], record["Platform"]) == (
        "RUNNING",
        UBUNTU,
        "UBUNTU",
    )
    # Windows needs a 50 GB disk; this bundle has 40 GB.
    assert (
        await api.error("ResetInstance", {"InstanceId": iid, "BlueprintId": WINDOWS})
        == "InvalidParameterValue.BlueprintConfigNotMatch"
    )
    assert (
        await api.error("ResetInstance", {"InstanceId": iid, "BlueprintId": "lhbp-x"})
        == "InvalidParameterValue.BlueprintIdMalformed"
    )


async def test_reset_cannot_switch_platform_outside_mainland(compute: Compute, api: Any) -> None:
    iid = await compute.create(region="ap-singapore", BundleId=MEDIUM)
    code = await api.error(
        "ResetInstance", {"InstanceId": iid, "BlueprintId": WINDOWS}, region="ap-singapore"
    )
    assert code == "InvalidParameterValue.NotAllowToChangePlatformType"
    # In the mainland the same switch is allowed.
    home = await compute.create(BundleId=MEDIUM)
    await api.ok("ResetInstance", {"InstanceId": home, "BlueprintId": WINDOWS})
    compute.settle()
    assert (await compute.instance(home))["PlatformType"] == "WINDOWS"


async def test_reset_password(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    assert (
        await api.error("ResetInstancesPassword", {"InstanceIds": [iid], "Password": "short1A"})
        == "InvalidParameterValue.InvalidPassword"
    )
    answer = await api.call(
        "ResetInstancesPassword", {"InstanceIds": [iid], "Password": "onlylowercase"}
    )
    assert "onlylowercase" not in str(answer)  # never echo a password
    await api.ok("ResetInstancesPassword", {"InstanceIds": [iid], "Password": "Str0ng!Passw0rd"})
    assert await compute.state(iid) == ("STOPPING", "OPERATING")
    compute.settle()
    assert await compute.state(iid) == ("RUNNING", "SUCCESS")


async def test_attributes_renew_flag_and_renewal(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    await api.ok("ModifyInstancesAttribute", {"InstanceIds": [iid], "InstanceName": "renamed"})
    assert (await compute.instance(iid))["InstanceName"] == "renamed"
    assert (
        await api.error(
            "ModifyInstancesAttribute", {"InstanceIds": [iid], "InstanceName": "x" * 61}
        )
        == "InvalidParameterValue.InstanceNameTooLong"
    )
    await api.ok(
        "ModifyInstancesRenewFlag",
        {"InstanceIds": [iid], "RenewFlag": "DISABLE_NOTIFY_AND_MANUAL_RENEW"},
    )
    assert (await compute.instance(iid))["RenewFlag"] == "DISABLE_NOTIFY_AND_MANUAL_RENEW"
    before = _ts((await compute.instance(iid))["ExpiredTime"])
    await api.ok("RenewInstances", {"InstanceIds": [iid], "InstanceChargePrepaid": {"Period": 12}})
    assert (await compute.state(iid)) == ("RUNNING", "OPERATING")
    compute.settle()
    after = _ts((await compute.instance(iid))["ExpiredTime"])
    assert (after.year - before.year, after.month) == (1, before.month)
    # 48 months is a purchase period, not a renewal one (prices.check_period).
    code = await api.error(
        "RenewInstances", {"InstanceIds": [iid], "InstanceChargePrepaid": {"Period": 48}}
    )
    assert code.startswith("InvalidParameterValue")


async def test_renewing_an_isolated_instance_brings_it_back(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    await api.ok("IsolateInstances", {"InstanceIds": [iid]})
    compute.settle()
    await api.ok("RenewInstances", {"InstanceIds": [iid], "InstanceChargePrepaid": {"Period": 1}})
    compute.settle()
    record = await compute.instance(iid)
    assert (record["InstanceState"], record["IsolatedTime"]) == ("STOPPED", None)


async def test_modify_bundle_and_its_options(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    options = await api.ok("DescribeModifyInstanceBundles", {"InstanceId": iid, "Limit": 100})
    states = {m["Bundle"]["BundleId"]: m["ModifyBundleState"] for m in options["ModifyBundleSet"]}
    assert states["bundle2022_gen_03"] == "AVAILABLE"
    assert states["bundle_sto_01"] == "UNAVAILABLE"  # another bundle type
    assert states["bundle_bw_small1_1"] == "SOLD_OUT"
    assert SMALL not in states
    upgrade = next(
        m for m in options["ModifyBundleSet"] if m["Bundle"]["BundleId"] == "bundle2022_gen_03"
    )
    assert upgrade["ModifyPrice"]["InstancePrice"]["OriginalBundlePrice"] == 40.0  # 90 - 50
    only = await api.ok(
        "DescribeModifyInstanceBundles",
        {"InstanceId": iid, "Filters": [{"Name": "bundle-id", "Values": ["bundle2022_gen_03"]}]},
    )
    assert only["TotalCount"] == 1
    assert (
        await api.error(
            "ModifyInstancesBundle", {"InstanceIds": [iid], "BundleId": "bundle_sto_01"}
        )
        == "InvalidParameterValue.NotSupportModifyInstanceBundleType"
    )
    assert (
        await api.error("ModifyInstancesBundle", {"InstanceIds": [iid], "BundleId": "bundle_nope"})
        == "InvalidParameter.BundleIdNotFound"
    )
    await api.ok("ModifyInstancesBundle", {"InstanceIds": [iid], "BundleId": "bundle2022_gen_03"})
    assert (await compute.instance(iid))["Memory"] == 2  # applies when the operation ends
    compute.settle()
    record = await compute.instance(iid)
    assert (
        record["BundleId"],
        record["Memory"],
        record["SystemDisk"]["DiskSize"],
        record["LatestOperationState"],
    ) == ("bundle2022_gen_03", 4, 60, "SUCCESS")


async def test_failed_operation_reports_failed_and_keeps_state(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    compute.record("instances", iid)["_fail_operations"] = ["StopInstances"]
    await api.ok("StopInstances", {"InstanceIds": [iid]})
    compute.settle()
    assert await compute.state(iid) == ("RUNNING", "FAILED")


async def test_describe_filters_order_and_paging(compute: Compute, api: Any) -> None:
    a = await compute.create(InstanceName="alpha", Tags=[{"Key": "env", "Value": "prod"}])
    b = await compute.create(
        InstanceName="beta",
        Tags=[{"Key": "env", "Value": "dev"}],
        InstanceChargePrepaid={"Period": 6},
    )

    async def ids(filters: list[dict[str, Any]]) -> set[str]:
        data = await api.ok("DescribeInstances", {"Filters": filters, "Limit": 100})
        assert data["TotalCount"] == len(data["InstanceSet"])
        return {r["InstanceId"] for r in data["InstanceSet"]}

    assert await ids([{"Name": "instance-name", "Values": ["alpha", "beta"]}]) == {a, b}
    assert await ids([{"Name": "tag:env", "Values": ["prod"]}]) == {a}
    assert await ids(
        [{"Name": "tag-key", "Values": ["env"]}, {"Name": "instance-name", "Values": ["beta"]}]
    ) == {b}
    assert await ids([{"Name": "tag-value", "Values": ["dev"]}]) == {b}
    assert await ids([{"Name": "instance-state", "Values": ["STOPPED"]}]) == {"lhins-demo0002"}
    ip = (await compute.instance(a))["PublicAddresses"][0]
    assert await ids([{"Name": "public-ip-address", "Values": [ip]}]) == {a}
    private = (await compute.instance(b))["PrivateAddresses"][0]
    assert await ids([{"Name": "private-ip-address", "Values": [private]}]) == {b}
    zone = (await compute.instance(a))["Zone"]
    assert a in await ids([{"Name": "zone", "Values": [zone]}])
    assert (
        await api.error("DescribeInstances", {"Filters": [{"Name": "colour", "Values": ["x"]}]})
        == "InvalidParameter.InvalidFilterNotSupportedName"
    )
    assert (
        await api.error(
            "DescribeInstances",
            {"InstanceIds": [a], "Filters": [{"Name": "zone", "Values": [zone]}]},
        )
        == "InvalidParameter.ParameterConflict"
    )
    assert (
        await api.error("DescribeInstances", {"Order": "DESC"})
        == "MissingParameter.OrderFieldRequired"
    )
    ordered = await api.ok("DescribeInstances", {"OrderField": "EXPIRED_TIME", "Order": "DESC"})
    assert ordered["InstanceSet"][0]["InstanceId"] == b
    total = (await api.ok("DescribeInstances", {}))["TotalCount"]
    assert total == 4
    pages = [await api.ok("DescribeInstances", {"Offset": o, "Limit": 3}) for o in (0, 3)]
    assert [len(p["InstanceSet"]) for p in pages] == [3, 1]
    assert {p["TotalCount"] for p in pages} == {4}
    seen = {r["InstanceId"] for p in pages for r in p["InstanceSet"]}
    assert len(seen) == 4
    by_id = await api.ok("DescribeInstances", {"InstanceIds": [a, "lhins-zzzzzzzz"]})
    assert [r["InstanceId"] for r in by_id["InstanceSet"]] == [a]


async def test_denied_actions_agree_with_the_actions(compute: Compute, api: Any) -> None:
    iid = await compute.stopped()
    data = await api.ok("DescribeInstancesDeniedActions", {"InstanceIds": [iid]})
    denied = {d["Action"]: d["Code"] for d in data["InstanceDeniedActionSet"][0]["DeniedActions"]}
    assert denied == {
        a: BAD_STATE
        for a in (
            "StopInstances",
            "RebootInstances",
            "TerminateInstances",
            "DescribeInstanceVncUrl",
        )
    }
    for action in ("StopInstances", "RebootInstances", "TerminateInstances"):
        assert await api.error(action, {"InstanceIds": [iid]}) == denied[action]
    await api.ok("StartInstances", {"InstanceIds": [iid]})
    busy = await api.ok("DescribeInstancesDeniedActions", {"InstanceIds": [iid]})
    codes = {d["Code"] for d in busy["InstanceDeniedActionSet"][0]["DeniedActions"]}
    assert IN_PROGRESS in codes


async def test_read_only_instance_queries(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    returnable = await api.ok("DescribeInstancesReturnable", {"InstanceIds": [iid]})
    assert returnable["InstanceReturnableSet"] == [
        {"InstanceId": iid, "IsReturnable": True, "ReturnFailCode": 0, "ReturnFailMessage": ""}
    ]
    old = await api.ok("DescribeInstancesReturnable", {"InstanceIds": ["lhins-demo0001"]})
    assert old["InstanceReturnableSet"][0]["ReturnFailCode"] == 3  # bought 7 days ago
    traffic = await api.ok("DescribeInstancesTrafficPackages", {"InstanceIds": [iid]})
    package = traffic["InstanceTrafficPackageSet"][0]["TrafficPackageSet"][0]
    assert package["TrafficPackageTotal"] == 300 * 1024**3
    assert (
        package["TrafficUsed"] + package["TrafficPackageRemaining"]
        == package["TrafficPackageTotal"]
    )
    compute.clock.advance(3600)
    later = await api.ok("DescribeInstancesTrafficPackages", {"InstanceIds": [iid]})
    assert (
        later["InstanceTrafficPackageSet"][0]["TrafficPackageSet"][0]["TrafficUsed"]
        > package["TrafficUsed"]
    )
    vnc = await api.ok("DescribeInstanceVncUrl", {"InstanceId": iid})
    assert vnc["InstanceVncUrl"].startswith("wss%3A%2F%2F")
    disks = await api.ok("DescribeInstancesDiskNum", {"InstanceIds": [iid]})
    assert disks["AttachDetailSet"] == [
        {"InstanceId": iid, "AttachedDiskCount": 0, "MaxAttachCount": 5}
    ]
    blueprints = await api.ok("DescribeResetInstanceBlueprints", {"InstanceId": iid, "Limit": 100})
    resettable = {
        b["BlueprintInfo"]["BlueprintId"]: b["IsResettable"]
        for b in blueprints["ResetInstanceBlueprintSet"]
    }
    assert resettable[UBUNTU] is True
    assert resettable[WINDOWS] is False  # needs 50 GB
    windows_only = await api.ok(
        "DescribeResetInstanceBlueprints",
        {"InstanceId": iid, "Filters": [{"Name": "platform-type", "Values": ["WINDOWS"]}]},
    )
    assert {
        b["BlueprintInfo"]["PlatformType"] for b in windows_only["ResetInstanceBlueprintSet"]
    } == {"WINDOWS"}
    assert (
        await api.error("DescribeInstancesReturnable", {"InstanceIds": ["lhins-zzzzzzzz"]})
        == NOT_FOUND
    )


# -- with the storage families --------------------------------------------------------------

DOCKER = "lhbp-dk24ce01"
NGINX = {"ContainerImage": "nginx", "ContainerName": "web"}


async def _attached_disk(compute: Compute, api: Any, iid: str) -> str:
    zone = (await compute.instance(iid))["Zone"]
    [disk_id] = (
        await api.ok(
            "CreateDisks",
            {
                "Zone": zone,
                "DiskSize": 20,
                "DiskType": "CLOUD_SSD",
                "DiskChargePrepaid": {"Period": 1},
            },
        )
    )["DiskIdSet"]
    compute.settle()
    await api.ok("AttachDisks", {"DiskIds": [disk_id], "InstanceId": iid})
    compute.settle()
    assert isinstance(disk_id, str)
    return disk_id


async def _disk_state(api: Any, disk_id: str) -> str:
    state: str = (await api.ok("DescribeDisks", {"DiskIds": [disk_id]}))["DiskSet"][0]["DiskState"]
    return state


@pytest.mark.parametrize(
    ("return_disks", "disk_state"), [(True, "SHUTDOWN"), (False, "UNATTACHED")]
)
async def test_isolate_takes_data_disks_along(
    compute: Compute, api: Any, return_disks: bool, disk_state: str
) -> None:
    iid = await compute.create()
    disk_id = await _attached_disk(compute, api, iid)
    counted = await api.ok("DescribeInstancesDiskNum", {"InstanceIds": [iid]})
    assert counted["AttachDetailSet"][0]["AttachedDiskCount"] == 1
    await api.ok("IsolateInstances", {"InstanceIds": [iid], "IsolateDataDisk": return_disks})
    compute.settle()
    assert await _disk_state(api, disk_id) == disk_state
    counted = await api.ok("DescribeInstancesDiskNum", {"InstanceIds": [iid]})
    assert counted["AttachDetailSet"][0]["AttachedDiskCount"] == 0


async def test_containers_at_create_and_reinstall(compute: Compute, api: Any) -> None:
    assert (
        await api.error(
            "CreateInstances",
            {
                "BundleId": SMALL,
                "BlueprintId": CENTOS,
                "InstanceChargePrepaid": {"Period": 1},
                "Containers": [NGINX],
            },
        )
        == "InvalidParameterValue.InvalidParameterCombination"
    )
    iid = await compute.create(BlueprintId=DOCKER, Containers=[NGINX])

    async def names() -> list[str]:
        data = await api.ok("DescribeDockerContainers", {"InstanceId": iid})
        return [c["ContainerName"] for c in data["DockerContainerSet"]]

    assert await names() == ["web"]
    await api.ok(
        "ResetInstance",
        {"InstanceId": iid, "Containers": [{"ContainerImage": "redis", "ContainerName": "cache"}]},
    )
    compute.settle()
    assert await names() == ["cache"]
    assert (
        await api.error(
            "ResetInstance", {"InstanceId": iid, "BlueprintId": CENTOS, "Containers": [NGINX]}
        )
        == "UnsupportedOperation.BlueprintTypeNotSupportOperation"
    )
