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
        env=dict(os.environ),
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
    async with Client(_params(tmp_path), mode="legacy", client_info=CLIENT) as c:
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
        ("IsolateInstances", "token-confirmed"),
        ("IsolateInstances", "token-confirmed"),
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
    assert not stop.is_error and not create.is_error  # billing is not gated with --confirm
    (asked,) = person.seen
    assert "StopInstances" in asked.message
    assert "`" not in asked.message  # disruptive: an approve box, no phrase
