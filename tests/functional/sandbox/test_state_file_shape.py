"""A well-formed but wrong-shaped ``--state`` file is refused at load, naming the file
and what in it is wrong: in process (``Sandbox(state_file=...)``) and as the
``lighthouse-mcp sandbox --state`` process (exit 2, one line, no traceback). Before,
``[]`` or ``null`` ended in an AttributeError and a table of the wrong type in an
InternalError on every later call."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox, StateFileError

ACCOUNT = DEFAULT_SECRET_ID
RECORD = {"InstanceId": "lhins-x", "InstanceState": "RUNNING"}

#: (id, document, what the message must say)
WRONG_SHAPES: list[tuple[str, Any, str]] = [
    ("empty array", [], "the document: expected the sandbox state (a JSON object), got an array"),
    ("null", None, "got null"),
    ("a number", 3, "got a number"),
    ("no format", {"accounts": {}}, "format: unsupported sandbox state format None"),
    ("accounts a list", {"format": 1, "accounts": []}, "accounts: expected SecretId"),
    ("saved_at a string", {"format": 1, "saved_at": "now", "accounts": {}}, "saved_at"),
    ("regions null", {"format": 1, "accounts": {ACCOUNT: None}}, f"accounts.{ACCOUNT}: expected"),
    (
        "a table that is a list",
        {"format": 1, "accounts": {ACCOUNT: {"ap-guangzhou": {"instances": [RECORD]}}}},
        f"accounts.{ACCOUNT}.ap-guangzhou.instances: expected resource id -> record",
    ),
    (
        "tables a string",
        {"format": 1, "accounts": {ACCOUNT: {"ap-guangzhou": "instances"}}},
        "got a string",
    ),
    (
        "a record that is a string",
        {"format": 1, "accounts": {ACCOUNT: {"ap-guangzhou": {"instances": {"lhins-x": "x"}}}}},
        "instances.lhins-x: expected a resource record",
    ),
    (
        "a pending transition without a time",
        {
            "format": 1,
            "accounts": {
                ACCOUNT: {
                    "ap-guangzhou": {
                        "instances": {"lhins-x": {**RECORD, "_pending": [{"set": {}}]}}
                    }
                }
            },
        },
        "lhins-x._pending[0].at: expected a time",
    ),
    (
        "pending not a list",
        {
            "format": 1,
            "accounts": {
                ACCOUNT: {"ap-guangzhou": {"instances": {"lhins-x": {**RECORD, "_pending": 1}}}}
            },
        },
        "_pending: expected a list",
    ),
]


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("document", "why"), [s[1:] for s in WRONG_SHAPES], ids=[s[0] for s in WRONG_SHAPES]
)
def test_refused_at_load_naming_file_and_place(tmp_path: Path, document: Any, why: str) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(StateFileError) as caught:
        Sandbox(state_file=path)
    message = str(caught.value)
    assert str(path) in message and why in message, message


def test_not_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json")
    with pytest.raises(StateFileError, match=rf"{path}: not JSON"):
        Sandbox(state_file=path)


def test_a_good_file_still_loads(tmp_path: Path) -> None:
    """The control: the shape check passes what the sandbox itself writes."""
    path = tmp_path / "state.json"
    first = Sandbox(state_file=path)
    first.backend.world(ACCOUNT).region("ap-guangzhou")
    first.backend.save(path)
    again = Sandbox(state_file=path)
    assert "lhins-demo0001" in again.backend.world(ACCOUNT).region("ap-guangzhou").table(
        "instances"
    )


@pytest.mark.parametrize("document", [[], None, {"format": 1, "accounts": {ACCOUNT: []}}])
def test_the_sandbox_command_exits_with_one_clear_line(tmp_path: Path, document: Any) -> None:
    path = _write(tmp_path, document)
    done = subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--port", "0", "--state", path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "AttributeError" not in done.stderr
    assert done.stderr.startswith(
        f"lighthouse-mcp sandbox: cannot load state: sandbox state file {path}:"
    )
    assert "expected" in done.stderr
