"""input_schema/output_schema semantics, pinned on the hand-made fixture catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from lighthouse_mcp.tools import schema

pytestmark = pytest.mark.usefixtures("fake_catalog")
ACTIONS = [
    "CreateFirewallRules",
    "DescribeFirewallTemplates",
    "DescribeInstances",
    "DescribeTraffic",
    "ResetInstance",
    "TagResources",
]


def objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every sub-schema that describes an object."""
    if isinstance(node, dict):
        if node.get("type") == "object" or node.get("type") == ["object", "null"]:
            yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


def test_documented_params_with_types_bounds_enums_defaults() -> None:
    s = schema.input_schema("DescribeInstances")
    props = s["properties"]
    assert list(props) == [
        "InstanceIds",
        "Filters",
        "Offset",
        "Limit",
        "OrderField",
        "Order",
        "Region",
    ]
    assert props["InstanceIds"] == {
        "type": "array",
        "items": {"type": "string"},
        "maxItems": 100,
        "description": "Instance IDs.",
    }
    assert props["Limit"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "description": "Page size.",
        "default": 20,
    }
    assert props["Order"]["enum"] == ["ASC", "DESC"]
    assert "required" not in s
    assert s["additionalProperties"] is False


def test_filters_are_narrowed_to_documented_names_and_limits() -> None:
    filters = schema.input_schema("DescribeInstances")["properties"]["Filters"]
    assert filters["maxItems"] == 10
    item = filters["items"]
    assert item["required"] == ["Name", "Values"]
    assert item["properties"]["Name"] == {
        "type": "string",
        "anyOf": [{"enum": ["instance-name", "instance-state"]}, {"pattern": "^tag:.+$"}],
    }
    assert item["properties"]["Values"]["maxItems"] == 100
    assert "description" not in filters  # the overlay's text is empty: skipped


def test_scalar_types_and_formats() -> None:
    props = schema.input_schema("DescribeTraffic")["properties"]
    assert props["StartTime"] == {"type": "string", "format": "date-time"}
    assert props["Day"] == {"type": "string", "format": "date"}
    assert props["Ratio"] == {"type": "number", "minimum": 0, "maximum": 1.5}
    assert props["Enabled"] == {"type": "boolean"}
    assert props["Since"] == {"type": "string"}  # plain Timestamp is not RFC 3339


def test_nested_structures_are_closed_with_required_members() -> None:
    s = schema.input_schema("CreateFirewallRules")
    rules = s["properties"]["FirewallRules"]
    assert rules["minItems"] == 1
    assert rules["items"]["required"] == ["Protocol"]
    assert rules["items"]["properties"]["FirewallRuleDescription"]["maxLength"] == 64
    assert s["required"] == ["InstanceId", "FirewallRules"]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_input_object_is_closed(action: str) -> None:
    for obj in objects(schema.input_schema(action)):
        assert obj["additionalProperties"] is False


def test_shared_and_recursive_structures_use_defs() -> None:
    s = schema.input_schema("TagResources")
    assert s["properties"]["AddTags"]["items"] == {"$ref": "#/$defs/Tag"}
    assert s["properties"]["RemoveTags"]["items"] == {"$ref": "#/$defs/Tag"}
    assert s["properties"]["Tree"] == {"$ref": "#/$defs/TreeNode"}
    assert s["$defs"]["TreeNode"]["properties"]["Children"]["items"] == {"$ref": "#/$defs/TreeNode"}
    # A structure used once is inlined: no $defs at all.
    assert "$defs" not in schema.input_schema("ResetInstance")


def test_region_enum_and_configured_default() -> None:
    assert schema.input_schema("ResetInstance")["properties"]["Region"] == {"type": "string"}
    listed = schema.input_schema("ResetInstance", region_enum=True)["properties"]["Region"]
    assert listed == {
        "type": "string",
        "anyOf": [
            {"enum": ["ap-guangzhou", "ap-shanghai", "ap-singapore"]},
            {"pattern": schema.REGION_PATTERN},
        ],
    }
    assert schema.validation_schema("ResetInstance")["properties"]["Region"] == listed
    configured = schema.input_schema("ResetInstance", default_region="ap-shanghai")
    assert configured["properties"]["Region"]["default"] == "ap-shanghai"
    assert "Region" not in configured.get("required", [])


def test_global_actions_offer_no_region_but_accept_one() -> None:
    from lighthouse_mcp.tools.validate import validate

    published = schema.input_schema("DescribeFirewallTemplates", default_region="ap-shanghai")
    assert list(published["properties"]) == ["Limit"]
    assert validate("DescribeFirewallTemplates", {"Region": "ap-shanghai"}) == []
    assert [p.path for p in validate("DescribeFirewallTemplates", {"Region": "x"})] == ["Region"]


def test_descriptions_english_overlay_or_first_chinese_sentence() -> None:
    en = schema.input_schema("ResetInstance")["properties"]
    assert en["InstanceId"]["description"] == "Instance ID."
    assert "description" not in en["BlueprintId"]  # no overlay text
    assert en["LoginConfiguration"]["properties"]["Password"]["description"] == "Login password."
    zh = schema.input_schema("ResetInstance", lang="zh")["properties"]
    assert zh["InstanceId"]["description"] == "InstanceId的说明"  # first sentence only
    assert zh["LoginConfiguration"]["properties"]["Password"]["description"] == "实例登录密码"


def test_returned_schema_is_a_copy() -> None:
    s = schema.input_schema("ResetInstance")
    s["properties"]["confirm_token"] = {"type": "string"}
    assert "confirm_token" not in schema.input_schema("ResetInstance")["properties"]


def test_output_schema_open_nullable_without_request_id() -> None:
    out = schema.output_schema("DescribeInstances")
    assert set(out["properties"]) == {"TotalCount", "InstanceSet"}
    instance = out["properties"]["InstanceSet"]["items"]
    assert "additionalProperties" not in instance and "required" not in instance
    assert instance["properties"]["LoginSettings"]["type"] == ["object", "null"]
    assert instance["properties"]["CreatedTime"] == {
        "type": ["string", "null"],
        "format": "date-time",
    }
    tagged = schema.output_schema("TagResources")
    assert tagged["properties"]["Applied"]["type"] == ["array", "null"]
    assert tagged["properties"]["Applied"]["items"] == {"$ref": "#/$defs/Tag"}


@pytest.mark.parametrize("action", ACTIONS)
def test_schemas_are_valid_json_schema(action: str) -> None:
    validator = jsonschema.Draft202012Validator
    validator.check_schema(schema.input_schema(action))
    validator.check_schema(schema.output_schema(action))


def test_unknown_type_is_reported_with_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from lighthouse_mcp import catalog

    catalog.action("ResetInstance")["inputs"][1]["type"] = "NoSuchThing"
    schema.clear_caches()
    with pytest.raises(schema.SchemaError, match=r"ResetInstance\.BlueprintId.*NoSuchThing"):
        schema.input_schema("ResetInstance")


def test_zh_descriptions_drop_what_keywords_already_say() -> None:
    def param(description: str, **extra: Any) -> Any:
        return {
            "name": "X",
            "type": "String",
            "array": False,
            "required": False,
            "description": description,
            **extra,
        }

    assert (
        schema.zh_description(
            param("返回数量，默认为 20，最大值为 100。更多。", default=20, maximum=100)
        )
        == "返回数量"
    )
    assert schema.zh_description(param("返回数量，默认为 20，最大值为 100。")) == (
        "返回数量，默认为 20，最大值为 100"
    )  # nothing in the schema says it: kept
    assert schema.zh_description(param("协议，取值：TCP，UDP。", enum=["TCP", "UDP"])) == "协议"
    assert (
        schema.zh_description(param("取值：ACCEPT（允许），DROP（拒绝）", enum=["ACCEPT", "DROP"]))
        == ""
    )
