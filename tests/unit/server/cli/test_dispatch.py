"""The CLI dispatcher knows every subcommand and prints usage."""

from __future__ import annotations

import pytest

from lighthouse_mcp.server import cli


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["help"]) == 0
    out = capsys.readouterr().out
    for name in cli.SUBCOMMANDS:
        assert name in out


class _Exploding:
    """A stand-in subcommand whose run() fails the way a bug would."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def add_arguments(self, parser: object) -> None:
        return None

    def run(self, args: object) -> int:
        raise self.error


def test_unexpected_error_prints_one_line_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LIGHTHOUSE_MCP_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_load", lambda name: _Exploding(ValueError("secret-ish detail")))
    assert cli.main(["catalog"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err and "secret-ish detail" not in err
    assert "unexpected ValueError" in err and "LIGHTHOUSE_MCP_DEBUG" in err


def test_debug_switch_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTHOUSE_MCP_DEBUG", "1")
    monkeypatch.setattr(cli, "_load", lambda name: _Exploding(ValueError("boom")))
    with pytest.raises(ValueError, match="boom"):
        cli.main(["catalog"])


def test_closed_pipe_is_not_a_crash() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "lighthouse_mcp.server", "catalog", "DescribeInstances"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first write, like `| head -c 0`
    err = proc.stderr.read().decode()
    proc.wait(timeout=30)
    assert "Traceback" not in err


@pytest.mark.parametrize("given", ["0", "-3", "many"])
def test_sandbox_request_log_size_is_checked(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["sandbox", "--request-log-size", given])
    assert exited.value.code == 2
    assert "--request-log-size" in capsys.readouterr().err
