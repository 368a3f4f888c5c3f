"""Previews built live against the sandbox: every target resolved from the API (never
from the arguments), what else is lost, the price quote and dry run, the phrase to type,
and the re-check that notices a target vanishing after the preview."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.tools.previews import (
    build_preview,
    changed_targets,
    confirm_phrase,
    targets,
)

pytestmark = pytest.mark.anyio
REGION = "ap-guangzhou"


class Api:
    """The sandbox through the real client, plus the ``call`` previews take."""

    def __init__(self, sb: Sandbox, client: LighthouseClient) -> None:
        self.sb, self.client = sb, client

    async def __call__(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return await self.client.call(action, params, region=REGION)

    def sent(self) -> list[str]:
        return [str(r.action) for r in self.sb.requests]


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    sb = Sandbox(delay=0)
    client = LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=REGION,
        endpoint="http://sandbox",
        transport=sb.transport(),
    )
    async with client:
        yield Api(sb, client)


def test_targets_follow_the_arguments() -> None:
    assert targets("TerminateInstances", {"InstanceIds": ["a", "b", "a"]}) == [
        ("instance", "a"),
        ("instance", "b"),
    ]
    # the instance only locates the containers; the blueprint is what gets installed
    assert targets("RemoveDockerContainers", {"InstanceId": "i", "ContainerIds": ["c"]}) == [
        ("container", "c")
    ]
    assert targets("ResetInstance", {"InstanceId": "i", "BlueprintId": "b"}) == [("instance", "i")]
    assert targets("ApplyInstanceSnapshot", {"InstanceId": "i", "SnapshotId": "s"}) == [
        ("instance", "i"),
        ("snapshot", "s"),
    ]
    assert targets("DeleteFirewallTemplate", {"TemplateId": "lhft-1"}) == [
        ("firewall_template", "lhft-1")
    ]


def test_confirm_phrase() -> None:
    assert confirm_phrase("DeleteSnapshots", ["lhsnap-1"]) == "lhsnap-1"
    assert confirm_phrase("DeleteSnapshots", ["a", "b"]) == "DeleteSnapshots 2"
    assert confirm_phrase("DeleteFirewallTemplate", []) == "DeleteFirewallTemplate"


async def _isolated(api: Api, instance: str) -> None:
    await api("IsolateInstances", {"InstanceIds": [instance]})
    await api("DescribeInstances", {})  # lets the sandbox apply the transition


async def test_a_preview_certain_to_fail_says_why_and_looks_up_nothing_more(api: Api) -> None:
    preview = await build_preview(
        api, "TerminateInstances", REGION, {"InstanceIds": ["lhins-demo0001", "lhins-gone0000"]}
    )
    assert preview.target_ids() == ["lhins-demo0001"] and preview.missing == ["lhins-gone0000"]
    (resource,) = preview.resources
    assert resource["InstanceName"] == "lighthouse-test" and resource["InstanceState"] == "RUNNING"
    assert preview.refusals == [
        "TerminateInstances needs SHUTDOWN: IsolateInstances first (it moves the instance to "
        "SHUTDOWN) (lhins-demo0001 is RUNNING)",
        "TerminateInstances cannot run: the instance lhins-gone0000 does not exist in "
        "ap-guangzhou (DescribeInstances does not list it); check the ID",
    ]
    assert preview.consequences == [] and preview.phrase is None
    assert all(a.startswith("Describe") for a in api.sent())


async def test_terminate_preview_resolves_live_and_sends_nothing(api: Api) -> None:
    await _isolated(api, "lhins-demo0001")
    before = len(api.sent())
    preview = await build_preview(
        api, "TerminateInstances", REGION, {"InstanceIds": ["lhins-demo0001"]}
    )
    assert preview.refusals == [] and preview.target_ids() == ["lhins-demo0001"]
    assert preview.resources[0]["InstanceState"] == "SHUTDOWN"
    assert preview.consequences[0] == (
        'Instance "lighthouse-test" (lhins-demo0001) is destroyed with its system disk; '
        "the data on that disk cannot be recovered."
    )
    assert any(line.startswith("Data disks are not destroyed") for line in preview.consequences)
    assert preview.undo_text.startswith("CANNOT BE UNDONE")
    assert preview.phrase == "lhins-demo0001"
    text = preview.text()
    assert text.endswith("`lhins-demo0001`") and "destroyed with its system disk" in text
    assert preview.as_dict()["Class"] == "destructive"
    assert all(a.startswith("Describe") for a in api.sent()[before:])


async def test_snapshots_lost_with_the_instance_are_listed(api: Api) -> None:
    made = await api(
        "CreateInstanceSnapshot", {"InstanceId": "lhins-demo0001", "SnapshotName": "nightly"}
    )
    await api("DescribeSnapshots", {})
    await _isolated(api, "lhins-demo0001")
    preview = await build_preview(
        api, "TerminateInstances", REGION, {"InstanceIds": ["lhins-demo0001"]}
    )
    assert (
        'The snapshots of instance "lighthouse-test" (lhins-demo0001), '
        f'"nightly" ({made["SnapshotId"]}), are deleted with it.'
    ) in preview.consequences


async def test_delete_firewall_rules_lists_what_disappears(api: Api) -> None:
    rule = {"Protocol": "TCP", "Port": "8080", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT"}
    preview = await build_preview(
        api,
        "DeleteFirewallRules",
        REGION,
        {"InstanceId": "lhins-demo0001", "FirewallRules": [rule]},
    )
    assert preview.target_ids() == ["lhins-demo0001"]
    assert preview.extras == ["The rules that disappear: ACCEPT TCP 8080 from 0.0.0.0/0"]
    assert preview.undo_text.startswith("Can be undone: deleted rules can be re-created")
    assert "CANNOT BE UNDONE" not in preview.text()


async def test_billing_preview_quotes_the_price_and_dry_runs(api: Api) -> None:
    args = {
        "BundleId": "bundle2022_gen_02",
        "BlueprintId": "lhbp-uh2t0ifo",
        "InstanceChargePrepaid": {"Period": 1},
        "InstanceCount": 2,
    }
    preview = await build_preview(api, "CreateInstances", REGION, args)
    quote = await api("InquirePriceCreateInstances", args)
    assert preview.price == {"Price": quote["Price"]}
    assert preview.dry_run == "the API says the request would succeed"
    assert preview.phrase is None and preview.target_ids() == []
    assert f"DiscountPrice={quote['Price']['InstancePrice']['DiscountPrice']}" in preview.text()
    assert api.sb.requests[-2].action == "CreateInstances"
    assert (api.sb.requests[-2].params or {}).get("DryRun") is True
    instances = await api("DescribeInstances", {})
    assert instances["TotalCount"] == 2  # the dry run created nothing


async def test_billing_without_a_quote_says_so(api: Api) -> None:
    made = await api(
        "CreateDisks",
        {
            "Zone": "ap-guangzhou-3",
            "DiskSize": 20,
            "DiskType": "CLOUD_PREMIUM",
            "DiskChargePrepaid": {"Period": 1},
        },
    )
    disk = made["DiskIdSet"][0]
    await api("DescribeDisks", {})
    preview = await build_preview(
        api, "ModifyDisksBackupQuota", REGION, {"DiskId": disk, "DiskBackupQuota": 2}
    )
    assert preview.price is None and preview.price_note
    assert "No price quote" in preview.text()


async def test_failed_price_quote_is_shown_not_hidden(api: Api) -> None:
    api.sb.faults.add("internal_error", action="InquirePriceCreateInstances")
    preview = await build_preview(
        api,
        "CreateInstances",
        REGION,
        {
            "BundleId": "bundle-nope",
            "BlueprintId": "lhbp-uh2t0ifo",
            "InstanceChargePrepaid": {"Period": 1},
        },
    )
    assert preview.price is None
    assert preview.price_note and "could not be quoted (InternalError)" in preview.price_note
    assert preview.dry_run == (
        "the API says the request would fail: InvalidParameter.BundleIdNotFound"
    )


async def test_global_template_preview(api: Api) -> None:
    made = await api("CreateFirewallTemplate", {"TemplateName": "web"})
    template = made["TemplateId"]
    preview = await build_preview(api, "DeleteFirewallTemplate", REGION, {"TemplateId": template})
    assert preview.resources == [
        {
            "Kind": "firewall template",
            "Id": template,
            **{k: v for k, v in preview.resources[0].items() if k not in ("Kind", "Id")},
        }
    ]
    assert preview.resources[0]["TemplateName"] == "web" and preview.phrase == template


async def test_changed_targets_after_the_preview(api: Api) -> None:
    made = await api("CreateInstanceSnapshot", {"InstanceId": "lhins-demo0001"})
    snap = made["SnapshotId"]
    await api("DescribeSnapshots", {})
    args = {"SnapshotIds": [snap, "lhsnap-later000"]}
    preview = await build_preview(api, "DeleteSnapshots", REGION, args)
    assert (
        await changed_targets(api, "DeleteSnapshots", args, preview.target_ids(), preview.missing)
        == []
    )
    await api("DeleteSnapshots", {"SnapshotIds": [snap]})
    assert await changed_targets(
        api, "DeleteSnapshots", args, preview.target_ids(), preview.missing
    ) == [f"{snap} is no longer found"]
    assert await changed_targets(api, "DeleteSnapshots", args, [], []) == [
        f"{snap} was not part of the preview",
        "lhsnap-later000 was not part of the preview",
    ]


async def test_the_request_is_shown_with_secrets_blanked(api: Api) -> None:
    args = {"InstanceIds": ["lhins-demo0001"], "Password": "Sup3r$ecret!!", "UserName": "root"}
    preview = await build_preview(api, "ResetInstancesPassword", REGION, args)
    text = preview.text()
    assert "Sup3r$ecret" not in text and "Sup3r$ecret" not in str(preview.as_dict())
    assert 'Password="<redacted>"' in text and 'UserName="root"' in text
    assert preview.phrase is None  # disruptive: no phrase to type
