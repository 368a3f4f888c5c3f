"""Search by intent over the real catalog: the golden set of phrasings (English and
Chinese) must find one of its actions in the top three at least 95% of the time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.intent import (
    did_you_mean,
    expand,
    search,
    stem,
    suggest_actions,
    synonym_groups,
    tokens,
)

GOLDEN = json.loads((Path(__file__).parent / "intent_golden.json").read_text("utf-8"))["cases"]
TARGET = 0.95


def test_golden_set_is_big_enough_and_names_real_actions() -> None:
    assert len(GOLDEN) >= 40
    chinese = [q for q, _ in GOLDEN if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(chinese) >= 10
    known = set(catalog.action_names())
    for query, wanted in GOLDEN:
        assert wanted and set(wanted) <= known, query


def test_golden_hit_rate_in_top_three(capsys: pytest.CaptureFixture[str]) -> None:
    misses = []
    for query, wanted in GOLDEN:
        top = [m.action for m in search(query, limit=3)]
        if not set(top) & set(wanted):
            misses.append(f"{query!r}: got {top}, wanted one of {wanted}")
    rate = 1 - len(misses) / len(GOLDEN)
    with capsys.disabled():
        print(
            f"\nintent search: {len(GOLDEN) - len(misses)}/{len(GOLDEN)} golden phrasings "
            f"have an expected action in the top 3 ({rate:.1%})"
        )
    assert rate >= TARGET, "\n".join(misses)


@pytest.mark.parametrize(
    ("query", "action"),
    [
        ("delete server", "TerminateInstances"),
        ("open port", "CreateFirewallRules"),
        ("upgrade", "ModifyInstancesBundle"),
        ("删除服务器", "TerminateInstances"),
    ],
)
def test_issue_examples_rank_in_top_three(query: str, action: str) -> None:
    assert action in [m.action for m in search(query, limit=3)]


def test_cost_finds_price_actions() -> None:
    top = [m.action for m in search("cost", limit=5)]
    assert any(a.startswith("InquirePrice") for a in top[:3]), top


def test_exact_name_ranks_first_and_pool_is_respected() -> None:
    assert search("please run describeinstances")[0].action == "DescribeInstances"
    pool = ["DescribeInstances", "RebootInstances"]
    assert {m.action for m in search("delete server", pool)} <= set(pool)
    assert search("", pool) == []


def test_tokens_and_stems() -> None:
    assert stem("instances") == "instance" and stem("listing") == "list"
    assert stem("policies") == "policy" and stem("status") == "status"
    assert tokens("DescribeInstances") == ["describe", "instance"]
    assert tokens("删除服务器") == ["删除", "除服", "服务", "务器"]


def test_synonyms_form_concepts() -> None:
    concepts = expand("delete server")
    delete = next(c for c in concepts if "delete" in c)
    assert delete["delete"] == 1.0 and delete["terminate"] < 1.0 and "销毁" in delete
    assert any("instance" in c for c in concepts)
    assert all(isinstance(term, str) for group in synonym_groups() for term in group)


def test_did_you_mean_for_action_names() -> None:
    assert suggest_actions("describeinstances") == ["DescribeInstances"]
    assert suggest_actions("DescribeInstance")[0] == "DescribeInstances"
    assert "TerminateInstances" in suggest_actions("TerminateInstance")
    assert "DescribeFirewallRules" in suggest_actions("DescribeFirewall")
    text = did_you_mean("RebootInstance")
    assert text.startswith("Unknown action 'RebootInstance'. Did you mean RebootInstances")
