"""Fixtures for the tools layer: a small hand-made catalog + overlay (TypedDict contract).

It pins the semantics of the tools layer independently of the generated data: each
feature (arrays, nested structures, filters, templated filter names, constraints,
shared and recursive structures, formats, async notes, secrets) appears at least once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Catalog, Overlay, Param
from lighthouse_mcp.tools import schema, validate


def p(
    name: str,
    type_: str = "String",
    *,
    array: bool = False,
    required: bool | None = False,
    description: str = "",
    **extra: Any,
) -> Param:
    param: dict[str, Any] = {
        "name": name,
        "type": type_,
        "array": array,
        "required": required,
        "description": description or f"{name}的说明。更多细节。",
    }
    param.update(extra)
    return param  # type: ignore[return-value]


ASYNC_NOTE = (
    "本接口为异步接口，请求发送成功后会返回一个 RequestId，"
    "此时操作并未立即完成。实例操作结果可以通过调用 DescribeInstances "
    "接口查询，如果实例的最新操作状态（LatestOperationState）"
    "为“SUCCESS”，则代表操作成功。"
)


def _action(
    name: str,
    group_id: str,
    title_zh: str,
    inputs: list[Param],
    outputs: list[Param] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    act: dict[str, Any] = {
        "name": name,
        "group": "实例",
        "group_id": group_id,
        "title_zh": title_zh,
        "description": f"本接口（{name}）用于{title_zh}。第二句说明细节。",
        "rate_limit": 10,
        "asynchronous": False,
        "inputs": inputs,
        "outputs": [*(outputs or []), p("RequestId", required=None)],
        "constraints": [],
        "errors": [],
        "examples": [],
    }
    act.update(extra)
    return act


def build_catalog() -> Catalog:
    actions = {
        "DescribeInstances": _action(
            "DescribeInstances",
            "instance",
            "查看实例列表",
            [
                p(
                    "InstanceIds",
                    array=True,
                    max_items=100,
                    description="实例ID列表。每次请求上限为100。",
                ),
                p("Filters", "Filter", array=True),
                p("Offset", "Integer", default=0, minimum=0),
                p("Limit", "Integer", default=20, minimum=1, maximum=100),
                p("OrderField", enum=["EXPIRED_TIME"]),
                p("Order", enum=["ASC", "DESC"]),
            ],
            [
                p("TotalCount", "Integer", required=None),
                p("InstanceSet", "Instance", array=True, required=None),
            ],
            filters={
                "param": "Filters",
                "max_filters": 10,
                "max_values": 100,
                "filters": [
                    {
                        "name": "instance-name",
                        "type": "String",
                        "required": False,
                        "description": "按照【实例名称】进行过滤。",
                    },
                    {
                        "name": "instance-state",
                        "type": "String",
                        "required": False,
                        "description": "按照【实例状态】进行过滤。",
                        "enum": ["RUNNING", "STOPPED"],
                    },
                    {
                        "name": "tag:tag-key",
                        "type": "String",
                        "required": False,
                        "description": "按照【标签键值对】进行过滤。",
                    },
                ],
            },
            constraints=[
                {
                    "kind": "mutually_exclusive",
                    "params": ["InstanceIds", "Filters"],
                    "text": "参数不支持同时指定 InstanceIds 和 Filters。",
                },
                {
                    "kind": "requires",
                    "params": ["Order", "OrderField"],
                    "text": "当传入该字段时，必须指定OrderField。",
                },
            ],
        ),
        "ResetInstance": _action(
            "ResetInstance",
            "instance",
            "重装实例",
            [
                p("InstanceId", required=True),
                p("BlueprintId"),
                p("LoginConfiguration", "LoginConfiguration"),
                p("Envs", "ContainerEnv", array=True),
            ],
            asynchronous=True,
            async_note=ASYNC_NOTE,
        ),
        "DescribeFirewallTemplates": _action(
            "DescribeFirewallTemplates",
            "firewall",
            "查询防火墙模板列表",
            [p("Limit", "Integer")],
            region_required=False,
        ),
        "CreateFirewallRules": _action(
            "CreateFirewallRules",
            "firewall",
            "添加防火墙规则",
            [
                p("InstanceId", required=True),
                p("FirewallRules", "FirewallRule", array=True, required=True, min_items=1),
                p("FirewallVersion", "Integer"),
            ],
        ),
        "TagResources": _action(
            "TagResources",
            "instance",
            "编辑标签",
            [
                p("AddTags", "Tag", array=True),
                p("RemoveTags", "Tag", array=True),
                p("Tree", "TreeNode"),
            ],
            [
                p("Applied", "Tag", array=True, required=None, nullable=True),
                p("Removed", "Tag", array=True, required=None),
            ],
        ),
        "DescribeTraffic": _action(
            "DescribeTraffic",
            "instance",
            "查询流量",
            [
                p("StartTime", "Timestamp ISO8601", required=True),
                p("Day", "Date"),
                p("Ratio", "Float", minimum=0, maximum=1.5),
                p("Enabled", "Boolean"),
                p("Since", "Timestamp"),
            ],
            [
                p("Usage", "Double", required=None, nullable=True),
                p("Owner", "LoginSettings", required=None, nullable=True),
            ],
        ),
    }
    structures = {
        "Filter": {
            "name": "Filter",
            "description": "过滤器",
            "referenced_by": [],
            "members": [
                p("Name", required=True, description="需要过滤的字段。"),
                p("Values", array=True, required=True, description="字段的过滤值。"),
            ],
        },
        "LoginConfiguration": {
            "name": "LoginConfiguration",
            "description": "登录配置",
            "referenced_by": [],
            "members": [
                p(
                    "AutoGeneratePassword",
                    required=True,
                    enum=["YES", "NO"],
                    description="是否自动生成密码。",
                ),
                p("Password", max_length=30, description="实例登录密码。"),
                p("KeyIds", array=True, description="密钥ID列表。"),
            ],
        },
        "FirewallRule": {
            "name": "FirewallRule",
            "description": "防火墙规则",
            "referenced_by": [],
            "members": [
                p(
                    "Protocol",
                    required=True,
                    enum=["TCP", "UDP", "ICMP", "ALL"],
                    description="协议，取值: TCP，UDP，ICMP，ALL。",
                ),
                p("Port", description="端口，取值: ALL，单独的端口，逗号分隔的离散端口。"),
                p("CidrBlock"),
                p("Ipv6CidrBlock"),
                p("Action", enum=["ACCEPT", "DROP"]),
                p("FirewallRuleDescription", max_length=64),
            ],
            "constraints": [
                {
                    "kind": "mutually_exclusive",
                    "params": ["CidrBlock", "Ipv6CidrBlock"],
                    "text": "和Ipv6CidrBlock互斥。",
                }
            ],
        },
        "Tag": {
            "name": "Tag",
            "description": "标签",
            "referenced_by": [],
            "members": [
                p("Key", required=True),
                p("Value", required=True),
            ],
        },
        "ContainerEnv": {
            "name": "ContainerEnv",
            "description": "环境变量",
            "referenced_by": [],
            "members": [p("Key", required=True), p("Value", required=True)],
        },
        "TreeNode": {
            "name": "TreeNode",
            "description": "树",
            "referenced_by": [],
            "members": [
                p("Label", required=True),
                p("Children", "TreeNode", array=True),
            ],
        },
        "Instance": {
            "name": "Instance",
            "description": "实例",
            "referenced_by": [],
            "members": [
                p("InstanceId", required=None),
                p("CPU", "Integer", required=None),
                p("LoginSettings", "LoginSettings", required=None, nullable=True),
                p("Tags", "Tag", array=True, required=None),
                p("CreatedTime", "Timestamp ISO8601", required=None, nullable=True),
            ],
        },
        "LoginSettings": {
            "name": "LoginSettings",
            "description": "登录设置",
            "referenced_by": [],
            "members": [p("KeyIds", array=True, required=None, nullable=True)],
        },
    }
    data: dict[str, Any] = {
        "service": "lighthouse",
        "version": "2020-03-24",
        "source_sha256": "0" * 64,
        "endpoints": {
            "default": "lighthouse.tencentcloudapi.com",
            "regional": "lighthouse.{region}.tencentcloudapi.com",
            "financial": {},
        },
        "regions": [
            {"region": r, "name": r, "financial": False}
            for r in ("ap-guangzhou", "ap-shanghai", "ap-singapore")
        ],
        "groups": [
            {
                "id": "instance",
                "name": "实例",
                "actions": [
                    "DescribeInstances",
                    "ResetInstance",
                    "TagResources",
                    "DescribeTraffic",
                ],
            },
            {
                "id": "firewall",
                "name": "防火墙",
                "actions": ["CreateFirewallRules", "DescribeFirewallTemplates"],
            },
        ],
        "common_params": [],
        "common_errors": [],
        "business_errors": [],
        "actions": dict(sorted(actions.items())),
        "structures": dict(sorted(structures.items())),
    }
    return data  # type: ignore[return-value]


def build_overlay() -> Overlay:
    def a(
        title: str, description: str, safety: str, params: dict[str, str], **extra: Any
    ) -> dict[str, Any]:
        return {
            "title": title,
            "description": description,
            "safety": safety,
            "reason": "because",
            "params": params,
            **extra,
        }

    data: dict[str, Any] = {
        "actions": {
            "DescribeInstances": a(
                "List instances",
                "List Lighthouse instances.",
                "read",
                {"InstanceIds": "Instance IDs.", "Filters": "", "Limit": "Page size."},
            ),
            "ResetInstance": a(
                "Reinstall instance",
                "Reinstall an instance's OS; wipes the system disk.",
                "destructive",
                {"InstanceId": "Instance ID.", "LoginConfiguration": "Login."},
            ),
            "CreateFirewallRules": a(
                "Add firewall rules",
                "Add rules to a firewall.",
                "write",
                {"FirewallRules": "Rules to add."},
                idempotent=True,
            ),
            "TagResources": a("Tag", "Edit tags.", "billing", {}),
            "DescribeTraffic": a("Traffic", "Query traffic. Async-free.", "read", {}),
            "DescribeFirewallTemplates": a("List firewall templates", "Global.", "read", {}),
        },
        "structures": {
            "FirewallRule": {"Protocol": "TCP, UDP, ICMP or ALL.", "Port": ""},
            "LoginConfiguration": {"Password": "Login password."},
        },
        "groups": {"instance": "Instances", "firewall": "Firewalls"},
    }
    return data  # type: ignore[return-value]


def _clear() -> None:
    schema.clear_caches()
    validate.clear_caches()


@pytest.fixture
def fake_catalog(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Serve the fixture catalog and overlay through the real catalog accessors."""
    cat, ov = build_catalog(), build_overlay()
    monkeypatch.setattr(catalog, "load_catalog", lambda service=catalog.SERVICE: cat)
    monkeypatch.setattr(catalog, "load_overlay", lambda service=catalog.SERVICE: ov)
    _clear()
    yield
    _clear()
