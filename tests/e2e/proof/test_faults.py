"""Faults injected in the sandbox, seen through the MCP server (official client).

Reads recover within the retry bounds or fail with a clear error after them; a call
that may change something is sent exactly once whatever goes wrong; CreateInstances,
which carries an idempotency ClientToken, is retried but creates exactly once -- also
through the confirmation gate's token flow; the server answers other calls while one
waits; cancelling a call stops its work; the audit log keeps a record of a mutating
call that failed half-way.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import Feature
from tests.e2e.proof.faulty import (
    MAX_ATTEMPTS,
    fault_client,
    fault_server,
    loopback_sandbox,
)
from tests.e2e.proof.harness import assert_no_leak, error_code, text_of

pytestmark = pytest.mark.anyio
CLIENT = types.Implementation(name="proof-faults", version="1")
#: (kind, extra options): every fault the sandbox can inject that answers at once.
FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("http_error", {"status": 503}),
    ("http_error", {"status": 502}),
    ("internal_error", {}),
    ("throttle", {}),
    ("drop", {}),
    ("malformed", {}),
]
FAULT_IDS = [f"{k}{o.get('status', '')}" for k, o in FAULTS]


def _sent(sb: Sandbox, action: str) -> list[Any]:
    return [r for r in sb.requests if r.action == action and not (r.params or {}).get("DryRun")]


async def _first_instance(c: Client) -> str:
    listed = await c.call_tool("DescribeInstances", {})
    return str((listed.structured_content or {})["InstanceSet"][0]["InstanceId"])


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=FAULT_IDS)
async def test_read_recovers_from_a_burst_within_the_retry_bounds(
    tmp_path: Path, kind: str, options: dict[str, Any]
) -> None:
    sb = Sandbox(delay=0)
    async with Client(fault_server(sb, tmp_path, fault_client(sb)), client_info=CLIENT) as c:
        sb.faults.add(kind, "DescribeInstances", count=MAX_ATTEMPTS - 1, **options)  # type: ignore[arg-type]
        result = await c.call_tool("DescribeInstances", {})
    assert not result.is_error, text_of(result)
    assert len(_sent(sb, "DescribeInstances")) == MAX_ATTEMPTS  # 3 faults, then the answer


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=FAULT_IDS)
async def test_read_fails_clearly_after_the_bounds(
    tmp_path: Path, kind: str, options: dict[str, Any]
) -> None:
    sb = Sandbox(delay=0)
    async with Client(fault_server(sb, tmp_path, fault_client(sb)), client_info=CLIENT) as c:
        sb.faults.add(kind, "DescribeInstances", **options)  # type: ignore[arg-type]
        started = time.monotonic()
        result = await c.call_tool("DescribeInstances", {})
        took = time.monotonic() - started
        sb.faults.clear()
        after = await c.call_tool("DescribeInstances", {})
    assert result.is_error and error_code(result), text_of(result)
    assert_no_leak(result)
    assert f"Attempts: {MAX_ATTEMPTS}" in text_of(result) and "DescribeInstances" in text_of(result)
    assert len(_sent(sb, "DescribeInstances")) == MAX_ATTEMPTS + 1  # bounded, then the next
    assert took < 3.0
    assert not after.is_error  # the server is still fine


#: Each fault before the sandbox processes the request, and (for the kinds that can)
#: after it did, losing the answer of a change that happened.
WRITE_FAULTS = [(k, o, False) for k, o in FAULTS] + [
    (k, o, True) for k, o in FAULTS if k in ("drop", "http_error", "malformed")
]


@pytest.mark.parametrize(
    ("kind", "options", "after"),
    WRITE_FAULTS,
    ids=[f"{k}{o.get('status', '')}{'-after' if a else ''}" for k, o, a in WRITE_FAULTS],
)
async def test_a_mutating_call_is_never_sent_twice(
    tmp_path: Path, kind: str, options: dict[str, Any], after: bool
) -> None:
    sb = Sandbox(delay=0)
    async with Client(fault_server(sb, tmp_path, fault_client(sb)), client_info=CLIENT) as c:
        iid = await _first_instance(c)
        sb.faults.add(
            kind,  # type: ignore[arg-type]
            "RebootInstances",
            count=MAX_ATTEMPTS,
            after=after,
            **options,
        )
        result = await c.call_tool("RebootInstances", {"InstanceIds": [iid]})
    assert result.is_error, text_of(result)
    assert_no_leak(result)
    assert len(_sent(sb, "RebootInstances")) == 1
    assert "Attempts:" not in text_of(result)
    # Unless the API refused it outright (throttled), the caller is told it may have run.
    assert ("Outcome unknown" in text_of(result)) is (kind != "throttle"), text_of(result)


@pytest.mark.parametrize("kind", ["drop", "http_error", "malformed"])
async def test_create_instances_creates_once_through_the_gate_token_flow(
    tmp_path: Path, kind: str
) -> None:
    """Approved by token, the create's answer is lost twice after the sandbox created the
    instance; the client retries with the same ClientToken and gets the first result."""
    sb = Sandbox(delay=0)
    args = {
        "BundleId": "bundle2022_gen_01",
        "BlueprintId": "lhbp-uh2t0ifo",
        "InstanceCount": 1,
        "InstanceChargePrepaid": {"Period": 1},
        "InstanceName": "once",
    }
    async with Client(
        fault_server(sb, tmp_path, fault_client(sb), confirm_mode="token"),
        mode="legacy",
        client_info=CLIENT,
    ) as c:
        before = {i["InstanceId"] for i in await _instances(c)}
        asked = await c.call_tool("CreateInstances", args)
        assert error_code(asked) == "ConfirmationRequired", text_of(asked)
        token = (asked.structured_content or {})["Error"]["confirm_token"]
        sb.faults.add(kind, "CreateInstances", count=2, after=True)  # type: ignore[arg-type]
        done = await c.call_tool("CreateInstances", args | {"confirm_token": token})
        assert not done.is_error, text_of(done)
        created = set((done.structured_content or {})["InstanceIdSet"])
        after = {i["InstanceId"] for i in await _instances(c)}
    sends = _sent(sb, "CreateInstances")
    assert len(sends) == 3 and len({r.params["ClientToken"] for r in sends}) == 1
    assert after - before == created and len(created) == 1
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    outcomes = [r for r in records if r["action"] == "CreateInstances" and "outcome" in r]
    assert [r["outcome"]["status"] for r in outcomes] == ["ok"]


async def _instances(c: Client) -> list[dict[str, Any]]:
    listed = await c.call_tool("DescribeInstances", {"Limit": 100})
    return list((listed.structured_content or {})["InstanceSet"])


async def test_read_timeouts_are_retried_then_reported(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    with loopback_sandbox(sb) as base:
        client = fault_client(sb, endpoint=base, loopback=True, timeout=0.2)
        async with Client(fault_server(sb, tmp_path, client), client_info=CLIENT) as c:
            sb.faults.add("latency", "DescribeInstances", count=MAX_ATTEMPTS - 1, seconds=0.5)
            recovered = await c.call_tool("DescribeInstances", {})
            sb.faults.add("latency", "DescribeInstances", seconds=0.5)
            failed = await c.call_tool("DescribeInstances", {})
            sb.faults.clear()
    assert not recovered.is_error, text_of(recovered)
    assert failed.is_error and "time" in text_of(failed).lower(), text_of(failed)
    assert_no_leak(failed)
    assert len(_sent(sb, "DescribeInstances")) == 2 * MAX_ATTEMPTS


async def test_write_timeout_is_not_retried_over_the_network(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    with loopback_sandbox(sb) as base:
        client = fault_client(sb, endpoint=base, loopback=True, timeout=0.2)
        async with Client(fault_server(sb, tmp_path, client), client_info=CLIENT) as c:
            iid = await _first_instance(c)
            sb.faults.add("latency", "RebootInstances", seconds=0.6)
            result = await c.call_tool("RebootInstances", {"InstanceIds": [iid]})
            sb.faults.clear()
            await anyio.sleep(0.6)  # let the slow request finish inside the sandbox
    assert result.is_error and len(_sent(sb, "RebootInstances")) == 1
    assert "Outcome unknown" in text_of(result), text_of(result)


async def test_dropped_connections_over_loopback(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    with loopback_sandbox(sb) as base:
        client = fault_client(sb, endpoint=base, loopback=True)
        async with Client(fault_server(sb, tmp_path, client), client_info=CLIENT) as c:
            iid = await _first_instance(c)
            sb.faults.add("drop", "DescribeInstances", count=2)
            read = await c.call_tool("DescribeInstances", {})
            sb.faults.add("drop", "StopInstances", count=1, after=True)
            write = await c.call_tool("StopInstances", {"InstanceIds": [iid]})
    assert not read.is_error and len(_sent(sb, "DescribeInstances")) == 3 + 1
    assert write.is_error and len(_sent(sb, "StopInstances")) == 1
    assert "Outcome unknown" in text_of(write)
    assert_no_leak(write)


async def test_server_answers_other_calls_while_one_waits(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    quick: list[float] = []
    async with Client(fault_server(sb, tmp_path, fault_client(sb)), client_info=CLIENT) as c:
        sb.faults.add("latency", "DescribeInstances", count=1, seconds=1.5)
        slow: list[types.CallToolResult] = []

        async def slow_call() -> None:
            slow.append(await c.call_tool("DescribeInstances", {}))

        async with anyio.create_task_group() as tg:
            tg.start_soon(slow_call)
            await anyio.sleep(0.1)
            for _ in range(10):
                started = time.monotonic()
                other = await c.call_tool("DescribeRegions", {})
                quick.append(time.monotonic() - started)
                assert not other.is_error
            assert not slow  # the slow call is still waiting
    assert slow and not slow[0].is_error
    assert max(quick) < 0.5, quick


async def test_cancelling_a_call_stops_its_work(tmp_path: Path) -> None:
    """wait_for polls DescribeInstances until a state is reached; cancelled by the
    client (notifications/cancelled), it sends no further poll."""
    sb = Sandbox(delay=0)
    features = (Feature.GATE, Feature.WAITS)
    async with Client(
        fault_server(sb, tmp_path, fault_client(sb), features=features), client_info=CLIENT
    ) as c:
        iid = await _first_instance(c)
        polls_before = len(_sent(sb, "DescribeInstances"))
        with anyio.move_on_after(1.3):  # the first two polls (0 s and 1 s) happen
            await c.call_tool(
                "wait_for",
                {
                    "resource": "instance",
                    "ids": [iid],
                    "target_state": "GONE",
                    "timeout_seconds": 60,
                },
            )
        polled = len(_sent(sb, "DescribeInstances")) - polls_before
        await anyio.sleep(2.5)  # uncancelled, it would poll at 2.5 s and 3.9 s
        assert len(_sent(sb, "DescribeInstances")) - polls_before == polled
        assert not (await c.call_tool("DescribeRegions", {})).is_error
    assert polled >= 1


async def test_audit_keeps_a_record_of_a_write_that_failed_half_way(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(fault_server(sb, tmp_path, fault_client(sb)), client_info=CLIENT) as c:
        iid = await _first_instance(c)
        sb.faults.add("drop", "StopInstances", count=1, after=True)
        dropped = await c.call_tool("StopInstances", {"InstanceIds": [iid]})
        sb.faults.add("http_error", "RebootInstances", count=1)
        failed = await c.call_tool("RebootInstances", {"InstanceIds": [iid]})
    assert dropped.is_error and failed.is_error
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    by_action = {r["action"]: r for r in records if "outcome" in r}
    assert by_action["StopInstances"]["outcome"]["status"] == "error" or by_action["StopInstances"][
        "outcome"
    ].get("ErrorCode")
    assert "RebootInstances" in by_action
    assert all(not catalog.is_read(r["action"]) for r in records)


async def test_audit_keeps_a_record_of_a_write_cancelled_in_flight(tmp_path: Path) -> None:
    """The request reached the API, then the client cancelled the call: whether it ran is
    unknown, which is exactly what the audit log must not forget."""
    sb = Sandbox(delay=0)
    async with Client(fault_server(sb, tmp_path, fault_client(sb)), client_info=CLIENT) as c:
        iid = await _first_instance(c)
        sb.faults.add("latency", "RebootInstances", count=1, seconds=1.0)
        with anyio.move_on_after(0.3):
            await c.call_tool("RebootInstances", {"InstanceIds": [iid]})
        await anyio.sleep(0.2)  # the server handles notifications/cancelled
        assert not (await c.call_tool("DescribeRegions", {})).is_error
    assert len(_sent(sb, "RebootInstances")) == 1
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    reboots = [r for r in records if r["action"] == "RebootInstances"]
    assert [r.get("outcome", {}).get("status") for r in reboots] == ["cancelled"], reboots
