"""`lighthouse-mcp call` with canary credentials in the environment and canary passwords
in the parameters: stdout, stderr and the log at DEBUG stay clean on every way it fails
(unreachable endpoint, API error, auth failure, local validation, broken JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.cli import main
from tests.e2e.secrets import canaries as cn
from tests.e2e.server.http_helpers import running

RESET = {"InstanceIds": ["lhins-demo0001"], "Password": cn.PASSWORD}


@pytest.fixture(autouse=True)
def canary_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", cn.SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", cn.SECRET_KEY)
    monkeypatch.setenv("TENCENTCLOUD_TOKEN", cn.SESSION_TOKEN)
    monkeypatch.delenv("LIGHTHOUSE_MCP_ENDPOINT", raising=False)


def call(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["call", *argv])
    out, err = capsys.readouterr()
    cn.assert_clean(f"`lighthouse-mcp call {argv[0]}` output", out, err)
    return code, out + err


def test_unreachable_endpoint(
    capsys: pytest.CaptureFixture[str], all_logs: pytest.LogCaptureFixture
) -> None:
    code, text = call(
        capsys,
        "ResetInstancesPassword",
        json.dumps(RESET),
        "--region",
        "ap-guangzhou",
        "--endpoint",
        "http://127.0.0.1:9",
        "--timeout",
        "2",
    )
    assert code == 1 and "cannot connect" in text
    cn.assert_clean("the log", cn.log_text(all_logs.records))


def test_api_errors_and_auth_failure(
    capsys: pytest.CaptureFixture[str], all_logs: pytest.LogCaptureFixture
) -> None:
    sb = Sandbox({cn.SECRET_ID: cn.SECRET_KEY}, tokens={cn.SECRET_ID: cn.SESSION_TOKEN}, delay=0)
    wrong = Sandbox({cn.SECRET_ID: "another-key"}, delay=0)
    with running(sb.app) as url, running(wrong.app) as wrong_url:
        ok, _ = call(
            capsys,
            "ResetInstancesPassword",
            json.dumps(RESET),
            "--region",
            "ap-guangzhou",
            "--endpoint",
            url,
        )
        refused, text = call(
            capsys,
            "ResetInstancesPassword",
            json.dumps({**RESET, "Password": cn.BAD_PASSWORD}),
            "--region",
            "ap-guangzhou",
            "--endpoint",
            url,
        )
        auth, auth_text = call(
            capsys, "DescribeInstances", "{}", "--region", "ap-guangzhou", "--endpoint", wrong_url
        )
    # The bad password breaks the documented complexity: refused before sending.
    assert ok == 0 and refused == 2 and "Password: does not meet the documented" in text
    assert not any(r.params and r.params.get("Password") == cn.BAD_PASSWORD for r in sb.requests)
    assert auth == 1 and "credentials: environment variables" in auth_text
    assert any(r.params and r.params.get("Password") == cn.PASSWORD for r in sb.requests)
    cn.assert_clean("the log", cn.log_text(all_logs.records))


def test_refused_locally(
    capsys: pytest.CaptureFixture[str], all_logs: pytest.LogCaptureFixture
) -> None:
    wrong_type, text = call(
        capsys,
        "ResetInstancesPassword",
        json.dumps({**RESET, "Password": [cn.PASSWORD]}),
        "--sandbox",
    )
    nested, _ = call(
        capsys,
        "ResetInstance",
        json.dumps(
            {
                "InstanceId": "lhins-demo0001",
                "LoginConfiguration": {"Password": {"p": cn.PASSWORD}},
                "Containers": [
                    {"ContainerImage": "x", "Envs": [{"Key": "K", "Value": [cn.ENV_VALUE]}]}
                ],
            }
        ),
        "--sandbox",
    )
    broken, _ = call(capsys, "ResetInstancesPassword", json.dumps(RESET)[:-2], "--sandbox")
    not_object, _ = call(capsys, "ResetInstancesPassword", json.dumps([cn.PASSWORD]), "--sandbox")
    assert wrong_type == nested == broken == not_object == 2 and "Password" in text
    cn.assert_clean("the log", cn.log_text(all_logs.records))
