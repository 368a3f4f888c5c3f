"""Descriptions, titles, safety annotations, token estimates and text shortening."""

from __future__ import annotations

import json

import pytest

from lighthouse_mcp.tools import descriptions, safety, tokens
from lighthouse_mcp.tools.text import first_sentence, first_sentences

fixture = pytest.mark.usefixtures("fake_catalog")


def test_first_sentence_cuts_at_chinese_and_english_ends() -> None:
    assert first_sentence("实例ID列表。每次请求上限为100。") == "实例ID列表"
    assert first_sentence("Page size. Max 100.") == "Page size"
    assert first_sentence("第一行\n第二行") == "第一行"
    assert first_sentence("长" * 100, limit=10) == "长" * 9 + "…"
    assert first_sentences("一。二。三。", 4) == "一。二。"
    # never cut inside an identifier
    assert first_sentence("调用DescribeDockerActivities查询", limit=12) == "调用…"
    assert first_sentence("Poll DescribeDockerActivities now", limit=12) == "Poll…"
    assert first_sentences("很长的第一句" * 20 + "。二。", 10).endswith("…")


@fixture
def test_titles_and_descriptions_in_both_languages() -> None:
    assert descriptions.tool_title("DescribeInstances") == "List instances"
    assert descriptions.tool_title("DescribeInstances", "zh") == "查看实例列表"
    assert descriptions.tool_description("DescribeInstances") == "List Lighthouse instances."
    zh = descriptions.tool_description("DescribeInstances", "zh")
    # the docs' "本接口（X）用于" formula is dropped; a body repeating the title replaces it
    assert zh == "查看实例列表。第二句说明细节。"


@fixture
def test_async_actions_end_with_a_poll_note() -> None:
    hint = descriptions.async_hint("ResetInstance")
    assert hint == descriptions.AsyncHint("DescribeInstances", "LatestOperationState", "SUCCESS")
    assert descriptions.tool_description("ResetInstance").endswith(
        "system disk. Async: poll DescribeInstances until LatestOperationState=SUCCESS."
    )
    assert descriptions.tool_description("ResetInstance", "zh").endswith(
        "异步接口：用 DescribeInstances 查询LatestOperationState为 SUCCESS。"
    )
    assert descriptions.async_note("DescribeInstances") == ""


@fixture
def test_async_hint_takes_the_target_state() -> None:
    from lighthouse_mcp import catalog

    act = catalog.action("ResetInstance")
    act["async_note"] = (
        "本接口为异步接口，可通过接口DescribeInstances来查询对应云硬盘的状态，"
        "如果云硬盘的状态由“ATTACHED”变为“UNATTACHED”，则为卸载成功。"
    )
    assert descriptions.async_hint("ResetInstance") == descriptions.AsyncHint(
        "DescribeInstances", None, "UNATTACHED"
    )
    assert descriptions.async_note("ResetInstance") == (
        "Async: poll DescribeInstances for the result."
    )


@fixture
def test_annotations_follow_the_safety_class() -> None:
    assert safety.annotations("DescribeInstances") == {
        "title": "List instances",
        "readOnlyHint": True,
        "openWorldHint": True,
    }
    assert safety.annotations("ResetInstance") == {
        "title": "Reinstall instance",
        "readOnlyHint": False,
        "destructiveHint": True,
        "idempotentHint": False,
        "openWorldHint": True,
    }
    # a non-destructive write says destructiveHint false explicitly
    assert safety.annotations("CreateFirewallRules")["destructiveHint"] is False
    assert safety.annotations("CreateFirewallRules")["idempotentHint"] is True
    assert safety.annotations("TagResources")["destructiveHint"] is False  # billing
    assert safety.annotations("ResetInstance", "zh")["title"] == "重装实例"


def test_annotations_are_accepted_by_the_mcp_model() -> None:
    import mcp_types

    model = mcp_types.ToolAnnotations.model_validate(
        {
            "title": "t",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": False,
            "openWorldHint": True,
        }
    )
    assert model.destructive_hint is True and model.read_only_hint is False


@fixture
def test_gating_and_selection() -> None:
    assert {"destructive", "billing"} == safety.GATED_BY_DEFAULT
    assert safety.is_gated("ResetInstance") and safety.is_gated("TagResources")
    assert not safety.is_gated("CreateFirewallRules")
    assert safety.is_gated("CreateFirewallRules", gated={"write"})
    assert safety.actions_by_class(["read"]) == [
        "DescribeFirewallTemplates",
        "DescribeInstances",
        "DescribeTraffic",
    ]
    assert safety.actions_in_groups(["firewall"]) == [
        "CreateFirewallRules",
        "DescribeFirewallTemplates",
    ]
    with pytest.raises(ValueError, match="unknown safety class"):
        safety.actions_by_class(["dangerous"])
    with pytest.raises(ValueError, match=r"unknown toolset.*known: instance, firewall"):
        safety.actions_in_groups(["nope"])
    assert not safety.returns_secret("DescribeInstances")


def test_estimate_tokens_rule() -> None:
    assert tokens.estimate_tokens("") == 0
    assert tokens.estimate_tokens("abcd") == 1
    assert tokens.estimate_tokens("abcde") == 2
    assert tokens.estimate_tokens("实例") == 2
    assert tokens.estimate_tokens("ab实例") == 3


def test_tool_tokens_over_compact_json_of_visible_fields() -> None:
    tool = {
        "name": "X",
        "description": "实例",
        "inputSchema": {"type": "object"},
        "outputSchema": {"type": "object", "properties": {"A": {"type": "string"}}},
        "annotations": {"title": "ignored"},
    }
    text = '{"name":"X","description":"实例","inputSchema":{"type":"object"}}'
    assert tokens.tool_text(tool) == text
    expected = tokens.estimate_tokens(text)
    assert tokens.tool_tokens(tool) == expected
    assert tokens.tool_list_tokens([tool, tool]) == 2 * expected

    import mcp_types

    model = mcp_types.Tool(name="X", description="实例", input_schema={"type": "object"})
    assert tokens.tool_tokens(model) == expected
    assert json.loads(tokens.tool_text(model))["inputSchema"] == {"type": "object"}
