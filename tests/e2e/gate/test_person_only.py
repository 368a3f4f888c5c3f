"""Only a person approves: in the default mode a model alone, repeating anything it was
given, never runs a gated call; the fixes of issue 12, each proved by what reached the
sandbox."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.sse import sse_client

from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.server.approvals.loopback import ApprovalServer
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.gate import ConfirmationGate, GatePolicy
from lighthouse_mcp.server.gate.audit import AuditLog
from lighthouse_mcp.server.hooks import PendingCall, SessionInfo
from lighthouse_mcp.server.transports import resolve_auth, sse_app
from tests.e2e.gate.helpers import (
    CLIENT,
    REGION,
    approvals_of,
    audit,
    error_code,
    gate_server,
    mutations,
    never_asked,
)
from tests.e2e.server.http_helpers import running

pytestmark = pytest.mark.anyio
ISOLATE = {"InstanceIds": ["lhins-demo0001"]}


def _text(result: types.CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def test_default_mode_without_elicitation_or_page_refuses_naming_the_options(
    tmp_path: Path,
) -> None:
    """No elicitation, no approval page: refused, and nothing the model can repeat
    (a made-up token, a confirm flag, a request_state) runs the call."""
    sb = Sandbox(delay=0)
    async with Client(gate_server(sb, tmp_path), mode="legacy", client_info=CLIENT) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        first = await c.call_tool("IsolateInstances", ISOLATE)
        tries = [
            await c.call_tool("IsolateInstances", {**ISOLATE, "confirm_token": "x.y"}),
            await c.call_tool("IsolateInstances", {**ISOLATE, "confirm": True}),
            await c.call_tool("IsolateInstances", ISOLATE, request_state=_text(first)),
            await c.call_tool(
                "IsolateInstances",
                ISOLATE,
                input_responses={
                    "confirm": types.ElicitResult(action="accept", content={"confirm": "x"})
                },
            ),
        ]
    assert "confirm_token" not in tools["IsolateInstances"].input_schema["properties"]
    assert error_code(first) == "NotConfirmed"
    text = _text(first)
    assert "elicitation" in text and "lighthouse-mcp approvals" in text
    assert "--confirm-mode token" in text and "confirm_token" not in text
    assert [error_code(r) for r in tries] == [
        "InvalidArguments",
        "InvalidArguments",
        "NotConfirmed",
        "NotConfirmed",
    ]
    assert mutations(sb) == []
    assert {r["decision"] for r in audit(tmp_path)} == {"refused"}


async def test_default_mode_waits_for_the_page_and_the_model_sees_no_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With the approval page served, the call waits for a person; the model sees only
    progress and, when nobody answers, that it expired. The link reaches the person's
    channel (stderr/browser), never the model."""
    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, approval_timeout=1.5)
    service, links = approvals_of(server)
    service.progress_interval = 0.2
    seen: list[str] = []

    async def progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(f"{progress} {total} {message}")

    caplog.set_level(logging.DEBUG)
    async with (
        ApprovalServer(service, control_folder=tmp_path / "ctl"),
        Client(server, mode="legacy", client_info=CLIENT) as c,
    ):
        result = await c.call_tool("IsolateInstances", ISOLATE, progress_callback=progress)
    assert error_code(result) == "ApprovalExpired", result.content
    assert len(links) == 1 and seen and "waiting for a person" in seen[0]
    secret = links[0].rsplit("/", 1)[1]
    model_side = _text(result) + "".join(seen) + (tmp_path / "audit.jsonl").read_text()
    assert secret not in model_side and secret not in caplog.text
    assert mutations(sb) == []
    assert [r["decision"] for r in audit(tmp_path)] == ["expired"]


async def test_cancelling_a_waiting_call_withdraws_the_request(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, confirm_mode="browser")
    service, links = approvals_of(server)
    async with (
        ApprovalServer(service, control_folder=tmp_path / "ctl"),
        Client(server, mode="legacy", client_info=CLIENT) as c,
    ):
        with anyio.move_on_after(1):
            await c.call_tool("IsolateInstances", ISOLATE)
        await anyio.sleep(0.2)
        assert await service.store.pending() == []
    assert len(links) == 1 and mutations(sb) == []
    assert [r["decision"] for r in audit(tmp_path)] == ["cancelled"]


async def test_browser_mode_without_a_page_refuses(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="browser"),
        mode="legacy",
        elicitation_callback=never_asked,
        client_info=CLIENT,
    ) as c:
        result = await c.call_tool("IsolateInstances", ISOLATE)
    assert error_code(result) == "NotConfirmed" and "--confirm-mode browser" in _text(result)
    assert mutations(sb) == []


async def test_token_mode_says_model_relayed_in_result_and_audit(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, confirm_mode="token")
    async with Client(server, mode="legacy", client_info=CLIENT) as c:
        first = await c.call_tool("IsolateInstances", ISOLATE)
        token = (first.structured_content or {})["Error"]["confirm_token"]
        done = await c.call_tool("IsolateInstances", {**ISOLATE, "confirm_token": token})
    assert "model-relayed" in _text(first) and "not as approved by a person" in _text(first)
    assert (first.structured_content or {})["Error"]["Confirmation"] == "model-relayed"
    assert not done.is_error and (done.meta or {})["lighthouse-mcp/confirmation"] == (
        "model-relayed"
    )
    assert [r["decision"] for r in audit(tmp_path)] == [
        "token-issued",
        "model-relayed",
        "model-relayed",
    ]
    assert [r.action for r in mutations(sb)] == ["IsolateInstances"]


async def test_a_refused_token_names_the_argument_that_differs(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="token"), mode="legacy", client_info=CLIENT
    ) as c:
        first = await c.call_tool("IsolateInstances", ISOLATE)
        token = (first.structured_content or {})["Error"]["confirm_token"]
        other = await c.call_tool(
            "IsolateInstances", {"InstanceIds": ["lhins-demo0002"], "confirm_token": token}
        )
        added = await c.call_tool(
            "IsolateInstances", {**ISOLATE, "IsolateDataDisk": False, "confirm_token": token}
        )
    assert error_code(other) == "ConfirmationRejected"
    assert "InstanceIds (changed since the preview)" in _text(other)
    assert "IsolateDataDisk (added since the preview)" in _text(added)
    assert mutations(sb) == []


async def test_a_failed_preview_lookup_asks_nobody_and_runs_nothing(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    sb.faults.add("internal_error", "DescribeInstances")
    async with Client(
        gate_server(sb, tmp_path),
        mode="legacy",
        elicitation_callback=never_asked,
        client_info=CLIENT,
    ) as c:
        result = await c.call_tool("IsolateInstances", ISOLATE)
    assert error_code(result) == "PreviewFailed", result.content
    assert "DescribeInstances failed (InternalError)" in _text(result)
    assert "nobody was asked" in _text(result) and "not found now" not in _text(result)
    assert mutations(sb) == []
    (record,) = audit(tmp_path)
    assert record["decision"] == "refused" and record["reason"].startswith("preview-failed")


def _direct_reader(sb: Sandbox) -> Any:
    client = LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=REGION,
        endpoint="http://sandbox",
        transport=sb.transport(),
    )

    def bind(region: str) -> Any:
        async def call(action: str, params: Any) -> dict[str, Any]:
            return await client.call(action, params, region=region)

        return call

    return bind


async def test_a_request_state_is_never_a_confirm_token(tmp_path: Path) -> None:
    """Tokens name their mechanism under the MAC: an input-required round trip's
    request_state, presented as a confirm_token (and the reverse), is refused."""
    sb = Sandbox(delay=0)
    audit_log = AuditLog(tmp_path / "audit.jsonl")
    elicit = ConfirmationGate(GatePolicy(), audit=audit_log, reader=_direct_reader(sb))
    relay = ConfirmationGate(
        GatePolicy(mode="token"), audit=audit_log, reader=_direct_reader(sb), tokens=elicit.tokens
    )
    call = PendingCall("IsolateInstances", REGION, ISOLATE)
    modern = SessionInfo(session_id="s1", can_request_input=True)
    asked = await elicit.check(call, modern)
    assert isinstance(asked.result, types.InputRequiredResult)
    state = asked.result.request_state
    assert state
    as_token = await relay.check(
        PendingCall("IsolateInstances", REGION, ISOLATE, {"confirm_token": state}),
        SessionInfo(session_id="s1"),
    )
    assert not as_token.allowed and as_token.result is not None
    assert "another mechanism" in _text(as_token.result)  # type: ignore[arg-type]
    issued = await relay.check(call, SessionInfo(session_id="s1"))
    token = (issued.result.structured_content or {})["Error"]["confirm_token"]  # type: ignore[union-attr]
    answer = {"action": "accept", "content": {"confirm": "lhins-demo0001"}}
    as_state = await elicit.check(
        call,
        SessionInfo(
            session_id="s1",
            can_request_input=True,
            input_responses={"confirm": answer},
            request_state=token,
        ),
    )
    assert not as_state.allowed
    reasons = [r.get("reason") for r in audit(tmp_path)]
    assert reasons.count("other-mechanism") == 2
    assert mutations(sb) == []


async def test_each_sse_session_has_its_own_gate_identity(tmp_path: Path) -> None:
    """A token issued in one SSE stream is refused in another of the same user."""
    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, confirm_mode="token")
    auth = resolve_auth(Settings(transport="sse", auth_token="t0ken-for-tests"))
    headers = {"Authorization": "Bearer t0ken-for-tests"}
    with running(sse_app(server, auth)) as base:
        async with (
            Client(sse_client(f"{base}/sse", headers=headers), mode="legacy") as one,
            Client(sse_client(f"{base}/sse", headers=headers), mode="legacy") as two,
        ):
            first = await one.call_tool("IsolateInstances", ISOLATE)
            token = (first.structured_content or {})["Error"]["confirm_token"]
            elsewhere = await two.call_tool("IsolateInstances", {**ISOLATE, "confirm_token": token})
            sessions = {r.get("session") for r in audit(tmp_path)}
    assert error_code(elsewhere) == "ConfirmationRejected"
    assert "another MCP session" in _text(elsewhere)
    assert len(sessions) == 2 and all(str(s).startswith("sse:") for s in sessions)
    assert mutations(sb) == []


async def test_over_http_the_page_is_in_the_same_app_outside_the_bearer_guard(
    tmp_path: Path,
) -> None:
    """Streamable HTTP: the person's browser has no bearer token, so /approvals/ is not
    behind it; it has its own checks (secret link, nonce, same-origin POST)."""
    import re

    import httpx
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    from lighthouse_mcp.server.transports import streamable_http_app

    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, transport="streamable-http")
    service, links = approvals_of(server)
    auth = resolve_auth(Settings(transport="streamable-http", auth_token="t0ken-for-tests"))
    with running(streamable_http_app(server, auth)) as base:
        service.attach(f"{base}/approvals")
        mcp_http = httpx2.AsyncClient(headers={"Authorization": "Bearer t0ken-for-tests"})
        async with (
            Client(streamable_http_client(f"{base}/mcp", http_client=mcp_http)) as c,
            httpx.AsyncClient() as browser,
            anyio.create_task_group() as tg,
        ):
            results: list[types.CallToolResult] = []

            async def call() -> None:
                results.append(await c.call_tool("IsolateInstances", ISOLATE))

            tg.start_soon(call)
            with anyio.fail_after(10):
                while not links:
                    await anyio.sleep(0.02)
            assert (await browser.post(f"{base}/mcp", json={})).status_code == 401
            shown = await browser.get(links[0])  # no bearer token
            assert shown.status_code == 200 and "lhins-demo0001" in shown.text
            found = re.search(r'name="nonce" value="([^"]+)"', shown.text)
            assert found is not None
            form = {"nonce": found.group(1), "choice": "approve", "phrase": "lhins-demo0001"}
            foreign = await browser.post(
                links[0], data=form, headers={"Origin": "http://evil.example"}
            )
            assert foreign.status_code == 403 and mutations(sb) == []
            ok = await browser.post(links[0], data=form, headers={"Origin": base})
            assert ok.status_code == 200 and "Approved" in ok.text
    assert not results[0].is_error, results[0].content
    assert [r.action for r in mutations(sb)] == ["IsolateInstances"]
    assert audit(tmp_path)[0]["decision"] == "page-approved"
