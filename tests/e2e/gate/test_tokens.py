"""The two-step confirmation for clients without elicitation: the first call runs
nothing and returns the preview plus a confirm_token; only the identical call repeated
with it, once, in the same MCP session, runs. Every other use is refused with nothing
sent, which the sandbox's request log proves."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.gate import ConfirmationGate
from lighthouse_mcp.server.gate.tokens import ConfirmationTokens, arguments_hash
from tests.e2e.gate.helpers import (
    CLIENT,
    REGION,
    audit,
    error_code,
    gate_server,
    ids,
    mutations,
)

pytestmark = pytest.mark.anyio
TERMINATE = {"InstanceIds": ["lhins-demo0002"]}
CREATE: dict[str, Any] = {
    "BundleId": "bundle2022_gen_01",
    "BlueprintId": "lhbp-d1h2n3x4",
    "InstanceChargePrepaid": {"Period": 1},
    "InstanceName": "api-1",
}


def _token(result: types.CallToolResult) -> str:
    assert result.is_error and error_code(result) == "ConfirmationRequired", result.content
    return str((result.structured_content or {})["Error"]["confirm_token"])


def _text(result: types.CallToolResult) -> str:
    return result.content[0].text  # type: ignore[union-attr]


async def _isolated(c: Client, token_for: str = "lhins-demo0002") -> None:
    """Terminate needs an isolated instance: isolate it through the token flow too."""
    args = {"InstanceIds": [token_for]}
    first = await c.call_tool("IsolateInstances", args)
    done = await c.call_tool("IsolateInstances", {**args, "confirm_token": _token(first)})
    assert not done.is_error, done.content
    await c.call_tool("DescribeInstances", {})


async def test_token_issued_then_used_once(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="token"), mode="legacy", client_info=CLIENT
    ) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        await _isolated(c)
        first = await c.call_tool("TerminateInstances", TERMINATE)
        token = _token(first)
        sent_before = len(mutations(sb))
        run = await c.call_tool("TerminateInstances", {**TERMINATE, "confirm_token": token})
        replay = await c.call_tool("TerminateInstances", {**TERMINATE, "confirm_token": token})
        await c.call_tool("DescribeInstances", {})
        left = ids(await c.call_tool("DescribeInstances", {}), "InstanceSet", "InstanceId")
    # the tool schema offers the token only where it applies
    assert "confirm_token" in tools["TerminateInstances"].input_schema["properties"]
    assert "confirm_token" in tools["CreateInstances"].input_schema["properties"]
    for ungated in ("DescribeInstances", "CreateKeyPair", "StopInstances"):
        assert "confirm_token" not in tools[ungated].input_schema["properties"]
    text = _text(first)
    assert "was NOT run" in text and "lhins-demo0002" in text and "web-staging" in text
    assert "Show the person the preview" in text and token in text
    preview = (first.structured_content or {})["Error"]["Preview"]
    assert preview["Resources"][0]["Id"] == "lhins-demo0002" and preview["Region"] == REGION
    assert not run.is_error, run.content
    assert error_code(replay) == "ConfirmationRejected" and "already used" in _text(replay)
    assert "lhins-demo0002" not in left
    assert [r.action for r in mutations(sb)[sent_before:]] == ["TerminateInstances"]
    records = [r for r in audit(tmp_path) if r["action"] == "TerminateInstances"]
    assert [(r["decision"], r.get("reason")) for r in records] == [
        ("token-issued", None),
        ("model-relayed", None),
        ("model-relayed", None),
        ("token-rejected", "replayed"),
    ]
    digest = arguments_hash("TerminateInstances", REGION, TERMINATE)
    for record in records:
        assert record["arguments"] == TERMINATE and record["arguments_sha256"] == digest
        assert record["client"] == "gate-e2e" and record["region"] == REGION
        assert token not in json.dumps(record)
    assert records[2]["outcome"] == {
        "status": "ok",
        "RequestId": (run.structured_content or {})["RequestId"],
    }


def _forge(token: str) -> str:
    """The same token with its payload edited (a different region), MAC kept."""
    payload, mac = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["r"] = "ap-shanghai"
    edited = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{edited}.{mac}"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("arguments", "other-call"),
        ("default-made-explicit", "other-call"),
        ("forged", "forged"),
        ("made-up", "malformed"),
        ("expired", "expired"),
    ],
)
async def test_misused_tokens_send_nothing(tmp_path: Path, change: str, reason: str) -> None:
    sb = Sandbox(delay=0)
    now = [1_000_000.0]
    server = gate_server(sb, tmp_path, confirm_mode="token")
    gate = server.registry.gate
    assert isinstance(gate, ConfirmationGate)
    gate.tokens = ConfirmationTokens(clock=lambda: now[0])
    async with Client(server, mode="legacy", client_info=CLIENT) as c:
        token = _token(await c.call_tool("CreateInstances", CREATE))
        args: dict[str, Any] = dict(CREATE)
        if change == "arguments":
            args["InstanceName"] = "api-2"
        elif change == "default-made-explicit":
            args["InstanceCount"] = 1
        elif change == "forged":
            token = _forge(token)
        elif change == "made-up":
            token = "confirm: true"
        elif change == "expired":
            now[0] += gate.tokens.ttl_seconds + 1
        result = await c.call_tool("CreateInstances", {**args, "confirm_token": token})
        names = [
            i["InstanceName"]
            for i in ((await c.call_tool("DescribeInstances", {})).structured_content or {}).get(
                "InstanceSet", []
            )
        ]
    assert error_code(result) == "ConfirmationRejected", result.content
    assert "Nothing was sent" in _text(result)
    assert mutations(sb) == [] and "api-1" not in names and "api-2" not in names
    last = audit(tmp_path)[-1]
    assert (last["decision"], last["reason"]) == ("token-rejected", reason)
    assert (result.structured_content or {})["Error"]["Reason"] == reason


async def test_token_from_another_session_is_refused(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, confirm_mode="token")
    snapshot_args = {"InstanceId": "lhins-demo0001", "SnapshotName": "keep"}
    async with Client(server, mode="legacy", client_info=CLIENT) as first:
        made = await first.call_tool("CreateInstanceSnapshot", snapshot_args)
        snap = str((made.structured_content or {})["SnapshotId"])
        await first.call_tool("DescribeSnapshots", {})
        token = _token(await first.call_tool("DeleteSnapshots", {"SnapshotIds": [snap]}))
    async with Client(server, mode="legacy", client_info=CLIENT) as second:
        result = await second.call_tool(
            "DeleteSnapshots", {"SnapshotIds": [snap], "confirm_token": token}
        )
        left = ids(await second.call_tool("DescribeSnapshots", {}), "SnapshotSet", "SnapshotId")
    assert error_code(result) == "ConfirmationRejected"
    assert "another MCP session" in _text(result)
    assert snap in left and mutations(sb, "DeleteSnapshots") == []
    sessions = {r["session"] for r in audit(tmp_path) if r["action"] == "DeleteSnapshots"}
    assert len(sessions) == 2


async def test_a_model_set_confirm_flag_is_not_a_confirmation(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="token"), mode="legacy", client_info=CLIENT
    ) as c:
        flag = await c.call_tool(
            "DeleteSnapshots", {"SnapshotIds": ["lhsnap-00000000"], "confirm": True}
        )
        empty = await c.call_tool(
            "DeleteSnapshots", {"SnapshotIds": ["lhsnap-00000000"], "confirm_token": ""}
        )
    assert error_code(flag) == "InvalidArguments"
    assert error_code(empty) == "ConfirmationRejected"
    assert mutations(sb) == []


async def test_confirmation_off_needs_the_dangerous_flag_and_then_runs(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, confirm_mode="off", skip_confirmation=True)
    async with Client(server, mode="legacy", client_info=CLIENT) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        result = await c.call_tool("CreateInstances", CREATE)
    assert not result.is_error, result.content
    assert "confirm_token" not in tools["CreateInstances"].input_schema["properties"]
    (record,) = audit(tmp_path)
    assert record["decision"] == "not-gated" and record["outcome"]["status"] == "ok"


async def test_compact_mode_carries_the_token_inside_arguments(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, compact=True, confirm_mode="token"),
        mode="legacy",
        client_info=CLIENT,
    ) as c:
        first = await c.call_tool("call_action", {"action": "CreateInstances", "arguments": CREATE})
        token = _token(first)
        second = await c.call_tool(
            "call_action",
            {"action": "CreateInstances", "arguments": {**CREATE, "confirm_token": token}},
        )
    assert 'put it inside "arguments"' in _text(first) and "call call_action again" in _text(first)
    assert not second.is_error, second.content
    assert [r.action for r in mutations(sb)] == ["CreateInstances"]
