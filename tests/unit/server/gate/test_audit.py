"""The audit log: append-only JSON lines, redacted, hashed, private file mode."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from lighthouse_mcp.server.gate.audit import AuditLog
from lighthouse_mcp.server.gate.tokens import arguments_hash

ARGS = {
    "BundleId": "bundle_gen_03",
    "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": "Sup3r$ecret!"},
    "Containers": [{"ContainerImage": "nginx", "Envs": [{"Key": "DB_PASS", "Value": "hunter2"}]}],
}


def test_records_are_appended_redacted_and_hashed(tmp_path: Path) -> None:
    path = tmp_path / "a" / "audit.jsonl"
    log = AuditLog(path)
    log.record(
        action="CreateInstances",
        region="ap-guangzhou",
        arguments=ARGS,
        decision="token-issued",
        client="claude-code",
    )
    log.record(
        action="CreateInstances",
        region="ap-guangzhou",
        arguments=ARGS,
        decision="model-relayed",
        client="claude-code",
        outcome={"RequestId": "r-1"},
    )
    text = path.read_text()
    assert "Sup3r$ecret!" not in text and "hunter2" not in text
    first, second = (json.loads(line) for line in text.splitlines())
    assert first["decision"] == "token-issued" and second["outcome"] == {"RequestId": "r-1"}
    assert first["arguments"]["LoginConfiguration"] == "<redacted>"
    assert first["arguments"]["Containers"][0]["Envs"][0] == {
        "Key": "DB_PASS",
        "Value": "<redacted>",
    }
    assert first["arguments_sha256"] == arguments_hash("CreateInstances", "ap-guangzhou", ARGS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_unknown_decision_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        AuditLog(tmp_path / "x").record(
            action="A", region="r", arguments={}, decision="maybe", client=None
        )
