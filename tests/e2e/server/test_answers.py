"""Answers a model can afford (issue 15), through the official MCP client against the
sandbox: ``fields``, concise text, whole lists with ``_truncated``, the region named,
intent search and did-you-mean, error hints per code, validation closer to the API,
follow-ups."""

from __future__ import annotations

import copy
import json
from contextlib import AbstractAsyncContextManager
from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.server.app import Feature
from lighthouse_mcp.tools import waits
from lighthouse_mcp.tools.fields import iter_leaves
from tests.e2e.server import tool_results
from tests.e2e.server.tool_results import data, text

pytestmark = pytest.mark.anyio

REGION = "ap-guangzhou"
FEATURES = (Feature.PAGING, Feature.WAITS)


def connect(sb: Sandbox, **settings: Any) -> AbstractAsyncContextManager[Client]:
    return tool_results.connect(sb, FEATURES, **settings)


def error(result: types.CallToolResult) -> dict[str, Any]:
    assert result.is_error and isinstance(result.structured_content, dict), text(result)
    found: dict[str, Any] = result.structured_content["Error"]
    return found


def sent(sb: Sandbox, action: str) -> list[dict[str, Any]]:
    return [dict(r.params or {}) for r in sb.requests if r.action == action]


async def add_instances(client: Client, sb: Sandbox, count: int) -> None:
    """Clone a seeded instance ``count`` times straight into the sandbox's state (the
    API's quotas would refuse that many through CreateInstances)."""
    data(await client.call_tool("DescribeInstances", {}))  # the region's seed is made
    table = sb.backend.world(DEFAULT_SECRET_ID).region(REGION).table("instances")
    template = next(iter(table.values()))
    for i in range(count):
        iid = f"lhins-an{i:06d}"
        table[iid] = {**copy.deepcopy(template), "InstanceId": iid, "InstanceName": f"bulk-{i}"}


# -- fields ---------------------------------------------------------------------------------


async def test_fields_is_offered_where_records_come_back() -> None:
    async with connect(Sandbox(delay=0)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert "fields" in tools["DescribeInstances"].input_schema["properties"]
    assert "fields" in tools["InquirePriceRenewInstances"].input_schema["properties"]
    assert "fields" not in tools["StartInstances"].input_schema["properties"]  # no records


async def test_fields_keeps_only_the_named_members_in_data_and_text() -> None:
    async with connect(Sandbox(delay=0)) as client:
        result = await client.call_tool(
            "DescribeInstances",
            {"fields": ["InstanceSet.InstanceId", "InstanceSet.InstanceState", "TotalCount"]},
        )
    got = data(result)
    assert set(got) == {"InstanceSet", "TotalCount", "RequestId", "_region"}
    assert all(set(i) == {"InstanceId", "InstanceState"} for i in got["InstanceSet"])
    assert "PublicAddresses" not in text(result) and "lhins-demo0001" in text(result)


async def test_a_misspelt_field_is_refused_with_did_you_mean_and_nothing_sent() -> None:
    sb = Sandbox(delay=0)
    async with connect(sb) as client:
        result = await client.call_tool(
            "DescribeInstances", {"fields": ["TotalCount", "InstanceSet.InstanceID"]}
        )
    problems = error(result)["Problems"]
    assert [p["Field"] for p in problems] == ["fields[1]"]
    assert 'Did you mean "InstanceSet.InstanceId"?' in problems[0]["Message"]
    assert sent(sb, "DescribeInstances") == []


async def test_all_pages_caps_count_after_fields() -> None:
    """Whole records stop at the size cap with the marker; the same list with a few
    fields comes back whole, in one call."""
    sb = Sandbox(delay=0)
    async with connect(sb) as client:
        await add_instances(client, sb, 398)
        whole = data(await client.call_tool("DescribeInstances", {"all_pages": True}))
        slim = data(
            await client.call_tool(
                "DescribeInstances",
                {
                    "all_pages": True,
                    "fields": ["InstanceSet.InstanceId", "InstanceSet.PublicAddresses"],
                },
            )
        )
    assert whole["_truncated"]["reason"] == "max_chars" and whole["_truncated"]["total"] == 400
    kept = len(whole["InstanceSet"])
    assert whole["_truncated"]["next"] == {"Offset": kept, "Limit": 100}
    assert len(slim["InstanceSet"]) == 400 and "_truncated" not in slim
    assert len({i["InstanceId"] for i in slim["InstanceSet"]}) == 400
    assert slim["Paging"]["Pages"] == 4


# -- concise text, prices, region -------------------------------------------------------------


async def test_text_leads_with_headline_and_region_and_keeps_every_value() -> None:
    async with connect(Sandbox(delay=0)) as client:
        result = await client.call_tool("DescribeInstances", {})
    got, shown = data(result), text(result)
    first = shown.splitlines()[0]
    assert first.startswith(f"DescribeInstances succeeded in {REGION}: 2 instances: ")
    assert "1 RUNNING" in first and "1 STOPPED" in first
    assert got["_region"] == REGION
    for path, value in iter_leaves({k: v for k, v in got.items() if k != "RequestId"}):
        if value not in (None, ""):
            assert (value if isinstance(value, str) else json.dumps(value)) in shown, path
    assert '"LoginSettings"' not in shown and shown.count("Empty members") == 1


async def test_price_quote_is_concise_unless_fields_asks_for_the_tables() -> None:
    async with connect(Sandbox(delay=0)) as client:
        ids = [
            i["InstanceId"]
            for i in data(await client.call_tool("DescribeInstances", {}))["InstanceSet"]
        ]
        args = {"InstanceIds": ids, "InstanceChargePrepaid": {"Period": 1}}
        quote = await client.call_tool("InquirePriceRenewInstances", args)
        detail = await client.call_tool(
            "InquirePriceRenewInstances",
            {**args, "fields": ["InstancePriceDetailSet.DiscountDetail"]},
        )
    assert "DiscountDetail" not in json.dumps(data(quote))
    first = text(quote).splitlines()[0]
    assert "total 110.00 CNY" in first and "discounted 110.00 CNY" in first
    assert "Left out: DiscountDetail" in text(quote)
    rows = data(detail)["InstancePriceDetailSet"]
    assert rows and all(r["DiscountDetail"] for r in rows)
    assert "Left out" not in text(detail)


async def test_region_default_is_advertised_and_named_in_every_result() -> None:
    sb = Sandbox(delay=0)
    async with connect(sb) as builtin, connect(sb, region="ap-beijing") as flagged:
        tools = {t.name: t for t in (await builtin.list_tools()).tools}
        flagged_tools = {t.name: t for t in (await flagged.list_tools()).tools}
        note = builtin.instructions or ""
        flagged_note = flagged.instructions or ""
        listed = await flagged.call_tool("DescribeInstances", {})
        other = await flagged.call_tool("DescribeInstances", {"Region": "ap-shanghai"})
    assert tools["DescribeInstances"].input_schema["properties"]["Region"]["default"] == REGION
    assert f"Default Region: {REGION} (built-in default" in note
    region = flagged_tools["DescribeInstances"].input_schema["properties"]["Region"]
    assert region["default"] == "ap-beijing"
    assert "Default Region: ap-beijing (the server's --region)" in flagged_note
    assert text(listed).startswith("DescribeInstances succeeded in ap-beijing")
    assert data(listed)["_region"] == "ap-beijing" and data(other)["_region"] == "ap-shanghai"


# -- whole lists and cut results ---------------------------------------------------------------


async def test_a_result_cut_to_size_carries_the_marker() -> None:
    sb = Sandbox(delay=0)
    async with connect(sb) as client:
        await add_instances(client, sb, 148)
        page = data(await client.call_tool("DescribeInstances", {"Limit": 100, "Offset": 10}))
        over = await client.call_tool("DescribeInstances", {"Limit": 101})
    marker = page["_truncated"]
    kept = len(page["InstanceSet"])
    assert marker["reason"] == "result_size" and marker["returned"] == kept < 100
    assert marker["next"] == {"Offset": 10 + kept, "Limit": 100} and marker["total"] == 150
    # A Limit above the documented maximum is refused, never lowered silently.
    assert [p["Field"] for p in error(over)["Problems"]] == ["Limit"]
    assert "100" in error(over)["Problems"][0]["Expected"]


# -- intent search and did-you-mean -----------------------------------------------------------


async def test_compact_search_finds_actions_by_intent_in_english_and_chinese() -> None:
    async with connect(Sandbox(delay=0), compact=True) as client:

        async def top3(query: str) -> list[str]:
            found = data(await client.call_tool("search_actions", {"query": query, "limit": 3}))
            return [a["name"] for a in found["actions"]]

        assert {"TerminateInstances", "IsolateInstances"} & set(await top3("delete server"))
        assert "CreateFirewallRules" in await top3("open port")
        assert "CreateFirewallRules" in await top3("开放端口")
        assert "ModifyInstancesBundle" in await top3("upgrade")
        assert any(n.startswith("InquirePrice") for n in await top3("cost"))


async def test_misspelt_action_names_get_did_you_mean_everywhere() -> None:
    async with connect(Sandbox(delay=0), compact=True) as client:
        called = await client.call_tool(
            "call_action", {"action": "DescribeInstance", "arguments": {}}
        )
        described = await client.call_tool("describe_action", {"action": "describeinstances"})
    assert "Did you mean DescribeInstances" in text(called)
    assert "Did you mean DescribeInstances" in text(described)
    async with connect(Sandbox(delay=0)) as client:
        direct = await client.call_tool("StartInstance", {})
    assert direct.is_error and "Did you mean StartInstances" in text(direct)


# -- error hints --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "arguments", "code", "first_step"),
    [
        (
            "TerminateInstances",
            {"InstanceIds": ["lhins-demo0001"]},
            "UnsupportedOperation.InvalidInstanceState",
            "IsolateInstances",
        ),
        (
            "ResizeDisks",
            {"DiskIds": ["lhdisk-demo0001"], "DiskSize": 100},
            "OperationDenied.DiskUsageNotSupportOperation",
            "DescribeModifyInstanceBundles",
        ),
        (
            "CreateFirewallRules",
            {
                "InstanceId": "lhins-demo0001",
                "FirewallRules": [{"Protocol": "TCP", "Port": "8080"}],
                "FirewallVersion": 999,
            },
            "UnsupportedOperation.FirewallVersionMismatch",
            "DescribeFirewallRules",
        ),
    ],
)
async def test_error_hint_names_the_fix_not_wait_and_retry(
    action: str, arguments: dict[str, Any], code: str, first_step: str
) -> None:
    async with connect(Sandbox(delay=0)) as client:
        result = await client.call_tool(action, arguments)
    err = error(result)
    assert err["Code"] == code
    assert first_step in err["Hint"] and "settled" not in text(result)
    assert err["NextActions"][0] == first_step


# -- validation closer to the API ---------------------------------------------------------------


async def test_documented_rules_are_checked_before_sending() -> None:
    sb = Sandbox(delay=0)
    async with connect(sb) as client:
        key = await client.call_tool("CreateKeyPair", {"KeyName": "my key!"})
        weak = await client.call_tool(
            "ResetInstancesPassword", {"InstanceIds": ["lhins-demo0001"], "Password": "abc12345"}
        )
        wrong_kind = await client.call_tool("StartInstances", {"InstanceIds": ["lhdisk-demo0001"]})
        period = await client.call_tool(
            "RenewInstances",
            {"InstanceIds": ["lhins-demo0001"], "InstanceChargePrepaid": {"Period": 13}},
        )
        integral = await client.call_tool("DescribeInstances", {"Limit": 10.0})
    assert [p["Field"] for p in error(key)["Problems"]] == ["KeyName"]
    assert [p["Field"] for p in error(weak)["Problems"]] == ["Password"]
    assert "abc12345" not in text(weak)  # the password is never echoed
    assert [p["Field"] for p in error(wrong_kind)["Problems"]] == ["InstanceIds[0]"]
    for action in ("CreateKeyPair", "ResetInstancesPassword", "StartInstances", "RenewInstances"):
        assert sent(sb, action) == []
    line = text(period).splitlines()[1]
    assert "24, 36, 48, 60" in line and line.count("24, 36") == 1
    assert not integral.is_error and sent(sb, "DescribeInstances")[-1]["Limit"] == 10
    assert isinstance(sent(sb, "DescribeInstances")[-1]["Limit"], int)


# -- follow-ups ---------------------------------------------------------------------------------


async def test_terminate_disks_names_its_wait() -> None:
    sb = Sandbox(delay=0)
    async with connect(sb) as client:
        created = data(
            await client.call_tool(
                "CreateDisks",
                {
                    "Zone": f"{REGION}-3",
                    "DiskSize": 20,
                    "DiskType": "CLOUD_PREMIUM",
                    "DiskChargePrepaid": {"Period": 1},
                },
            )
        )
        disk = created["DiskIdSet"][0]
        data(await client.call_tool("IsolateDisks", {"DiskIds": [disk]}))
        terminated = data(await client.call_tool("TerminateDisks", {"DiskIds": [disk]}))
    step = terminated["Next"]
    assert step["Tool"] == "wait_for"
    assert step["Arguments"]["resource"] == "disk" and step["Arguments"]["ids"] == [disk]
    assert step["Arguments"]["target_state"] == "GONE"


async def test_wait_for_an_id_that_does_not_exist_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(waits, "NOT_SEEN_GRACE_SECONDS", 0.5)
    monkeypatch.setattr(waits, "FIRST_POLL_SECONDS", 0.2)
    async with connect(Sandbox(delay=0)) as client:
        result = await client.call_tool(
            "wait_for",
            {
                "resource": "instance",
                "ids": ["lhins-nothere1"],
                "target_state": "RUNNING",
                "timeout_seconds": 30,
            },
        )
    err = error(result)
    assert err["Code"] == "ResourceNotFound" and err["NotFound"] == ["lhins-nothere1"]
    assert "Check the ID and the Region" in text(result)
