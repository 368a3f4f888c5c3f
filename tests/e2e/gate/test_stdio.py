"""The gate in a real `python -m lighthouse_mcp.server --sandbox` subprocess over stdio:
the flags reach it, the token flow works across the process boundary, the audit log
and saved key land where the flags say."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from tests.e2e.gate.helpers import CLIENT, Person, error_code

pytestmark = pytest.mark.anyio


def _params(tmp_path: Path, *flags: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        # No browser is opened, and the approval page's control file stays in tmp_path.
        env={
            **os.environ,
            "LIGHTHOUSE_MCP_NO_OPEN_BROWSER": "1",
            "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        },
        args=[
            "-m",
            "lighthouse_mcp.server",
            "--sandbox",
            "--audit-log",
            str(tmp_path / "audit.jsonl"),
            "--key-dir",
            str(tmp_path / "keys"),
            *flags,
        ],
    )


async def test_token_flow_and_secrets_over_stdio(tmp_path: Path) -> None:
    args = {"InstanceIds": ["lhins-demo0001"]}
    flags = ("--confirm-mode", "token")
    async with Client(_params(tmp_path, *flags), mode="legacy", client_info=CLIENT) as c:
        first = await c.call_tool("IsolateInstances", args)
        token = (first.structured_content or {})["Error"]["confirm_token"]
        run = await c.call_tool("IsolateInstances", {**args, "confirm_token": token})
        again = await c.call_tool("IsolateInstances", {**args, "confirm_token": token})
        key = await c.call_tool("CreateKeyPair", {"KeyName": "ops"})
    assert error_code(first) == "ConfirmationRequired"
    assert not run.is_error and error_code(again) == "ConfirmationRejected"
    path = Path((key.structured_content or {})["PrivateKeyFile"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    log = tmp_path / "audit.jsonl"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["action"], r["decision"]) for r in records] == [
        ("IsolateInstances", "token-issued"),
        ("IsolateInstances", "model-relayed"),
        ("IsolateInstances", "model-relayed"),
        ("IsolateInstances", "token-rejected"),
        ("CreateKeyPair", "not-gated"),
    ]
    assert records[2]["outcome"]["RequestId"] == (run.structured_content or {})["RequestId"]


async def test_elicitation_over_stdio_with_disruptive_gated(tmp_path: Path) -> None:
    person = Person("accept")
    async with Client(
        _params(tmp_path, "--confirm", "disruptive", "--confirm-mode", "elicit"),
        mode="legacy",
        elicitation_callback=person,
        client_info=CLIENT,
    ) as c:
        stop = await c.call_tool("StopInstances", {"InstanceIds": ["lhins-demo0001"]})
        create = await c.call_tool(
            "CreateInstances",
            {
                "BundleId": "bundle2022_gen_01",
                "BlueprintId": "lhbp-d1h2n3x4",
                "InstanceChargePrepaid": {"Period": 1},
            },
        )
    assert not stop.is_error and not create.is_error
    # --confirm adds disruptive to the defaults: both are asked
    stop_asked, create_asked = person.seen
    assert "StopInstances" in stop_asked.message and "CreateInstances" in create_asked.message
    assert "`" not in stop_asked.message  # disruptive: an approve box, no phrase


async def test_default_mode_over_stdio_waits_for_the_terminal_command(tmp_path: Path) -> None:
    """A real stdio server, a client without elicitation, the default mode: the call waits
    on the server's own approval page until `lighthouse-mcp approvals` approves it."""
    import anyio

    from tests.functional.server.approvals.conftest import answer_in_terminal

    folder = tmp_path / "run" / "lighthouse-mcp"
    args = {"InstanceIds": ["lhins-demo0001"]}

    def answer(verb: str, rid: str | None = None, typed: str = "") -> tuple[int, str]:
        return answer_in_terminal(folder, verb, rid, typed)

    async with Client(_params(tmp_path), mode="legacy", client_info=CLIENT) as c:
        results = []

        async def call() -> None:
            results.append(await c.call_tool("IsolateInstances", args))

        async with anyio.create_task_group() as tg:
            tg.start_soon(call)
            listed = ""
            with anyio.fail_after(20):
                while "IsolateInstances" not in listed:
                    await anyio.sleep(0.1)
                    listed = (await anyio.to_thread.run_sync(answer, "list"))[1]
            rid = listed.split()[0]
            code, said = await anyio.to_thread.run_sync(answer, "approve", rid, "lhins-demo0001")
            assert code == 0, said
        described = await c.call_tool("DescribeInstances", args)
    assert not results[0].is_error, results[0].content
    state = (described.structured_content or {})["InstanceSet"][0]["InstanceState"]
    assert state != "RUNNING"  # isolated (or being isolated)
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [r["decision"] for r in records] == ["terminal-approved", "terminal-approved"]
