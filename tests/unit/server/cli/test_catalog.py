"""`lighthouse-mcp catalog`: counts, one action in full, JSON output, unknown names."""

from __future__ import annotations

import json

import pytest

from lighthouse_mcp.catalog import load_catalog
from lighthouse_mcp.server import cli
from tests.support.spec import spec_action_names


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["catalog", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys)
    assert code == 0
    lines = dict(line.rsplit(None, 1) for line in out.strip().splitlines())
    catalog = load_catalog()
    assert lines["actions"] == str(len(spec_action_names()))
    assert lines["structures"] == str(len(catalog["structures"]))
    assert lines["regions"] == str(len(catalog["regions"]))
    assert int(lines["input parameters"]) == sum(
        len(a["inputs"]) for a in catalog["actions"].values()
    )


def test_counts_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--json")
    counts = json.loads(out)
    actions = len(spec_action_names())
    assert code == 0 and counts["actions"] == actions and counts["output_parameters"] >= actions
    assert set(counts) == {
        "actions", "input_parameters", "output_parameters", "structures", "error_codes",
        "regions",
    }  # fmt: skip


def test_one_action_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "TerminateInstances")
    assert code == 0
    assert out.startswith("TerminateInstances — 销毁实例\n")
    assert "asynchronous: yes" in out
    assert "InstanceIds  Array of String  required" in out
    assert "UnsupportedOperation.InvalidInstanceState" in out


def test_action_text_expands_structures_and_filters(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "DescribeInstances")
    assert "Filters of Filters (at most 10 filters, at most 100 values per filter):" in out
    assert "  tag:tag-key  String" in out
    assert "mutually_exclusive: InstanceIds, Filters" in out
    assert "\n  Instance  " in out  # the output structure, with its members below
    assert "[maximum=100, default=20]" in out


def test_one_action_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "TerminateInstances", "--json")
    assert code == 0
    assert json.loads(out) == load_catalog()["actions"]["TerminateInstances"]


def test_structure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "LoginConfiguration")
    assert code == 0
    assert out.startswith("LoginConfiguration ")
    assert "used by: CreateInstances" in out
    _, out, _ = _run(capsys, "FirewallRule")
    assert "mutually_exclusive: CidrBlock, Ipv6CidrBlock" in out


def test_unknown_name_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "TerminateInstance")
    assert code == 2 and out == ""
    assert "no action or structure named 'TerminateInstance'" in err
    assert "TerminateInstances" in err
    assert "Traceback" not in err
