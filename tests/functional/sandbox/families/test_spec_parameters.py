"""The sandbox follows the spec (issue 13): StopType, tags on every taggable resource,
the MCP server states, blueprint sharing infos, and the more specific error codes."""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp.sandbox.families.firewall_templates import TEMPLATE_QUOTA

from .conftest import DELAY, Compute, disk_params

pytestmark = pytest.mark.anyio

TAGS = [{"Key": "team", "Value": "web"}]


async def test_soft_stop_of_a_hung_guest_fails_and_soft_first_falls_back(
    compute: Compute, api: Any
) -> None:
    iid = await compute.create()
    compute.record("instances", iid)["_os_hung"] = True  # the guest ignores ACPI
    await api.ok("StopInstances", {"InstanceIds": [iid], "StopType": "SOFT"})
    compute.settle()
    assert await compute.state(iid) == ("RUNNING", "FAILED")
    await api.ok("StopInstances", {"InstanceIds": [iid]})  # SOFT_FIRST by default
    compute.settle()
    assert await compute.state(iid) == ("STOPPING", "OPERATING")  # the soft attempt's wait
    compute.settle()
    assert await compute.state(iid) == ("STOPPED", "SUCCESS")
    await api.ok("StartInstances", {"InstanceIds": [iid]})
    compute.settle()
    await api.ok("StopInstances", {"InstanceIds": [iid], "StopType": "HARD"})
    compute.settle()
    assert await compute.state(iid) == ("STOPPED", "SUCCESS")


async def test_tags_are_stored_returned_and_filterable(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    created = await api.ok("CreateDisks", disk_params(DiskBackupQuota=1, Tags=TAGS))
    (disk_id,) = created["DiskIdSet"]
    compute.settle()
    backup = await api.ok("CreateDiskBackup", {"DiskId": disk_id, "Tags": TAGS})
    snapshot = await api.ok("CreateInstanceSnapshot", {"InstanceId": iid, "Tags": TAGS})
    key = await api.ok("CreateKeyPair", {"KeyName": "tagged", "Tags": TAGS})
    compute.settle()
    by_tag = [{"Name": "tag:team", "Values": ["web"]}]
    for action, field, id_field, wanted in (
        ("DescribeDisks", "DiskSet", "DiskId", disk_id),
        ("DescribeDiskBackups", "DiskBackupSet", "DiskBackupId", backup["DiskBackupId"]),
        ("DescribeSnapshots", "SnapshotSet", "SnapshotId", snapshot["SnapshotId"]),
        ("DescribeKeyPairs", "KeyPairSet", "KeyId", key["KeyPair"]["KeyId"]),
    ):
        for filters in (by_tag, [{"Name": "tag-key", "Values": ["team"]}]):
            rows = (await api.ok(action, {"Filters": filters}))[field]
            assert [r[id_field] for r in rows] == [wanted], action
            assert rows[0]["Tags"] == TAGS, action
        other = [{"Name": "tag-value", "Values": ["db"]}]
        assert (await api.ok(action, {"Filters": other}))[field] == [], action


async def test_online_binding_keeps_running_and_records_the_user(
    compute: Compute, api: Any
) -> None:
    iid = await compute.create()
    key_id = (await api.ok("CreateKeyPair", {"KeyName": "online"}))["KeyPair"]["KeyId"]
    pair = {"KeyIds": [key_id], "InstanceIds": [iid]}
    await api.ok(
        "AssociateInstancesKeyPairs", {**pair, "AssociateType": "ONLINE", "Username": "ubuntu"}
    )
    assert await compute.state(iid) == ("RUNNING", "OPERATING")
    compute.settle()
    [key] = (await api.ok("DescribeKeyPairs", {"KeyIds": [key_id]}))["KeyPairSet"]
    assert key["AssociatedInstanceSet"] == [{"InstanceId": iid, "Username": "ubuntu"}]
    assert (
        await api.error("DisassociateInstancesKeyPairs", {**pair, "Username": "ubuntu"})
        == "InvalidParameterValue"
    )
    await api.ok("DisassociateInstancesKeyPairs", pair)  # OFFLINE: stopped for the change
    assert await compute.state(iid) == ("STOPPING", "OPERATING")
    compute.settle()
    [key] = (await api.ok("DescribeKeyPairs", {"KeyIds": [key_id]}))["KeyPairSet"]
    assert key["AssociatedInstanceSet"] == [] and key["AssociatedInstanceIds"] == []


async def test_mcp_server_states(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    command = "bnB4IC15IGxpZ2h0aG91c2UtbWNwLXNlcnZlcg=="
    made = await api.ok(
        "CreateMcpServer",
        {"InstanceId": iid, "Name": "m", "Command": command, "TransportType": "SSE"},
    )
    sid = made["McpServerId"]
    ids = {"InstanceId": iid, "McpServerIds": [sid]}

    async def state() -> str:
        [server] = (await api.ok("DescribeMcpServers", ids))["McpServerSet"]
        return str(server["State"])

    assert await state() == "PENDING"
    compute.settle()
    assert await state() == "RUNNING"
    for action, during, after in (
        ("StopMcpServers", "STOPPING", "STOPPED"),
        ("StartMcpServers", "STARTING", "RUNNING"),
        ("RestartMcpServers", "RESTARTING", "RUNNING"),
    ):
        await api.ok(action, ids)
        assert await state() == during
        assert await api.error(action, ids) == "UnsupportedOperation"  # busy
        compute.settle()
        assert await state() == after
    bad = {**ids, "McpServerIds": ["lhms-nothere0"]}
    assert await api.error("StopMcpServers", bad) == "ResourceNotFound"
    await api.ok("StopInstances", {"InstanceIds": [iid]})
    compute.settle()
    assert await api.error("StartMcpServers", ids) == "UnsupportedOperation"  # host stopped
    await api.ok("StartInstances", {"InstanceIds": [iid]})
    compute.settle()
    await api.ok("RemoveMcpServers", ids)
    assert await state() == "REMOVING"
    compute.settle()
    listed = await api.ok("DescribeMcpServers", {"InstanceId": iid})
    assert listed["TotalCount"] == 0


async def test_share_infos_list_each_account_with_when(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    bid = (await api.ok("CreateBlueprint", {"InstanceId": iid, "BlueprintName": "s"}))[
        "BlueprintId"
    ]
    compute.settle()
    await api.ok("ShareBlueprintAcrossAccounts", {"BlueprintId": bid, "AccountIds": ["100001"]})
    compute.clock.advance(DELAY)
    await api.ok("ShareBlueprintAcrossAccounts", {"BlueprintId": bid, "AccountIds": ["100002"]})
    infos = await api.ok("DescribeBlueprintsShareAcrossAccountInfos", {"BlueprintIds": [bid]})
    rows = infos["BlueprintShareAcrossAccountInfoSet"]
    assert [r["AccountId"] for r in rows] == ["100001", "100002"]
    assert rows[0]["CreatedTime"] < rows[1]["CreatedTime"]
    one = await api.ok(
        "DescribeBlueprintsShareAcrossAccountInfos",
        {"BlueprintIds": [bid], "Filters": [{"Name": "account-id", "Values": ["100002"]}]},
    )
    assert one["TotalCount"] == 1


async def test_specific_error_codes(api: Any) -> None:
    # A Limit above its maximum: the page's OutOfRange code.
    assert (
        await api.error("DescribeInstances", {"Limit": 101}) == "InvalidParameterValue.OutOfRange"
    )
    # IsolateDisks over its batch maximum (20): the code its page names for it.
    disks = [f"lhdisk-{i:08d}" for i in range(21)]
    assert (
        await api.error("IsolateDisks", {"DiskIds": disks})
        == "LimitExceeded.IsolateResourcesLimitExceeded"
    )
    # The firewall template quota: the quota code, not a value error.
    codes = []
    for n in range(TEMPLATE_QUOTA + 1):
        data = await api.call("CreateFirewallTemplate", {"TemplateName": f"t{n}"})
        if "Error" in data:
            codes.append(data["Error"]["Code"])
            break
    assert codes == ["LimitExceeded"]


async def test_instances_filter_by_bundle_id(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    bundle = (await compute.instance(iid))["BundleId"]
    rows = (
        await api.ok(
            "DescribeInstances",
            {"Filters": [{"Name": "bundle-id", "Values": [bundle]}], "Limit": 100},
        )
    )["InstanceSet"]
    assert iid in [r["InstanceId"] for r in rows]
    assert {r["BundleId"] for r in rows} == {bundle}
    none = {"Filters": [{"Name": "bundle-id", "Values": ["bundle_none_01"]}]}
    assert (await api.ok("DescribeInstances", none))["InstanceSet"] == []
