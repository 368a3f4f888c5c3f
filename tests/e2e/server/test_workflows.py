"""The workflow features through the official MCP client (in-memory) against the sandbox:
wait_for with progress, timeouts and FAILED operations, cancellation, the Next hint on
asynchronous results, all_pages across pages and at the cap."""

from __future__ import annotations

import copy
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.server.app import Feature
from lighthouse_mcp.tools import waits
from tests.e2e.server import tool_results
from tests.e2e.server.tool_results import data, text

pytestmark = pytest.mark.anyio

REGION = "ap-guangzhou"
#: The workflow features without the confirmation gate (tested in tests/e2e/gate/), so
#: billing calls such as CreateInstances run here without a confirmation round.
FEATURES = (Feature.PAGING, Feature.WAITS, Feature.PROMPTS, Feature.RESOURCES)


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Poll every 0.2-0.4 s so a transition of a second shows several intermediate polls."""
    monkeypatch.setattr(waits, "FIRST_POLL_SECONDS", 0.2)
    monkeypatch.setattr(waits, "MAX_POLL_SECONDS", 0.4)


def connect(sb: Sandbox, **settings: Any) -> AbstractAsyncContextManager[Client]:
    return tool_results.connect(sb, FEATURES, region=REGION, **settings)


def record(sb: Sandbox, kind: str, rid: str) -> dict[str, Any]:
    """The sandbox's stored record (internal fields included): for fault hooks only."""
    table: dict[str, dict[str, Any]] = (
        sb.backend.world(DEFAULT_SECRET_ID).region(REGION).table(kind)
    )
    return table[rid]


async def instance_in(client: Client, state: str) -> str:
    listed = data(await client.call_tool("DescribeInstances", {}))
    return str(next(i["InstanceId"] for i in listed["InstanceSet"] if i["InstanceState"] == state))


class Progress:
    def __init__(self) -> None:
        self.events: list[tuple[float, float | None, str | None]] = []
        self.first = anyio.Event()

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.events.append((progress, total, message))
        self.first.set()


async def test_start_then_wait_until_running_with_progress() -> None:
    sb = Sandbox(delay=1.2)
    async with connect(sb) as client:
        iid = await instance_in(client, "STOPPED")
        start = await client.call_tool("StartInstances", {"InstanceIds": [iid]})
        started = data(start)
        step = started["Next"]
        assert "StartInstances is asynchronous" in text(start)  # the text says it too
        assert step["Asynchronous"] is True and step["Tool"] == "wait_for"
        assert step["Arguments"] == {
            "resource": "instance",
            "ids": [iid],
            "operation_request_id": started["RequestId"],
            "Region": REGION,
        }
        progress = Progress()
        result = await client.call_tool("wait_for", step["Arguments"], progress_callback=progress)
    final = data(result)
    assert final["Done"] is True
    assert final["Resources"][0]["State"] == "RUNNING"
    assert final["Resources"][0]["LatestOperationState"] == "SUCCESS"
    assert text(result).startswith("wait_for instance: all 1 reached")
    # progress notifications came while it waited: STARTING first, then settled
    assert len(progress.events) >= 3
    assert progress.events[0][:2] == (0.0, 1.0) and "STARTING" in str(progress.events[0][2])
    assert progress.events[-1][:2] == (1.0, 1.0) and "RUNNING" in str(progress.events[-1][2])
    polls = [r for r in sb.requests if r.action == "DescribeInstances"]
    assert len(polls) == final["Polls"] + 1  # +1: instance_in's own listing


async def test_wait_that_times_out_names_what_did_not_make_it() -> None:
    sb = Sandbox(delay=30)
    async with connect(sb) as client:
        iid = await instance_in(client, "STOPPED")
        data(await client.call_tool("StartInstances", {"InstanceIds": [iid]}))
        result = await client.call_tool(
            "wait_for",
            {"resource": "instance", "ids": [iid], "target_state": "RUNNING", "timeout_seconds": 1},
        )
    final = data(result)
    assert final["Done"] is False
    (only,) = final["Resources"]
    assert only["Status"] == "timeout" and only["State"] == "STARTING"
    assert only["Reason"] == "still STARTING, StartInstances still OPERATING after 1s"
    assert f"- {iid}: timeout:" in text(result)
    assert 1.0 <= final["ElapsedSeconds"] < 3


async def test_failed_operation_is_reported_with_its_reason() -> None:
    sb = Sandbox(delay=0.5)
    async with connect(sb) as client:
        iid = await instance_in(client, "RUNNING")
        record(sb, "instances", iid)["_fail_operations"] = ["StopInstances"]  # fault hook
        stopped = data(await client.call_tool("StopInstances", {"InstanceIds": [iid]}))
        result = await client.call_tool("wait_for", stopped["Next"]["Arguments"])
    final = data(result)
    (only,) = final["Resources"]
    assert final["Done"] is False and only["Status"] == "failed"
    assert only["LatestOperationState"] == "FAILED" and only["State"] == "RUNNING"
    assert only["Reason"] == (
        f"StopInstances FAILED (request {stopped['RequestId']}); the instance is RUNNING"
    )
    assert f"- {iid}: failed: StopInstances FAILED" in text(result)


async def test_a_poll_the_service_fails_is_retried_not_fatal() -> None:
    sb = Sandbox(delay=0.5)
    async with connect(sb) as client:
        iid = await instance_in(client, "STOPPED")
        started = data(await client.call_tool("StartInstances", {"InstanceIds": [iid]}))
        # more InternalErrors than the client's own attempts: the first poll fails
        sb.faults.add("internal_error", "DescribeInstances", count=4)
        progress = Progress()
        result = await client.call_tool(
            "wait_for", started["Next"]["Arguments"], progress_callback=progress
        )
    assert data(result)["Done"] is True
    assert "poll failed: InternalError; retrying" in str(progress.events[0][2])


async def test_cancelling_the_request_stops_the_polling() -> None:
    sb = Sandbox(delay=60)
    async with connect(sb) as client:
        iid = await instance_in(client, "STOPPED")
        data(await client.call_tool("StartInstances", {"InstanceIds": [iid]}))
        progress = Progress()
        with anyio.move_on_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    lambda: client.call_tool(
                        "wait_for",
                        {
                            "resource": "instance",
                            "ids": [iid],
                            "target_state": "RUNNING",
                            "timeout_seconds": 600,
                        },
                        progress_callback=progress,
                    )
                )
                await progress.first.wait()
                tg.cancel_scope.cancel()
        assert progress.events, "the wait never reported progress"
        polls = sum(r.action == "DescribeInstances" for r in sb.requests)
        await anyio.sleep(1.5)  # several poll intervals
        assert sum(r.action == "DescribeInstances" for r in sb.requests) == polls
        # the session is still usable after the cancelled request
        assert data(await client.call_tool("DescribeRegions", {}))["TotalCount"] > 0


async def follow(client: Client, result: types.CallToolResult) -> dict[str, Any]:
    """Run the wait a result's Next names; the wait must succeed."""
    final = data(await client.call_tool("wait_for", data(result)["Next"]["Arguments"]))
    assert final["Done"] is True, final
    return final


async def test_create_docker_isolate_terminate_each_followed_by_its_wait() -> None:
    sb = Sandbox(delay=0.3)
    async with connect(sb) as client:
        created = await client.call_tool(
            "CreateInstances",
            {
                "BundleId": "bundle2022_gen_01",
                "BlueprintId": "lhbp-dk24ce01",
                "InstanceChargePrepaid": {"Period": 1},
                "InstanceCount": 2,
            },
        )
        ids = data(created)["InstanceIdSet"]
        assert data(created)["Next"]["Arguments"] == {
            "resource": "instance",
            "ids": ids,
            "target_state": "RUNNING",
            "Region": REGION,
        }
        assert {r["State"] for r in (await follow(client, created))["Resources"]} == {"RUNNING"}

        run = await client.call_tool(
            "RunDockerContainers",
            {"InstanceId": ids[0], "Containers": [{"ContainerImage": "nginx:1.27"}]},
        )
        step = data(run)["Next"]["Arguments"]
        assert step["resource"] == "docker_activity" and step["instance_id"] == ids[0]
        assert step["ids"] == data(run)["DockerActivitySet"]
        assert {r["State"] for r in (await follow(client, run))["Resources"]} == {"SUCCESS"}

        # synchronous actions carry no hint
        renamed = data(
            await client.call_tool(
                "ModifyInstancesAttribute", {"InstanceIds": ids[:1], "InstanceName": "renamed"}
            )
        )
        assert "Next" not in renamed

        isolated = await client.call_tool("IsolateInstances", {"InstanceIds": ids})
        assert {r["State"] for r in (await follow(client, isolated))["Resources"]} == {"SHUTDOWN"}
        terminated = await client.call_tool("TerminateInstances", {"InstanceIds": ids})
        assert data(terminated)["Next"]["Arguments"]["target_state"] == "GONE"
        assert {r["State"] for r in (await follow(client, terminated))["Resources"]} == {"GONE"}


async def test_firewall_template_apply_is_followed_to_its_record() -> None:
    sb = Sandbox(delay=0.5)
    async with connect(sb) as client:
        template = data(
            await client.call_tool(
                "CreateFirewallTemplate",
                {
                    "TemplateName": "web",
                    "TemplateRules": [{"Protocol": "TCP", "Port": "443", "Action": "ACCEPT"}],
                },
            )
        )
        applied = await client.call_tool(
            "ApplyFirewallTemplate",
            {
                "TemplateId": template["TemplateId"],
                "ApplyInstances": [
                    {"InstanceId": "lhins-demo0001", "Region": REGION},
                    {"InstanceId": "lhins-zzzzzzzz", "Region": REGION},
                ],
            },
        )
        step = data(applied)["Next"]["Arguments"]
        assert step == {
            "resource": "firewall_template_apply",
            "ids": [data(applied)["TaskId"]],
            "target_state": "SUCCESS",
            "template_id": template["TemplateId"],
            "Region": REGION,
        }
        progress = Progress()
        result = await client.call_tool("wait_for", step, progress_callback=progress)
    (only,) = data(result)["Resources"]
    assert only["Status"] == "reached" and "RUNNING" in str(progress.events[0][2])
    assert only["Reason"].startswith("1 of 2 instances FAILED: lhins-zzzzzzzz: ")
    assert "- lgtk-" in text(result) and "note: 1 of 2 instances FAILED" in text(result)


async def test_wait_for_arguments_are_checked_before_any_poll() -> None:
    sb = Sandbox()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"resource": "volcano", "ids": ["x"], "target_state": "RUNNING"}, "resource"),
        ({"resource": "instance", "ids": [], "target_state": "RUNNING"}, "ids"),
        ({"resource": "instance", "ids": ["lhins-demo0001"]}, "target_state"),
        (
            {"resource": "instance", "ids": ["lhins-demo0001"], "target_state": "BLUE"},
            "target_state",
        ),
        (
            {
                "resource": "instance",
                "ids": ["lhins-demo0001"],
                "target_state": "RUNNING",
                "instance_id": "lhins-demo0001",
            },
            "instance_id",
        ),
        (
            {"resource": "docker_activity", "ids": ["lhda-1"], "target_state": "SUCCESS"},
            "InstanceId",
        ),
        (
            {
                "resource": "instance",
                "ids": ["lhins-demo0001"],
                "target_state": "RUNNING",
                "timeout_seconds": 99999,
            },
            "timeout_seconds",
        ),
        (
            {
                "resource": "instance",
                "ids": ["lhins-demo0001"],
                "target_state": "RUNNING",
                "Region": "mars-north-1",
            },
            "Region",
        ),
    ]
    async with connect(sb) as client:
        for args, field in cases:
            result = await client.call_tool("wait_for", args)
            assert result.is_error, args
            assert field in text(result), (field, text(result))
    assert sb.requests == []


async def test_wait_for_is_listed_read_only_with_its_limits() -> None:
    async with connect(Sandbox()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        instructions = client.instructions or ""
    tool = tools["wait_for"]
    assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert "default 120" in (tool.description or "") and "max 1800" in (tool.description or "")
    props = tool.input_schema["properties"]
    assert props["timeout_seconds"]["maximum"] == 1800
    # structured results are checked by the client against this in every test here
    assert tool.output_schema is not None and "Resources" in tool.output_schema["required"]
    assert set(props["resource"]["enum"]) == set(waits.KINDS)
    # the long explanations live once in the server instructions, not in every schema
    assert "call wait_for with its Arguments" in instructions
    assert "all_pages: true" in instructions and "Offset to continue from" in instructions


# -- all_pages ---------------------------------------------------------------------------


async def add_instances(client: Client, sb: Sandbox, count: int) -> list[str]:
    """Clone a seeded instance ``count`` times into the sandbox's state (quotas allow at
    most 20 per bundle type through CreateInstances; paging needs more than 100)."""
    data(await client.call_tool("DescribeInstances", {}))  # the region's seed is made
    table: dict[str, dict[str, Any]] = (
        sb.backend.world(DEFAULT_SECRET_ID).region(REGION).table("instances")
    )
    template = next(iter(table.values()))
    ids = []
    for i in range(count):
        iid = f"lhins-pg{i:06d}"
        clone = copy.deepcopy(template)
        clone.update(InstanceId=iid, InstanceName=f"paging-{i}")
        table[iid] = clone
        ids.append(iid)
    return ids


async def test_all_pages_walks_every_page_with_the_maximum_limit() -> None:
    sb = Sandbox()
    async with connect(sb) as client:
        added = await add_instances(client, sb, 150)
        sb.requests.clear()
        result = await client.call_tool(
            "DescribeInstancesReturnable", {"all_pages": True, "Limit": 5}
        )
        one_page = data(await client.call_tool("DescribeInstancesReturnable", {"Limit": 100}))
    merged = data(result)
    total = 2 + len(added)  # the seed's two instances
    ids = [i["InstanceId"] for i in merged["InstanceReturnableSet"]]
    assert len(ids) == len(set(ids)) == total == merged["TotalCount"] == 152
    assert set(added) <= set(ids)
    assert merged["Paging"]["Pages"] == 2 and "_truncated" not in merged
    sent = [r.params or {} for r in sb.requests if r.action == "DescribeInstancesReturnable"]
    assert [(p["Offset"], p["Limit"]) for p in sent[:2]] == [(0, 100), (100, 100)]
    assert len(one_page["InstanceReturnableSet"]) == 100  # without all_pages: one page


async def test_all_pages_stops_at_the_item_cap_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lighthouse_mcp.tools import whole_lists

    monkeypatch.setattr(whole_lists, "MAX_ITEMS", 120)
    sb = Sandbox()
    async with connect(sb) as client:
        await add_instances(client, sb, 150)
        result = await client.call_tool("DescribeInstancesReturnable", {"all_pages": True})
    merged = data(result)
    assert len(merged["InstanceReturnableSet"]) == 120 and merged["TotalCount"] == 152
    marker = merged["_truncated"]
    assert marker["reason"] == "max_items" and marker["returned"] == 120
    assert marker["total"] == 152 and marker["next"] == {"Offset": 120, "Limit": 100}
    assert "cap of 120 items" in marker["hint"] and "Offset=120" in text(result)


async def test_all_pages_of_large_records_stops_before_the_result_is_cut() -> None:
    sb = Sandbox()
    async with connect(sb) as client:
        await add_instances(client, sb, 150)
        result = await client.call_tool("DescribeInstances", {"all_pages": True})
        merged = data(result)
        paging = merged["Paging"]
        kept = len(merged["InstanceSet"])
        marker = merged["_truncated"]
        assert marker["reason"] == "max_chars" and 10 < kept < 152 and paging["Items"] == kept
        assert (
            marker["next"]["Offset"] == kept and "keep fewer members with fields" in marker["hint"]
        )
        assert "result was cut" not in text(result)  # the server's generic cut did not apply
        rest = data(
            await client.call_tool("DescribeInstances", {"all_pages": True, "Offset": kept})
        )
    ids = [i["InstanceId"] for i in merged["InstanceSet"]]
    ids += [i["InstanceId"] for i in rest["InstanceSet"]]
    assert len(set(ids)) == len(ids)  # no item twice across the two calls
    assert rest["Paging"]["Pages"] >= 1 and ids[kept] == rest["InstanceSet"][0]["InstanceId"]


async def test_all_pages_is_offered_only_where_it_pages() -> None:
    async with connect(Sandbox()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        refused = await client.call_tool("DescribeRegions", {"all_pages": True})
        wrong_type = await client.call_tool("DescribeKeyPairs", {"all_pages": "yes"})
    assert "all_pages" in tools["DescribeKeyPairs"].input_schema["properties"]
    assert "all_pages" not in tools["DescribeRegions"].input_schema["properties"]
    assert "all_pages" not in tools["StartInstances"].input_schema["properties"]
    assert refused.is_error and "all_pages" in text(refused)
    assert wrong_type.is_error and "all_pages" in text(wrong_type)


async def test_compact_mode_offers_wait_for_next_hints_and_all_pages() -> None:
    sb = Sandbox(delay=0.3)
    async with connect(sb, compact=True) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"call_action", "wait_for"} <= names and "StartInstances" not in names
        described = data(await client.call_tool("describe_action", {"action": "DescribeKeyPairs"}))
        assert "all_pages" in described["inputSchema"]["properties"]
        listed = data(
            await client.call_tool(
                "call_action", {"action": "DescribeInstances", "arguments": {"all_pages": True}}
            )
        )
        assert listed["Paging"]["Items"] == 2
        iid = next(
            i["InstanceId"] for i in listed["InstanceSet"] if i["InstanceState"] == "STOPPED"
        )
        started = await client.call_tool(
            "call_action", {"action": "StartInstances", "arguments": {"InstanceIds": [iid]}}
        )
        final = await follow(client, started)
    assert final["Resources"][0]["State"] == "RUNNING"
