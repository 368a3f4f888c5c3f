"""Soak: memory stays flat for the server and the sandbox over many requests.

One MCP session through the official client drives the server (every feature, the
confirmation gate and its audit log included) against the in-process sandbox with a mix
of what a session does: reads, a write, a validation error, an API error, ``wait_for``,
a live resource, a prompt. After a warm-up (caches, first-use imports), tracemalloc
measures the memory still held at two checkpoints ``SOAK_CALLS`` requests apart; the
growth per request must stay under ``MAX_GROWTH_PER_CALL`` for everything, and
separately for what the sandbox's own code allocated. A leak of the size issue 16 found
in the sandbox's request log (about 0.67 KiB a request) fails it; so does a leak of a
tenth of that.

The sandbox's request log is emptied before each checkpoint: it keeps every request by
design here (``sb.requests``) and is bounded separately. Everything else counts.

``SOAK_CALLS`` (environment; default 200, run in CI) scales it:
``SOAK_CALLS=20000 uv run --extra test pytest -q tests/e2e/proof/test_soak.py``.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SOAK_CALLS = int(os.environ.get("SOAK_CALLS", "200"))
WARM_UP_CALLS = 90
#: What may be held at the end beyond the start: a fixed slack (free lists, the odd
#: cache entry; it does not grow with the count) plus this much per request. A leak of
#: 64 bytes a request shows once SOAK_CALLS is in the thousands; one of 0.67 KiB a
#: request (issue 16's request log) at the CI default.
SLACK_BYTES = 32 * 1024
MAX_GROWTH_PER_CALL = 64
#: Traceback depth tracemalloc keeps: deep enough to find the sandbox's code under
#: json/copy calls, shallow enough to keep the soak fast.
FRAMES = 6
INSTANCE = "lhins-demo0001"
SANDBOX_CODE = "*/lighthouse_mcp/sandbox/*"

Step = Callable[[Client], Awaitable[object]]


async def _call(client: Client, tool: str, args: dict[str, object]) -> types.CallToolResult:
    return await client.call_tool(tool, args)


STEPS: list[tuple[str, Step]] = [
    ("read", lambda c: _call(c, "DescribeInstances", {"InstanceIds": [INSTANCE]})),
    ("read, paged", lambda c: _call(c, "DescribeBlueprints", {"all_pages": True})),
    ("another read", lambda c: _call(c, "DescribeZones", {})),
    (
        "write",
        lambda c: _call(
            c, "ModifyInstancesAttribute", {"InstanceIds": [INSTANCE], "InstanceName": "soak"}
        ),
    ),
    ("invalid", lambda c: _call(c, "DescribeInstances", {"Limit": "many"})),
    ("api error", lambda c: _call(c, "DescribeInstances", {"InstanceIds": ["lhins-nothere0"]})),
    (
        "wait_for",
        lambda c: _call(
            c,
            "wait_for",
            {"resource": "instance", "ids": [INSTANCE], "target_state": "RUNNING"},
        ),
    ),
    ("resource", lambda c: c.read_resource(f"lighthouse://instances/ap-guangzhou/{INSTANCE}")),
    (
        "prompt",
        lambda c: c.get_prompt(
            "diagnose_unreachable_instance", {"instance_id": INSTANCE, "region": "ap-guangzhou"}
        ),
    ),
]


def _held(sb: Sandbox) -> tuple[int, int]:
    """(bytes held by everything, bytes held by allocations made in the sandbox's code)."""
    sb.requests.clear()
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    everything = sum(stat.size for stat in snapshot.statistics("filename"))
    in_sandbox = snapshot.filter_traces([tracemalloc.Filter(True, SANDBOX_CODE, all_frames=True)])
    return everything, sum(stat.size for stat in in_sandbox.statistics("filename"))


async def _run(client: Client, calls: int) -> None:
    for i in range(calls):
        name, step = STEPS[i % len(STEPS)]
        result = await step(client)
        if isinstance(result, types.CallToolResult) and name not in ("invalid", "api error"):
            assert not result.is_error, (name, result.content)


async def test_memory_is_flat_over_many_requests(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    settings = Settings(
        sandbox=True,
        region="ap-guangzhou",
        audit_log=tmp_path / "audit.jsonl",
        key_dir=tmp_path / "keys",
        confirm_mode="token",
    )
    server = build_server(settings, sandbox=sb)
    tracemalloc.start(FRAMES)
    try:
        async with Client(server) as client:
            await _run(client, WARM_UP_CALLS)
            start = _held(sb)
            await _run(client, SOAK_CALLS)
            end = _held(sb)
    finally:
        tracemalloc.stop()
        await server.aclose()
    allowed = SLACK_BYTES + MAX_GROWTH_PER_CALL * SOAK_CALLS
    report = (
        f"over {SOAK_CALLS} requests: everything {start[0] / 1024:.0f} -> {end[0] / 1024:.0f} "
        f"KiB, the sandbox's allocations {start[1] / 1024:.0f} -> {end[1] / 1024:.0f} KiB "
        f"(allowed growth {allowed / 1024:.0f} KiB)"
    )
    print(report)
    assert end[0] - start[0] < allowed, report
    assert end[1] - start[1] < allowed, report
    assert (tmp_path / "audit.jsonl").read_text().count("ModifyInstancesAttribute") >= (
        SOAK_CALLS // len(STEPS)
    )  # the writes really ran (and were audited)
