"""`lighthouse-mcp call`: prints the Response, refuses bad input before sending (naming
the field), reports API errors with code/message/RequestId and distinct exit codes."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx
import pytest

from lighthouse_mcp import client as client_pkg
from lighthouse_mcp.server import cli
from lighthouse_mcp.server.cli import call as call_command


def _patch_client(monkeypatch: pytest.MonkeyPatch, replacement: Any) -> None:
    """Replace LighthouseClient where `call` builds one (directly, or for the sandbox)."""
    monkeypatch.setattr(call_command, "LighthouseClient", replacement)
    # api_client imports it from the package when it builds a client (not at start)
    monkeypatch.setattr(client_pkg, "LighthouseClient", replacement)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["call", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_sandbox_call_prints_the_response_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "DescribeInstances", '{"Limit": 1}', "--sandbox")
    assert code == 0, err
    response = json.loads(out)
    assert response["RequestId"] and len(response["InstanceSet"]) == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["DescribeInstance", "{}"], "Did you mean DescribeInstances"),
        (["DescribeInstances", "{bad"], "not valid JSON"),
        (["DescribeInstances", "[1]"], "must be a JSON object"),
        (["DescribeInstances", '{"Limit": "ten"}'], "Limit: expected integer"),
        (["DescribeInstances", '{"Bogus": 1}'], "Bogus: unknown parameter"),
        (["DescribeInstances", '{"Region": 5}'], "Region must be a string"),
    ],
)
def test_invalid_input_is_refused_before_sending(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    expected: str,
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("nothing may be sent for invalid input")

    _patch_client(monkeypatch, boom)
    code, out, err = run(capsys, *argv, "--sandbox")
    assert code == 2 and out == ""
    assert expected in err


def test_destructive_action_needs_yes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _patch_client(monkeypatch, None)
    code, _, err = run(
        capsys,
        "TerminateInstances",
        '{"InstanceIds": ["lhins-12345678"]}',
        "--region",
        "ap-guangzhou",
    )
    assert code == 3 and "--yes" in err and "destructive" in err


class _Scripted(client_pkg.LighthouseClient):
    """The real client over a MockTransport answering one scripted envelope."""

    answer: ClassVar[dict[str, Any]] = {}
    seen: ClassVar[list[httpx.Request]] = []

    def __init__(self, **options: Any) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            return httpx.Response(200, json={"Response": self.answer})

        options.update(
            transport=httpx.MockTransport(handler),
            credentials=client_pkg.Credentials("AKIDcmdcall0000000", "secret"),
            rate_limits=False,
        )
        super().__init__(**options)


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [
        ("ResourceNotFound.InstanceIdNotFound", 1),
        ("InvalidParameterValue.Bad", 2),
        ("AuthFailure.SignatureFailure", 1),
    ],
)
def test_api_errors_print_code_message_request_id(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: str,
    exit_code: int,
) -> None:
    _Scripted.answer = {"Error": {"Code": error, "Message": "the message"}, "RequestId": "rid-9"}
    _Scripted.seen = []
    _patch_client(monkeypatch, _Scripted)
    code, out, err = run(
        capsys,
        "StopInstances",
        '{"InstanceIds": ["lhins-12345678"]}',
        "--region",
        "ap-guangzhou",
        "--endpoint",
        "http://127.0.0.1:9",
    )
    assert code == exit_code and out == ""
    for part in (error, "the message", "rid-9", "StopInstances", "ap-guangzhou"):
        assert part in err
    if error.startswith("AuthFailure"):
        assert "credentials: explicit configuration" in err
    assert "secret" not in err.replace("SecretId", "")
    (request,) = _Scripted.seen
    assert request.headers["X-TC-Region"] == "ap-guangzhou"
    assert str(request.url) == "http://127.0.0.1:9/"


def test_region_inside_the_json_becomes_the_header(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _Scripted.answer = {"RequestId": "r", "TotalCount": 0, "InstanceSet": []}
    _Scripted.seen = []
    _patch_client(monkeypatch, _Scripted)
    code, out, _ = run(capsys, "DescribeInstances", '{"Region": "ap-beijing", "Limit": 1}')
    assert code == 0 and json.loads(out)["TotalCount"] == 0
    (request,) = _Scripted.seen
    assert request.headers["X-TC-Region"] == "ap-beijing"
    assert json.loads(request.content) == {"Limit": 1}


def test_transport_errors_exit_1_with_a_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDxxxxxxxxxxxxxxxx")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "a-secret-key-value")
    code, out, err = run(
        capsys,
        "StopInstances",
        '{"InstanceIds": ["lhins-12345678"]}',
        "--region",
        "ap-guangzhou",
        "--endpoint",
        "http://127.0.0.1:9",
    )
    assert code == 1 and out == ""
    assert "cannot connect to http://127.0.0.1:9/" in err
    assert "a-secret-key-value" not in err


def test_a_passed_dry_run_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _Scripted.answer = {"Error": {"Code": "DryRunOperation", "Message": "ok"}, "RequestId": "d1"}
    _Scripted.seen = []
    _patch_client(monkeypatch, _Scripted)
    params = {
        "BundleId": "bundle_2022_gen_01",
        "BlueprintId": "lhbp-f1lkcd41",
        "InstanceChargePrepaid": {"Period": 1},
        "DryRun": True,
    }
    code, out, err = run(
        capsys, "CreateInstances", json.dumps(params), "--region", "ap-guangzhou", "--yes"
    )
    assert code == 0 and out == ""
    assert "dry run passed" in err and "d1" in err
