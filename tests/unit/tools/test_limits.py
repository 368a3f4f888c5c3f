"""Limits from the docs that the catalog has no keyword for: refused by the validator, and
so never sent (checked through the real MCP server against the sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.tools import limits
from lighthouse_mcp.tools.validate import validate

ID = "lhins-aaaaaaaa"
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("InquirePriceCreateBlueprint", {"BlueprintCount": -(2**63)}, "BlueprintCount"),
    ("InquirePriceCreateBlueprint", {"BlueprintCount": 0}, "BlueprintCount"),
    ("InquirePriceCreateBlueprint", {"BlueprintCount": 2**63}, "BlueprintCount"),
    ("StartInstances", {"InstanceIds": []}, "InstanceIds"),
    ("DeleteSnapshots", {"SnapshotIds": []}, "SnapshotIds"),
    (
        "RenewDisks",
        {"DiskIds": ["lhdisk-aaaaaaaa"], "RenewDiskChargePrepaid": {"Period": 0}},
        "RenewDiskChargePrepaid.Period",
    ),
    (
        "RenewDisks",
        {"DiskIds": ["lhdisk-aaaaaaaa"], "RenewDiskChargePrepaid": {"Period": 10**6}},
        "RenewDiskChargePrepaid.Period",
    ),
    (
        "InquirePriceCreateInstances",
        {"BundleId": "bundle_gen_01", "InstanceCount": 31, "InstanceChargePrepaid": {"Period": 1}},
        "InstanceCount",
    ),
    (
        "InquirePriceCreateDisks",
        {
            "DiskSize": 20,
            "DiskType": "CLOUD_PREMIUM",
            "DiskCount": -1,
            "DiskChargePrepaid": {"Period": 1},
        },
        "DiskCount",
    ),
    ("DescribeInstances", {"Offset": -1}, "Offset"),
    (
        "DescribeInstances",
        {"Filters": [{"Name": "instance-name", "Values": ["x" * 20_000_000]}]},
        "",
    ),
]


@pytest.mark.parametrize(
    ("action", "arguments", "path"),
    REFUSED,
    ids=[f"{a}-{p or 'size'}-{i}" for i, (a, _, p) in enumerate(REFUSED)],
)
def test_documented_limits_are_refused(action: str, arguments: dict[str, Any], path: str) -> None:
    problems = validate(action, arguments)
    assert [p.path for p in problems] == [path], problems
    assert len(problems[0].message) < 300  # a 20 MB value is never repeated back


@pytest.mark.parametrize(
    ("action", "arguments"),
    [
        ("InquirePriceCreateBlueprint", {"BlueprintCount": 1}),
        ("InquirePriceCreateBlueprint", {}),
        ("StartInstances", {"InstanceIds": [ID]}),
        ("RenewDisks", {"DiskIds": ["lhdisk-aaaaaaaa"], "RenewDiskChargePrepaid": {"Period": 12}}),
        ("DescribeInstances", {"Offset": 0, "Limit": 100}),
        ("DescribeInstances", {"Filters": [{"Name": "instance-name", "Values": ["x" * 1000]}]}),
        ("DescribeInstances", {"InstanceIds": []}),  # an optional ID list may be empty
    ],
)
def test_values_inside_the_limits_pass(action: str, arguments: dict[str, Any]) -> None:
    assert validate(action, arguments) == []


def test_a_huge_unknown_name_is_not_repeated_back() -> None:
    problems = validate("DescribeInstances", {"x" * 5_000_000: 1})
    assert len(problems) == 1 and len(problems[0].message) < 500 and len(problems[0].path) < 100


def test_request_size_counts_utf8_bytes() -> None:
    assert limits.request_bytes({"A": "中" * 10}) == len('{"A":""}') + 30
    big = {"A": "中" * (limits.MAX_REQUEST_BYTES // 3 + 1)}
    assert limits.request_bytes(big) > limits.MAX_REQUEST_BYTES
    assert (
        validate("DescribeInstances", {"Filters": [{"Name": "instance-name", "Values": big["A"]}]})
        != []
    )


def test_refused_calls_are_never_sent(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    server = build_server(
        Settings(
            sandbox=True,
            region="ap-guangzhou",
            audit_log=tmp_path / "audit.jsonl",
            key_dir=tmp_path / "k",
            confirm_mode="token",
        ),
        sandbox=sb,
    )

    async def run() -> list[types.CallToolResult]:
        async with Client(server, client_info=types.Implementation(name="t", version="1")) as c:
            return [await c.call_tool(action, arguments) for action, arguments, _ in REFUSED]

    results = anyio.run(run)
    assert all(r.is_error for r in results)
    # Refused by validation: the error's data lists the problems (the text says each
    # thing once, so it need not repeat "expected").
    assert all(
        (r.structured_content or {}).get("Error", {}).get("Code") == "InvalidArguments"
        and (r.structured_content or {})["Error"]["Problems"]
        for r in results
    )
    sent = {r.action for r in sb.requests}
    assert not sent & {action for action, _, _ in REFUSED}, sent
