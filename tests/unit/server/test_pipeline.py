"""The call pipeline through the official MCP client (in-memory), with fake catalog pieces:
exposure, validation, gate, server-added arguments, audit, failures."""

from __future__ import annotations

from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.hooks import GatedCall, GateDecision, PendingCall, SessionInfo
from lighthouse_mcp.server.registry import ServerArg
from lighthouse_mcp.server.results import tool_error
from tests.unit.server.fakes import FakeClient, fake_registry, fake_server

pytestmark = pytest.mark.anyio

MODES = ["auto", "legacy"]


def _text(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


@pytest.mark.parametrize("mode", MODES)
async def test_valid_call_reaches_client_and_returns_structured(mode: str) -> None:
    api = FakeClient()
    async with Client(
        fake_server(api), mode=mode, client_info=types.Implementation(name="tester", version="9")
    ) as c:
        tools = (await c.list_tools()).tools
        assert {t.name for t in tools} == {"DescribeThings", "DeleteThing"}
        result = await c.call_tool("DescribeThings", {"Limit": 5, "Region": "ap-beijing"})
    assert not result.is_error
    assert result.structured_content == {
        "TotalCount": 1,
        "ThingSet": [{"ThingId": "t-1"}],
        "RequestId": "req-1",
        "_region": "ap-beijing",
    }
    assert "RequestId req-1" in _text(result) and " in ap-beijing" in _text(result)
    assert api.calls == [("DescribeThings", {"Limit": 5}, "ap-beijing")]
    assert api.client_info == ("tester", "9")


@pytest.mark.parametrize("mode", MODES)
async def test_invalid_arguments_name_every_field_and_send_nothing(mode: str) -> None:
    api = FakeClient()
    async with Client(fake_server(api), mode=mode) as c:
        result = await c.call_tool("DeleteThing", {"Limit": "x", "Bogus": 1, "Region": "mars"})
    assert result.is_error
    text = _text(result)
    for field in ("ThingId", "Bogus", "Region"):
        assert f"- {field}:" in text
    assert "nothing was sent" in text
    assert api.calls == []


async def test_read_only_hides_and_refuses_writes() -> None:
    api = FakeClient()
    settings = Settings(read_only=True)
    async with Client(fake_server(api, settings)) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert names == {"DescribeThings"}
        result = await c.call_tool("DeleteThing", {"ThingId": "t-1"})
    assert result.is_error and api.calls == []


async def test_pipeline_rechecks_read_only_even_for_a_listed_write() -> None:
    """A write that slipped into the exposed set (a buggy feature) still cannot run."""
    api = FakeClient()
    settings = Settings(read_only=True)
    reg = fake_registry(settings)
    reg.exposed_actions = ("DescribeThings", "DeleteThing")
    async with Client(fake_server(api, registry=reg)) as c:
        result = await c.call_tool("DeleteThing", {"ThingId": "t-1"})
    assert result.is_error and "--read-only" in _text(result) and api.calls == []


async def test_unknown_tool_is_a_tool_error() -> None:
    async with Client(fake_server(FakeClient())) as c:
        result = await c.call_tool("TerminateEverything", {})
    assert result.is_error and "Unknown tool" in _text(result)


class RecordingGate:
    def __init__(self, allow: bool) -> None:
        self.allow = allow
        self.seen: list[tuple[PendingCall, SessionInfo]] = []

    async def check(self, call: PendingCall, session: SessionInfo) -> GateDecision:
        self.seen.append((call, session))
        if self.allow:
            return GateDecision.allow()
        return GateDecision.refuse(tool_error("confirm first", code="ConfirmationRequired"))


class ListAuditor:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def record(self, event: dict[str, Any], gated: GatedCall | None = None) -> None:
        self.events.append(event)


def _gated_server(api: FakeClient, gate: RecordingGate, auditor: ListAuditor) -> Any:
    reg = fake_registry()
    reg.add_server_arg(
        ServerArg("confirm_token", {"type": "string"}, applies=lambda a: a == "DeleteThing")
    )
    reg.set_gate(gate)
    reg.set_auditor(auditor)
    return fake_server(api, registry=reg)


@pytest.mark.parametrize("mode", MODES)
async def test_gate_refusal_is_returned_and_nothing_sent(mode: str) -> None:
    api, gate, audit = FakeClient(), RecordingGate(allow=False), ListAuditor()
    async with Client(
        _gated_server(api, gate, audit),
        mode=mode,
        client_info=types.Implementation(name="claude", version="1"),
    ) as c:
        result = await c.call_tool("DeleteThing", {"ThingId": "t-9", "confirm_token": "abc"})
    assert result.is_error and _text(result) == "confirm first"
    assert api.calls == []
    call, session = gate.seen[0]
    assert call.action == "DeleteThing" and dict(call.arguments) == {"ThingId": "t-9"}
    assert dict(call.server_args) == {"confirm_token": "abc"}
    assert session.client_name == "claude" and session.session_id
    assert audit.events[-1]["outcome"] == "refused"
    assert audit.events[-1]["arguments"]["confirm_token"] == "<redacted>"


@pytest.mark.parametrize("mode", MODES)
async def test_session_id_is_stable_within_a_connection(mode: str) -> None:
    """Also on 2026-era connections, where each request gets a fresh SDK Connection."""
    gate = RecordingGate(allow=True)
    server = _gated_server(FakeClient(), gate, ListAuditor())
    async with Client(server, mode=mode) as c:
        await c.call_tool("DeleteThing", {"ThingId": "a"})
        await c.call_tool("DeleteThing", {"ThingId": "b"})
    async with Client(server, mode=mode) as c:
        await c.call_tool("DeleteThing", {"ThingId": "c"})
    ids = [s.session_id for _, s in gate.seen]
    assert ids[0] == ids[1] != ids[2]


async def test_server_args_are_typed_and_offered_only_where_registered() -> None:
    api, gate, audit = FakeClient(), RecordingGate(allow=True), ListAuditor()
    async with Client(_gated_server(api, gate, audit)) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        result = await c.call_tool("DeleteThing", {"ThingId": "t", "confirm_token": 5})
        other = await c.call_tool("DescribeThings", {"confirm_token": "x"})
    assert result.is_error and "- confirm_token: must be of type string" in _text(result)
    assert other.is_error and "- confirm_token:" in _text(other)  # not offered: unknown
    assert api.calls == [] and gate.seen == []
    assert [e["outcome"] for e in audit.events] == ["invalid", "invalid"]
    assert tools["DeleteThing"].annotations is not None


async def test_audit_masks_secrets_and_records_request_id() -> None:
    api, gate, audit = FakeClient(), RecordingGate(allow=True), ListAuditor()
    async with Client(_gated_server(api, gate, audit)) as c:
        await c.call_tool("DescribeThings", {"Limit": 1})
        await c.call_tool("DeleteThing", {"ThingId": "t", "Password": "hunter2"})
    assert audit.events[-1]["arguments"]["Password"] == "<redacted>"
    assert "hunter2" not in repr(audit.events)
    event = audit.events[0]
    assert event["outcome"] == "ok" and event["request_id"] == "req-1"
    assert event["action"] == "DescribeThings" and event["tool"] == "DescribeThings"


async def test_unexpected_exception_is_generic_and_logged_without_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = FakeClient(error=RuntimeError("password=hunter2 leaked"))
    async with Client(fake_server(api)) as c:
        result = await c.call_tool("DescribeThings", {})
    assert result.is_error
    assert "hunter2" not in _text(result) and "Traceback" not in _text(result)
    assert "hunter2" not in caplog.text and "RuntimeError" in caplog.text


async def test_helper_reads_refuse_writes() -> None:
    api = FakeClient()
    server = fake_server(api)
    assert (await server.pipeline.read("DescribeThings", {"Limit": 1}))["RequestId"] == "req-1"
    with pytest.raises(PermissionError):
        await server.pipeline.read("DeleteThing", {"ThingId": "t"})
    assert [c[0] for c in api.calls] == ["DescribeThings"]


async def test_a_failing_feature_tool_or_validator_is_a_generic_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from lighthouse_mcp.server.registry import ToolSpec

    reg = fake_registry()

    async def broken(args: dict[str, Any], ctx: Any) -> Any:
        raise ValueError("secret=abc123 in a message")

    reg.add_tool(
        ToolSpec(
            "broken",
            "Broken",
            "raises",
            {"type": "object"},
            types.ToolAnnotations(read_only_hint=True),
            broken,
        )
    )
    async with Client(fake_server(FakeClient(), registry=reg)) as c:
        result = await c.call_tool("broken", {})
    assert result.is_error and "abc123" not in _text(result) and "abc123" not in caplog.text
    assert "ValueError" in caplog.text


async def test_default_region_from_settings_reaches_gate_and_client() -> None:
    api, gate = FakeClient(), RecordingGate(allow=True)
    reg = fake_registry(Settings(region="ap-beijing"))
    reg.set_gate(gate)
    async with Client(fake_server(api, registry=reg)) as c:
        await c.call_tool("DescribeThings", {})
        await c.call_tool("DescribeThings", {"Region": "ap-guangzhou"})
    assert [call.region for call, _ in gate.seen] == ["ap-beijing", "ap-guangzhou"]
    assert [region for _, _, region in api.calls] == ["ap-beijing", "ap-guangzhou"]
