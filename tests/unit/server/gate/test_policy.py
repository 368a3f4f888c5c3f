"""The gate's policy: which calls need a person, by which mechanism, and the flags that
must not be given by accident."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.server.cli import main
from lighthouse_mcp.server.config import ConfigError, Settings, parse_settings
from lighthouse_mcp.server.gate import GatePolicy, policy_from_settings

#: The issue's list: these must be destructive (and so gated by default).
MUST_BE_DESTRUCTIVE = (
    "TerminateInstances",
    "IsolateInstances",
    "ResetInstance",
    "ApplyInstanceSnapshot",
    "DeleteSnapshots",
    "DeleteBlueprints",
    "DeleteKeyPairs",
    "TerminateDisks",
    "IsolateDisks",
    "DeleteDiskBackups",
    "ApplyDiskBackup",
    "DeleteFirewallRules",
    "ModifyFirewallRules",
    "DeleteFirewallTemplate",
    "ResetFirewallTemplateRules",
    "RemoveDockerContainers",
    "ShareBlueprintAcrossAccounts",
)


def test_default_policy_gates_destructive_billing_and_secret_reads() -> None:
    policy = policy_from_settings(Settings())
    gated = {a for a in catalog.action_names() if policy.needs_confirmation(a)}
    expected = {
        a for a in catalog.action_names() if catalog.safety_class(a) in ("destructive", "billing")
    }
    assert gated == expected | {"DescribeInstanceVncUrl"}
    assert set(MUST_BE_DESTRUCTIVE) <= gated
    for action in ("DescribeInstances", "CreateKeyPair", "StopInstances", "StartInstances"):
        assert not policy.needs_confirmation(action)
    # Never a token by default: only --confirm-mode token offers confirm_token.
    assert not policy.offers_token("TerminateInstances")
    assert not policy.offers_token("DescribeInstances")


@pytest.mark.parametrize("listed", ["disruptive", "destructive,disruptive", "write", ""])
def test_confirm_adds_classes_to_the_defaults(listed: str) -> None:
    """--confirm never un-gates destructive or billing actions, whatever it lists."""
    policy = policy_from_settings(parse_settings(["--confirm", listed]))
    assert policy.needs_confirmation("TerminateInstances")
    assert policy.needs_confirmation("CreateInstances")
    assert policy.needs_confirmation("StopInstances") == ("disruptive" in listed)
    assert policy.mode == "auto"


def test_dropping_a_default_class_takes_the_dangerous_flag() -> None:
    argv = ["--confirm", "disruptive", "--dangerously-skip-confirmation"]
    policy = policy_from_settings(parse_settings(argv))
    assert policy.needs_confirmation("StopInstances")
    assert not policy.needs_confirmation("TerminateInstances")
    assert not policy.needs_confirmation("CreateInstances")
    assert policy.mode == "auto"


def test_modes() -> None:
    assert not GatePolicy(mode="elicit").offers_token("TerminateInstances")
    assert not GatePolicy(mode="browser").offers_token("TerminateInstances")
    assert not GatePolicy(mode="auto").offers_token("TerminateInstances")
    assert GatePolicy(mode="token").offers_token("TerminateInstances")
    assert not GatePolicy(return_secrets=True).needs_confirmation("DescribeInstanceVncUrl")
    off = policy_from_settings(parse_settings(["--dangerously-skip-confirmation"]))
    assert off.mode == "off" and not off.needs_confirmation("TerminateInstances")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--confirm-mode", "off"], "--dangerously-skip-confirmation"),
        (["--confirm-mode", "token", "--dangerously-skip-confirmation"], "contradicts"),
        (["--confirm-mode", "browser", "--dangerously-skip-confirmation"], "contradicts"),
        (
            ["--confirm", "write", "--confirm-mode", "off", "--dangerously-skip-confirmation"],
            "contradicts",
        ),
    ],
)
def test_unsafe_or_contradictory_flags_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        policy_from_settings(parse_settings(argv))


def test_serve_refuses_to_start_with_confirmation_off(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sandbox", "--confirm-mode", "off"]) == 2
    err = capsys.readouterr().err
    assert "lighthouse-mcp: error: --confirm-mode off" in err
    assert "--dangerously-skip-confirmation" in err and "Traceback" not in err


@pytest.mark.anyio
async def test_a_preview_that_cannot_be_built_fails_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lighthouse_mcp.server.gate.confirm as gate_module
    from lighthouse_mcp.server.gate.audit import AuditLog
    from lighthouse_mcp.server.hooks import PendingCall, SessionInfo

    async def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    def reader(region: str) -> Any:
        return None

    monkeypatch.setattr(gate_module, "build_preview", explode)
    gate = gate_module.ConfirmationGate(
        GatePolicy(), audit=AuditLog(tmp_path / "a.jsonl"), reader=reader
    )
    decision = await gate.check(
        PendingCall("CreateInstances", "ap-guangzhou", {}),
        SessionInfo(session_id="s", can_elicit=True),
    )
    assert not decision.allowed and decision.result is not None
    assert "nobody was asked" in decision.result.content[0].text  # type: ignore[union-attr]
    (line,) = (tmp_path / "a.jsonl").read_text().splitlines()
    assert '"reason": "preview-failed: RuntimeError"' in line


def test_serve_refuses_an_audit_log_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["--sandbox", "--audit-log", str(blocker / "audit.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "--audit-log: cannot write the audit log" in err and "Traceback" not in err


def test_serve_refuses_a_policy_that_does_not_parse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text('{"rules": [\n  {"id": "x", "actions": ["StopInstances"],,}\n]}\n')
    assert main(["--sandbox", "--policy", str(policy)]) == 2
    err = capsys.readouterr().err
    assert (
        f"--policy: {policy} line 2 column 44: Expecting property name" in err
        and "Traceback" not in err
    )


def test_the_policy_file_comes_from_the_environment_too(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"rules": [{"id": "no-stop", "actions": ["StopInstances"], "decision": "deny", '
        '"reason": "never"}]}'
    )
    settings = parse_settings([], env={"LIGHTHOUSE_MCP_POLICY": str(policy)})
    assert settings.policy == policy
    verdict = policy_from_settings(settings).verdict("StopInstances", {"InstanceIds": ["i"]})
    assert verdict.decision == "deny" and verdict.reasons == ("never",)
    missing = parse_settings(["--policy", str(tmp_path / "nope.json")])
    with pytest.raises(ConfigError, match="--policy: cannot read"):
        policy_from_settings(missing)


def test_every_lifted_default_is_logged_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"rules": [{"id": "bastion", "actions": ["CreateFirewallRules"], "decision": "allow", '
        '"reason": "bastion", "overrides": ["firewall-admin-port-to-world"]}]}'
    )
    with caplog.at_level("WARNING", logger="lighthouse_mcp.server"):
        policy_from_settings(parse_settings(["--policy", str(policy)]))
    assert "rule bastion lifts rule firewall-admin-port-to-world" in caplog.text
