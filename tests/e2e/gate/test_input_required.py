"""2026-era connections: no server-initiated requests, so the gate answers with an
InputRequiredResult carrying the preview form, and the official client's driver asks
the person (its elicitation callback) and retries with the answer and the request state.
The request state is a confirmation token bound to the call: replayed or moved to other
arguments it is refused with nothing sent."""

from __future__ import annotations

from pathlib import Path

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from tests.e2e.gate.helpers import (
    CLIENT,
    Person,
    audit,
    error_code,
    gate_server,
    ids,
    mutations,
    phrase_in,
)

pytestmark = pytest.mark.anyio
ISOLATE = {"InstanceIds": ["lhins-demo0001"]}


@pytest.mark.parametrize(
    ("how", "typed", "runs", "decision"),
    [
        ("accept", None, True, "elicited-accept"),
        ("accept", "lhins-demo0002", False, "declined"),
        ("decline", None, False, "declined"),
        ("cancel", None, False, "cancelled"),
    ],
)
async def test_modern_client_is_asked_through_input_required(
    tmp_path: Path, how: str, typed: str | None, runs: bool, decision: str
) -> None:
    sb, person = Sandbox(delay=0), Person(how, typed=typed)
    async with Client(
        gate_server(sb, tmp_path), elicitation_callback=person, client_info=CLIENT
    ) as c:
        result = await c.call_tool("IsolateInstances", ISOLATE)
        await c.call_tool("DescribeInstances", {})
        state = await c.call_tool("DescribeInstances", ISOLATE)
        version = c.session.protocol_version
    assert version and version >= "2026"
    (asked,) = person.seen
    assert phrase_in(asked.message) == "lhins-demo0001"
    assert result.is_error is not runs, result.content
    instance = (state.structured_content or {})["InstanceSet"][0]
    assert (instance["InstanceState"] == "SHUTDOWN") is runs
    assert len(mutations(sb)) == (1 if runs else 0)
    assert [r["decision"] for r in audit(tmp_path)] == [decision] * (2 if runs else 1)


async def test_request_state_is_single_use_and_bound_to_the_arguments(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path), elicitation_callback=Person(), client_info=CLIENT
    ) as c:
        snaps = []
        for name in ("a", "b"):
            made = await c.call_tool(
                "CreateInstanceSnapshot", {"InstanceId": "lhins-demo0001", "SnapshotName": name}
            )
            snaps.append(str((made.structured_content or {})["SnapshotId"]))
        await c.call_tool("DescribeSnapshots", {})
        first = await c.session.call_tool(
            "DeleteSnapshots", {"SnapshotIds": [snaps[0]]}, allow_input_required=True
        )
        assert isinstance(first, types.InputRequiredResult) and first.request_state
        answer: types.InputResponses = {
            "confirm": types.ElicitResult(action="accept", content={"confirm": snaps[0]})
        }
        moved = await c.session.call_tool(
            "DeleteSnapshots",
            {"SnapshotIds": [snaps[1]]},
            input_responses=answer,
            request_state=first.request_state,
        )
        ran = await c.session.call_tool(
            "DeleteSnapshots",
            {"SnapshotIds": [snaps[0]]},
            input_responses=answer,
            request_state=first.request_state,
        )
        replay = await c.session.call_tool(
            "DeleteSnapshots",
            {"SnapshotIds": [snaps[0]]},
            input_responses=answer,
            request_state=first.request_state,
        )
        left = ids(await c.call_tool("DescribeSnapshots", {}), "SnapshotSet", "SnapshotId")
    assert error_code(moved) == "ConfirmationRejected"
    assert not ran.is_error, ran.content
    assert error_code(replay) == "ConfirmationRejected"
    assert left == [snaps[1]]
    assert [r.params for r in mutations(sb, "DeleteSnapshots")] == [{"SnapshotIds": [snaps[0]]}]
    decisions = [
        (r["decision"], r.get("reason"))
        for r in audit(tmp_path)
        if r["action"] == "DeleteSnapshots"
    ]
    assert decisions == [
        ("token-rejected", "other-call"),
        ("elicited-accept", None),
        ("elicited-accept", None),
        ("token-rejected", "replayed"),
    ]


async def test_modern_client_without_elicitation_is_refused_by_default(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(gate_server(sb, tmp_path), client_info=CLIENT) as c:
        first = await c.call_tool("IsolateInstances", ISOLATE)
    assert error_code(first) == "NotConfirmed" and mutations(sb) == []
    assert "--confirm-mode token" in first.content[0].text  # type: ignore[union-attr]


async def test_modern_client_without_elicitation_gets_a_token_in_token_mode(
    tmp_path: Path,
) -> None:
    sb = Sandbox(delay=0)
    async with Client(gate_server(sb, tmp_path, confirm_mode="token"), client_info=CLIENT) as c:
        first = await c.call_tool("IsolateInstances", ISOLATE)
        token = (first.structured_content or {})["Error"]["confirm_token"]
        second = await c.call_tool("IsolateInstances", {**ISOLATE, "confirm_token": token})
    assert error_code(first) == "ConfirmationRequired" and not second.is_error
    assert [r.action for r in mutations(sb)] == ["IsolateInstances"]
