"""An approval given on replica B releases the call waiting on replica A: two gate
servers sharing one real Redis store, one sandbox; the official MCP client calls a gated
action on A (browser mode), the person answers with `lighthouse-mcp approvals` against
B's control endpoint; A's call runs within a second, once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.approvals.loopback import ApprovalServer
from lighthouse_mcp.server.principals import current_principal
from tests.e2e.gate.helpers import CLIENT, approvals_of, gate_server, mutations, never_asked
from tests.functional.server.approvals.conftest import answer_in_terminal
from tests.support.redis_server import RedisServer, redis_server

ISOLATE = {"InstanceIds": ["lhins-demo0001"]}
PHRASE = "lhins-demo0001"


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def test_an_approval_on_b_releases_the_call_waiting_on_a(
    redis: RedisServer, tmp_path: Path
) -> None:
    sb = Sandbox(delay=0)
    a = gate_server(sb, tmp_path / "a", confirm_mode="browser", store=redis.url)
    b = gate_server(sb, tmp_path / "b", confirm_mode="browser", store=redis.url)
    service_a, links = approvals_of(a)
    service_b, _ = approvals_of(b)
    control_b = tmp_path / "ctl-b"
    client = Client(a, mode="legacy", client_info=CLIENT, elicitation_callback=never_asked)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(
            ApprovalServer(service_a, control_folder=tmp_path / "ctl-a")
        ),
        portal.wrap_async_context_manager(ApprovalServer(service_b, control_folder=control_b)),
        portal.wrap_async_context_manager(client),
    ):

        async def call_as_alice() -> Any:
            # What the HTTP guard does for a token listed in --tokens-file.
            current_principal.set("alice")
            return await client.call_tool("IsolateInstances", ISOLATE)

        future = portal.start_task_soon(call_as_alice)
        deadline = time.monotonic() + 10
        while not links:
            assert time.monotonic() < deadline, "replica A never asked the person"
            time.sleep(0.01)
        code, listed = answer_in_terminal(control_b, "list", None, "")
        assert code == 0 and "IsolateInstances" in listed, listed
        assert "principal=alice" in listed  # who asked, shown on the other replica
        assert not future.done() and mutations(sb) == []
        rid = listed.split()[0]
        code, said = answer_in_terminal(control_b, "approve", rid[:8], PHRASE)
        approved = time.monotonic()
        assert code == 0 and "Approved" in said, said
        result = future.result(timeout=15)
        released = time.monotonic() - approved
    assert not result.is_error, result.content
    assert released < 1.0, released
    assert [r.action for r in mutations(sb)] == ["IsolateInstances"]
