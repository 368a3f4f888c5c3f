"""The CLI dispatcher knows every subcommand and prints usage."""
from __future__ import annotations

import pytest

from lighthouse_mcp.server import cli


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["help"]) == 0
    out = capsys.readouterr().out
    for name in cli.SUBCOMMANDS:
        assert name in out
