"""The gate through MCP elicitation (handshake-era connections whose client declares the
capability), against the sandbox: the person sees a live preview, types the phrase for
destructive actions, and only an accepted, correctly confirmed call reaches the API.
The sandbox's request log and state prove what ran; the audit log is read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.server.gate.tokens import arguments_hash
from tests.e2e.gate.helpers import (
    CLIENT,
    REGION,
    Person,
    audit,
    error_code,
    gate_server,
    ids,
    mutations,
    never_asked,
)

pytestmark = pytest.mark.anyio


async def _snapshot(c: Client, instance: str) -> str:
    made = await c.call_tool(
        "CreateInstanceSnapshot", {"InstanceId": instance, "SnapshotName": "before-change"}
    )
    assert not made.is_error, made.content
    return str((made.structured_content or {})["SnapshotId"])


async def _snapshot_ids(c: Client) -> list[str]:
    return ids(await c.call_tool("DescribeSnapshots", {}), "SnapshotSet", "SnapshotId")


async def test_accept_with_the_phrase_deletes_exactly_what_was_previewed(tmp_path: Path) -> None:
    sb, person = Sandbox(delay=0), Person("accept")
    server = gate_server(sb, tmp_path)
    async with Client(server, mode="legacy", elicitation_callback=person, client_info=CLIENT) as c:
        snap = await _snapshot(c, "lhins-demo0001")
        before = len(mutations(sb))
        result = await c.call_tool("DeleteSnapshots", {"SnapshotIds": [snap]})
        remaining = await _snapshot_ids(c)
    assert not result.is_error, result.content
    assert snap not in remaining
    sent = mutations(sb)[before:]
    assert [(r.action, r.params) for r in sent] == [("DeleteSnapshots", {"SnapshotIds": [snap]})]
    (asked,) = person.seen
    assert asked.message.rstrip().endswith(f"`{snap}`")
    assert "CANNOT BE UNDONE" in asked.message and "before-change" in asked.message
    assert REGION in asked.message
    records = [r for r in audit(tmp_path) if r["action"] == "DeleteSnapshots"]
    assert len(records) == 2
    decided, done = records
    for record in records:
        assert record["decision"] == "elicited-accept"
        assert record["region"] == REGION
        assert record["client"] == "gate-e2e"
        assert record["arguments"] == {"SnapshotIds": [snap]}
        assert record["arguments_sha256"] == arguments_hash(
            "DeleteSnapshots", REGION, {"SnapshotIds": [snap]}
        )
    assert "outcome" not in decided
    request_id = (result.structured_content or {})["RequestId"]
    assert done["outcome"] == {"status": "ok", "RequestId": request_id}
    # the write before it was not gated: one record with its outcome, nobody asked
    (made,) = [r for r in audit(tmp_path) if r["action"] == "CreateInstanceSnapshot"]
    assert made["decision"] == "not-gated" and made["outcome"]["status"] == "ok"


@pytest.mark.parametrize(
    ("how", "typed", "decision", "reason"),
    [
        ("decline", None, "declined", None),
        ("cancel", None, "cancelled", None),
        ("accept", "lhins-demo0003", "declined", "the confirmation phrase did not match"),
        ("accept", "yes", "declined", "the confirmation phrase did not match"),
    ],
)
async def test_decline_cancel_and_a_wrong_phrase_send_nothing(
    tmp_path: Path, how: str, typed: str | None, decision: str, reason: str | None
) -> None:
    sb, person = Sandbox(delay=0), Person(how, typed=typed)
    async with Client(
        gate_server(sb, tmp_path), mode="legacy", elicitation_callback=person, client_info=CLIENT
    ) as c:
        result = await c.call_tool("IsolateInstances", {"InstanceIds": ["lhins-demo0001"]})
        state = await c.call_tool("DescribeInstances", {"InstanceIds": ["lhins-demo0001"]})
    assert result.is_error and error_code(result) == "NotConfirmed"
    text = result.content[0].text  # type: ignore[union-attr]
    assert "Nothing was sent" in text
    assert mutations(sb) == []
    instance = (state.structured_content or {})["InstanceSet"][0]
    assert instance["InstanceState"] == "RUNNING"
    assert "lhins-demo0001" in person.seen[0].message
    (record,) = audit(tmp_path)
    assert record["decision"] == decision and record.get("reason") == reason
    assert record["action"] == "IsolateInstances" and "outcome" not in record
    assert (result.structured_content or {})["Error"]["Decision"] == decision


async def test_isolate_then_terminate_each_confirmed(tmp_path: Path) -> None:
    sb, person = Sandbox(delay=0), Person("accept")
    async with Client(
        gate_server(sb, tmp_path), mode="legacy", elicitation_callback=person, client_info=CLIENT
    ) as c:
        isolated = await c.call_tool("IsolateInstances", {"InstanceIds": ["lhins-demo0001"]})
        assert not isolated.is_error, isolated.content
        await c.call_tool("DescribeInstances", {})  # lets the sandbox apply the transition
        gone = await c.call_tool("TerminateInstances", {"InstanceIds": ["lhins-demo0001"]})
        assert not gone.is_error, gone.content
        await c.call_tool("DescribeInstances", {})
        left = ids(await c.call_tool("DescribeInstances", {}), "InstanceSet", "InstanceId")
    assert "lhins-demo0001" not in left and "lhins-demo0002" in left
    assert [r.action for r in mutations(sb)] == ["IsolateInstances", "TerminateInstances"]
    terminate = person.seen[1].message
    assert "SHUTDOWN" in terminate and "is destroyed with its system disk" in terminate
    decisions = [(r["action"], r["decision"], "outcome" in r) for r in audit(tmp_path)]
    assert decisions == [
        ("IsolateInstances", "elicited-accept", False),
        ("IsolateInstances", "elicited-accept", True),
        ("TerminateInstances", "elicited-accept", False),
        ("TerminateInstances", "elicited-accept", True),
    ]


async def test_firewall_replacement_shows_the_rules_that_disappear(tmp_path: Path) -> None:
    sb, person = Sandbox(delay=0), Person("accept")
    new_rules = [{"Protocol": "TCP", "Port": "22", "CidrBlock": "10.0.0.0/8", "Action": "ACCEPT"}]
    async with Client(
        gate_server(sb, tmp_path), mode="legacy", elicitation_callback=person, client_info=CLIENT
    ) as c:
        before = await c.call_tool("DescribeFirewallRules", {"InstanceId": "lhins-demo0001"})
        old = (before.structured_content or {})["FirewallRuleSet"]
        result = await c.call_tool(
            "ModifyFirewallRules", {"InstanceId": "lhins-demo0001", "FirewallRules": new_rules}
        )
        after = await c.call_tool("DescribeFirewallRules", {"InstanceId": "lhins-demo0001"})
    assert not result.is_error, result.content
    message = person.seen[0].message
    assert f"The {len(old)} current rules are all replaced" in message
    for rule in old:
        assert f"{rule['Protocol']} {rule['Port']}" in message
    assert "ACCEPT TCP 22 from 10.0.0.0/8" in message
    assert message.rstrip().endswith("`lhins-demo0001`")
    rules = (after.structured_content or {})["FirewallRuleSet"]
    assert [(r["Protocol"], r["Port"], r["CidrBlock"]) for r in rules] == [
        ("TCP", "22", "10.0.0.0/8")
    ]


CREATE: dict[str, Any] = {
    "BundleId": "bundle2022_gen_02",
    "BlueprintId": "lhbp-uh2t0ifo",
    "InstanceChargePrepaid": {"Period": 3},
    "InstanceName": "web-3",
}


@pytest.mark.parametrize("approve", [True, False])
async def test_create_instances_shows_the_quoted_price(tmp_path: Path, approve: bool) -> None:
    sb, person = Sandbox(delay=0), Person("accept", approve=approve)
    async with Client(
        gate_server(sb, tmp_path), mode="legacy", elicitation_callback=person, client_info=CLIENT
    ) as c:
        quote = await c.call_tool(
            "InquirePriceCreateInstances", {k: v for k, v in CREATE.items() if k != "InstanceName"}
        )
        result = await c.call_tool("CreateInstances", CREATE)
        names = [
            i["InstanceName"]
            for i in ((await c.call_tool("DescribeInstances", {})).structured_content or {}).get(
                "InstanceSet", []
            )
        ]
    price = (quote.structured_content or {})["Price"]["InstancePrice"]
    message = person.seen[0].message
    assert f"DiscountPrice={price['DiscountPrice']}" in message
    assert f"Currency={price['Currency']}" in message
    assert "Dry run: the API says the request would succeed" in message
    assert "`" not in message  # billing: a yes/no box, no phrase to type
    assert 'BundleId="bundle2022_gen_02"' in message and '{"Period": 3}' in message
    assert ("web-3" in names) is approve
    assert result.is_error is not approve
    assert len(mutations(sb, "CreateInstances")) == (1 if approve else 0)
    decisions = [r["decision"] for r in audit(tmp_path)]
    assert decisions == (["elicited-accept", "elicited-accept"] if approve else ["declined"])


async def test_reads_and_ungated_writes_never_ask(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path),
        mode="legacy",
        elicitation_callback=never_asked,
        client_info=CLIENT,
    ) as c:
        for action, args in [
            ("DescribeInstances", {}),
            ("DescribeBundles", {}),
            (
                "InquirePriceCreateInstances",
                {k: v for k, v in CREATE.items() if k != "InstanceName"},
            ),
            (
                "ModifyInstancesAttribute",
                {"InstanceIds": ["lhins-demo0001"], "InstanceName": "renamed"},
            ),
            ("StopInstances", {"InstanceIds": ["lhins-demo0001"]}),
        ]:
            result = await c.call_tool(action, args)
            assert not result.is_error, (action, result.content)
    records = audit(tmp_path)
    assert [(r["action"], r["decision"]) for r in records] == [
        ("ModifyInstancesAttribute", "not-gated"),
        ("StopInstances", "not-gated"),
    ]
    assert all(r["outcome"]["status"] == "ok" and r["outcome"]["RequestId"] for r in records)


async def test_added_classes_are_asked_too(tmp_path: Path) -> None:
    """--confirm adds to the defaults: listing only disruptive still asks for billing."""
    sb, person = Sandbox(delay=0), Person("decline")
    async with Client(
        gate_server(sb, tmp_path, confirm=("disruptive",)),
        mode="legacy",
        elicitation_callback=person,
        client_info=CLIENT,
    ) as c:
        stop = await c.call_tool("StopInstances", {"InstanceIds": ["lhins-demo0001"]})
        create = await c.call_tool("CreateInstances", CREATE)  # billing is still gated
    assert error_code(stop) == "NotConfirmed" and error_code(create) == "NotConfirmed"
    assert mutations(sb) == []
    assert [p.message.split(" (")[0] for p in person.seen] == ["Stop instances", "Create instances"]


async def test_targets_changed_after_the_preview_are_refused(tmp_path: Path) -> None:
    sb, person = Sandbox(delay=0), Person("accept")
    direct = LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=REGION,
        endpoint="http://sandbox",
        transport=sb.transport(),
    )
    async with Client(
        gate_server(sb, tmp_path), mode="legacy", elicitation_callback=person, client_info=CLIENT
    ) as c:
        snap = await _snapshot(c, "lhins-demo0001")
        await _snapshot_ids(c)

        async def someone_else_deletes_it() -> None:
            await direct.call("DeleteSnapshots", {"SnapshotIds": [snap]})

        person.before_answer = someone_else_deletes_it
        result = await c.call_tool("DeleteSnapshots", {"SnapshotIds": [snap]})
    await direct.aclose()
    assert error_code(result) == "TargetsChanged"
    assert f"{snap} is no longer found" in result.content[0].text  # type: ignore[union-attr]
    assert len(mutations(sb, "DeleteSnapshots")) == 1  # only the other party's
    last = audit(tmp_path)[-1]
    assert last["decision"] == "refused" and last["reason"].startswith("targets-changed")


async def test_elicit_mode_fails_closed_without_the_capability(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="elicit"), mode="legacy", client_info=CLIENT
    ) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        result = await c.call_tool("DeleteSnapshots", {"SnapshotIds": ["lhsnap-00000000"]})
    assert "confirm_token" not in tools["DeleteSnapshots"].input_schema["properties"]
    assert error_code(result) == "NotConfirmed" and mutations(sb) == []
    (record,) = audit(tmp_path)
    assert record["decision"] == "refused" and record["reason"] == "client-cannot-elicit"
