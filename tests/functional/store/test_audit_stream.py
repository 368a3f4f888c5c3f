"""The audit trail in the shared store: two replicas' gate audit logs mirror into one
Redis stream beside their local files; `lighthouse-mcp audit` tails and filters it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lighthouse_mcp.server.gate.audit import AuditLog
from lighthouse_mcp.server.shared_audit import AUDIT_STREAM, AuditStream
from lighthouse_mcp.store import open_store
from tests.support.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.anyio


def _audit(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", "audit", "--store", url, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_two_replicas_write_one_trail_and_the_command_filters_it(
    redis: RedisServer, tmp_path: Path
) -> None:
    a_store, b_store = await open_store(redis.url), await open_store(redis.url)
    a_stream, b_stream = AuditStream(a_store), AuditStream(b_store)
    a = AuditLog(tmp_path / "a.jsonl", a_stream.mirror)
    b = AuditLog(tmp_path / "b.jsonl", b_stream.mirror)
    a.record(
        action="TerminateInstances",
        region="ap-guangzhou",
        arguments={"InstanceIds": ["lhins-1"]},
        decision="declined",
        client="ide",
    )
    await a_stream.flush()
    b.record(
        action="StopInstances",
        region="ap-guangzhou",
        arguments={"InstanceIds": ["lhins-2"], "Password": "Hunter2-secret!"},
        decision="not-gated",
        client="chat",
        outcome={"status": "ok"},
    )
    await b_stream.flush()
    entries = await a_store.read(AUDIT_STREAM)
    assert [e.fields["action"] for e in entries] == ["TerminateInstances", "StopInstances"]
    # The local files still have each replica's own records.
    assert "TerminateInstances" in (tmp_path / "a.jsonl").read_text()
    assert "StopInstances" in (tmp_path / "b.jsonl").read_text()
    await a_store.aclose()
    await b_store.aclose()

    everything = _audit(redis.url)
    assert everything.returncode == 0, everything.stderr
    records = [json.loads(line) for line in everything.stdout.splitlines()]
    assert [r["action"] for r in records] == ["TerminateInstances", "StopInstances"]
    assert "Hunter2-secret!" not in everything.stdout  # redacted before it left the replica
    only = _audit(redis.url, "--decision", "declined")
    assert [json.loads(x)["action"] for x in only.stdout.splitlines()] == ["TerminateInstances"]
    after = _audit(redis.url, "--after", records[0]["stream_id"])
    assert [json.loads(x)["action"] for x in after.stdout.splitlines()] == ["StopInstances"]
    last = _audit(redis.url, "-n", "1")
    assert [json.loads(x)["action"] for x in last.stdout.splitlines()] == ["StopInstances"]


async def test_a_lost_store_keeps_records_in_the_file(tmp_path: Path) -> None:
    with redis_server() as server:
        store = await open_store(server.url)
        server.stop()
        stream = AuditStream(store)
        log = AuditLog(tmp_path / "a.jsonl", stream.mirror)
        log.record(
            action="StopInstances", region="r", arguments={}, decision="not-gated", client=None
        )
        await stream.flush()
        assert stream.lost == 1
        assert "StopInstances" in (tmp_path / "a.jsonl").read_text()
        await store.aclose()


def test_the_command_needs_a_shared_store() -> None:
    done = _audit("memory://")
    assert done.returncode == 2
    assert "--store: the audit stream lives in a shared store" in done.stderr
