"""Instance firewall rules (with FirewallVersion) and firewall templates."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Compute

pytestmark = pytest.mark.anyio

WEB = {
    "Protocol": "TCP",
    "Port": "8080",
    "CidrBlock": "10.0.0.0/8",
    "Action": "ACCEPT",
    "FirewallRuleDescription": "app",
}


async def _rules(api: Any, iid: str) -> dict[str, Any]:
    data: dict[str, Any] = await api.ok("DescribeFirewallRules", {"InstanceId": iid, "Limit": 100})
    return data


async def test_new_instance_gets_default_rules(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    data = await _rules(api, iid)
    assert data["FirewallVersion"] == 1
    ports = {(r["Protocol"], r["Port"]) for r in data["FirewallRuleSet"]}
    assert {("TCP", "22"), ("TCP", "80"), ("TCP", "443"), ("ICMP", "ALL")} <= ports
    assert data["TotalCount"] == len(data["FirewallRuleSet"])


async def test_create_delete_modify_bump_the_version(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    await api.ok(
        "CreateFirewallRules", {"InstanceId": iid, "FirewallRules": [WEB], "FirewallVersion": 1}
    )
    data = await _rules(api, iid)
    assert data["FirewallVersion"] == 2
    added = [r for r in data["FirewallRuleSet"] if r["Port"] == "8080"]
    assert added == [
        {
            "AppType": "自定义",
            "Protocol": "TCP",
            "Port": "8080",
            "CidrBlock": "10.0.0.0/8",
            "Ipv6CidrBlock": "",
            "Action": "ACCEPT",
            "FirewallRuleDescription": "app",
        }
    ]
    # A stale version is refused: someone else changed the firewall meanwhile.
    assert (
        await api.error(
            "DeleteFirewallRules", {"InstanceId": iid, "FirewallRules": [WEB], "FirewallVersion": 1}
        )
        == "UnsupportedOperation.FirewallVersionMismatch"
    )
    await api.ok(
        "ModifyFirewallRuleDescription",
        {
            "InstanceId": iid,
            "FirewallVersion": 2,
            "FirewallRule": {**WEB, "FirewallRuleDescription": "renamed"},
        },
    )
    data = await _rules(api, iid)
    assert data["FirewallVersion"] == 3
    assert [
        r["FirewallRuleDescription"] for r in data["FirewallRuleSet"] if r["Port"] == "8080"
    ] == ["renamed"]
    await api.ok("DeleteFirewallRules", {"InstanceId": iid, "FirewallRules": [WEB]})
    data = await _rules(api, iid)
    assert data["FirewallVersion"] == 4
    assert not [r for r in data["FirewallRuleSet"] if r["Port"] == "8080"]
    await api.ok(
        "ModifyFirewallRules",
        {"InstanceId": iid, "FirewallVersion": 4, "FirewallRules": [{"Protocol": "ICMPv6"}]},
    )
    data = await _rules(api, iid)
    assert data["FirewallVersion"] == 5
    assert data["FirewallRuleSet"] == [
        {
            "AppType": "Ping (IPv6)",
            "Protocol": "ICMPv6",
            "Port": "ALL",
            "CidrBlock": "",
            "Ipv6CidrBlock": "::/0",
            "Action": "ACCEPT",
            "FirewallRuleDescription": "",
        }
    ]


@pytest.mark.parametrize(
    ("action", "rules", "code"),
    [
        (
            "CreateFirewallRules",
            [WEB, {**WEB, "FirewallRuleDescription": "same rule"}],
            "InvalidParameter.FirewallRulesDuplicated",
        ),
        (
            "CreateFirewallRules",
            [{"Protocol": "TCP", "Port": "22"}],
            "InvalidParameter.FirewallRulesExist",
        ),
        (
            "CreateFirewallRules",
            [{**WEB, "FirewallRuleDescription": "d" * 65}],
            "InvalidParameterValue.FirewallRuleDescriptionTooLong",
        ),
        (
            "CreateFirewallRules",
            [{"Protocol": "ICMP", "Port": "80"}],
            "InvalidParameter.ParameterConflict",
        ),
        ("CreateFirewallRules", [{"Protocol": "TCP", "Port": "90-80"}], "InvalidParameterValue"),
        ("CreateFirewallRules", [{"Protocol": "TCP", "Port": "70000"}], "InvalidParameterValue"),
        ("CreateFirewallRules", [{"Protocol": "GRE"}], "InvalidParameterValue"),
        (
            "CreateFirewallRules",
            [{"Protocol": "TCP", "CidrBlock": "10.0.0.300/8"}],
            "InvalidParameterValue",
        ),
        (
            "CreateFirewallRules",
            [{"Protocol": "TCP", "CidrBlock": "0.0.0.0/0", "Ipv6CidrBlock": "::/0"}],
            "InvalidParameter.ParameterConflict",
        ),
        ("DeleteFirewallRules", [WEB], "ResourceNotFound.FirewallRulesNotFound"),
    ],
)
async def test_rule_errors(
    compute: Compute, api: Any, action: str, rules: list[dict[str, Any]], code: str
) -> None:
    iid = await compute.create()
    assert await api.error(action, {"InstanceId": iid, "FirewallRules": rules}) == code
    assert (await _rules(api, iid))["FirewallVersion"] == 1  # nothing changed


async def test_rule_limit_and_paging(compute: Compute, api: Any) -> None:
    iid = await compute.create()
    many = [{"Protocol": "TCP", "Port": str(10000 + n)} for n in range(96)]
    await api.ok("CreateFirewallRules", {"InstanceId": iid, "FirewallRules": many})
    data = await api.ok("DescribeFirewallRules", {"InstanceId": iid, "Offset": 95, "Limit": 10})
    assert data["TotalCount"] == 100
    assert len(data["FirewallRuleSet"]) == 5
    assert (
        await api.error(
            "CreateFirewallRules",
            {"InstanceId": iid, "FirewallRules": [{"Protocol": "UDP", "Port": "53"}]},
        )
        == "LimitExceeded.FirewallRulesLimitExceeded"
    )


async def test_unknown_instance_and_rule_templates(api: Any) -> None:
    assert (
        await api.error("DescribeFirewallRules", {"InstanceId": "lhins-zzzzzzzz"})
        == "ResourceNotFound.InstanceIdNotFound"
    )
    assert (
        await api.error("DescribeFirewallRules", {"InstanceId": "nope"})
        == "InvalidParameterValue.InstanceIdMalformed"
    )
    data = await api.ok("DescribeFirewallRulesTemplate", {})
    assert data["TotalCount"] == 10
    assert data["FirewallRuleSet"][0]["AppType"] == "Windows登录(3389)"


# -- templates ------------------------------------------------------------------------------


async def _template(api: Any, rules: list[dict[str, Any]] | None = None, name: str = "web") -> str:
    body: dict[str, Any] = {"TemplateName": name}
    if rules is not None:
        body["TemplateRules"] = rules
    data = await api.ok("CreateFirewallTemplate", body, region=None)
    template_id: str = data["TemplateId"]
    return template_id


async def test_template_crud_and_rules(api: Any) -> None:
    tid = await _template(api, [WEB])
    listed = await api.ok(
        "DescribeFirewallTemplates",
        {"Filters": [{"Name": "template-name", "Values": ["web"]}]},
        region=None,
    )
    assert [t["TemplateId"] for t in listed["TemplateSet"]] == [tid]
    assert listed["TemplateSet"][0]["TemplateType"] == "PRIVATE"
    await api.ok("ModifyFirewallTemplate", {"TemplateId": tid, "TemplateName": "edge"}, region=None)
    by_id = await api.ok("DescribeFirewallTemplates", {"TemplateIds": [tid]}, region=None)
    assert by_id["TemplateSet"][0]["TemplateName"] == "edge"
    created = await api.ok(
        "CreateFirewallTemplateRules",
        {"TemplateId": tid, "TemplateRules": [{"Protocol": "UDP", "Port": "53"}]},
        region=None,
    )
    [rule_id] = created["TemplateRuleIdSet"]
    assert rule_id.startswith("lhftr-")
    assert (
        await api.error(
            "CreateFirewallTemplateRules", {"TemplateId": tid, "TemplateRules": [WEB]}, region=None
        )
        == "InvalidParameterValue.DuplicatedFirewallTemplateRule"
    )
    await api.ok(
        "ReplaceFirewallTemplateRule",
        {
            "TemplateId": tid,
            "TemplateRuleId": rule_id,
            "TemplateRule": {"Protocol": "UDP", "Port": "123"},
        },
        region=None,
    )
    rules = await api.ok("DescribeFirewallTemplateRules", {"TemplateId": tid}, region=None)
    assert rules["TotalCount"] == 2
    assert {r["FirewallRuleInfo"]["Port"] for r in rules["TemplateRuleSet"]} == {"8080", "123"}
    quota = await api.ok("DescribeFirewallTemplateRuleQuota", {"TemplateId": tid}, region=None)
    assert quota["Total"] - quota["Available"] == 2
    await api.ok(
        "DeleteFirewallTemplateRules",
        {"TemplateId": tid, "TemplateRuleIds": [rule_id]},
        region=None,
    )
    assert (
        await api.error(
            "DeleteFirewallTemplateRules",
            {"TemplateId": tid, "TemplateRuleIds": [rule_id]},
            region=None,
        )
        == "ResourceNotFound.FirewallTemplateRuleNotFound"
    )
    reset = await api.ok(
        "ResetFirewallTemplateRules",
        {
            "TemplateId": tid,
            "TemplateRules": [
                {"Protocol": "TCP", "Port": "22"},
                {"Protocol": "TCP", "Port": "443"},
            ],
        },
        region=None,
    )
    assert len(reset["TemplateRuleIdSet"]) == 2
    used = await api.ok("DescribeFirewallTemplateQuota", {}, region=None)
    assert used["Total"] - used["Available"] == 1
    await api.ok("DeleteFirewallTemplate", {"TemplateId": tid}, region=None)
    assert (
        await api.error("DescribeFirewallTemplateRules", {"TemplateId": tid}, region=None)
        == "ResourceNotFound.FirewallTemplateNotFound"
    )
    # Template actions document no *Malformed code; the answer is InvalidParameterValue[.Length].
    malformed = await api.error("DeleteFirewallTemplate", {"TemplateId": "lhft-x"}, region=None)
    assert malformed in ("InvalidParameterValue", "InvalidParameterValue.Length")


async def test_apply_template_to_instances_across_regions(compute: Compute, api: Any) -> None:
    here = await compute.create()
    there = await compute.create(region="ap-shanghai")
    tid = await _template(api, [WEB, {"Protocol": "TCP", "Port": "22"}])
    empty = await _template(api, name="empty")
    assert (
        await api.error(
            "ApplyFirewallTemplate",
            {
                "TemplateId": empty,
                "ApplyInstances": [{"InstanceId": here, "Region": "ap-guangzhou"}],
            },
            region=None,
        )
        == "ResourceUnavailable.CannotApplyEmptyFirewallTemplate"
    )
    task = await api.ok(
        "ApplyFirewallTemplate",
        {
            "TemplateId": tid,
            "ApplyInstances": [
                {"InstanceId": here, "Region": "ap-guangzhou"},
                {"InstanceId": there, "Region": "ap-shanghai"},
                {"InstanceId": "lhins-zzzzzzzz", "Region": "ap-guangzhou"},
            ],
        },
        region=None,
    )
    assert task["TaskId"].startswith("lgtk-")
    assert (
        await api.error(
            "ApplyFirewallTemplate",
            {"TemplateId": tid, "ApplyInstances": [{"InstanceId": here, "Region": "ap-guangzhou"}]},
            region=None,
        )
        == "ResourceUnavailable.FirewallTemplateInUse"
    )
    records = await api.ok("DescribeFirewallTemplateApplyRecords", {"TemplateId": tid}, region=None)
    [record] = records["ApplyRecordSet"]
    assert (record["ApplyState"], record["RunningCount"], record["FailedCount"]) == (
        "RUNNING",
        2,
        1,
    )
    failed = [d for d in record["ApplyDetailSet"] if d["ApplyState"] == "FAILED"]
    assert failed[0]["Instance"]["InstanceId"] == "lhins-zzzzzzzz"
    assert "does not exist" in failed[0]["ErrorMessage"]
    compute.settle()
    records = await api.ok(
        "DescribeFirewallTemplateApplyRecords",
        {"TemplateId": tid, "TaskIds": [task["TaskId"]]},
        region=None,
    )
    [record] = records["ApplyRecordSet"]
    assert (record["ApplyState"], record["SuccessCount"], record["FailedCount"]) == (
        "SUCCESS",
        2,
        1,
    )
    assert {r["FirewallRule"]["Port"] for r in record["TemplateRuleSet"]} == {"8080", "22"}
    for iid, region in ((here, "ap-guangzhou"), (there, "ap-shanghai")):
        data = await api.ok("DescribeFirewallRules", {"InstanceId": iid}, region=region)
        assert {r["Port"] for r in data["FirewallRuleSet"]} == {"8080", "22"}
        assert data["FirewallVersion"] == 2


async def test_create_instance_with_a_template(compute: Compute, api: Any) -> None:
    tid = await _template(api, [WEB])
    iid = await compute.create(FirewallTemplateId=tid)
    data = await _rules(api, iid)
    assert [r["Port"] for r in data["FirewallRuleSet"]] == ["8080"]
