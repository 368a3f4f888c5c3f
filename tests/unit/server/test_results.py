"""Result shaping: structuredContent is the Response; big results are cut, still valid."""

from __future__ import annotations

import json
from typing import Any

from lighthouse_mcp.server.results import cut_to_size, success, validation_error
from lighthouse_mcp.tools.validate import Problem


def _text(result: object) -> str:
    return result.content[0].text  # type: ignore[attr-defined,no-any-return]


def test_success_keeps_request_id_and_summarises() -> None:
    response = {
        "TotalCount": 2,
        "InstanceSet": [{"InstanceId": "a"}, {"InstanceId": "b"}],
        "RequestId": "r-1",
    }
    result = success("DescribeInstances", response)
    assert result.structured_content == response and not result.is_error
    first = _text(result).splitlines()[0]
    assert "RequestId r-1" in first and "TotalCount=2" in first and "InstanceSet: 2 items" in first


def test_large_results_are_cut_with_a_paging_note() -> None:
    items = [{"InstanceId": f"lhins-{i:08d}", "Name": "x" * 200} for i in range(500)]
    response: dict[str, Any] = {"TotalCount": 500, "InstanceSet": items, "RequestId": "r"}
    result = success("DescribeInstances", response, page_params=["Offset", "Limit"], limit=10_000)
    data = result.structured_content
    assert isinstance(data, dict)
    assert len(json.dumps(data, separators=(",", ":"))) <= 10_000
    assert data["TotalCount"] == 500 and data["RequestId"] == "r"
    assert 1 <= len(data["InstanceSet"]) < 500
    assert data["InstanceSet"][0] == items[0]
    note = _text(result).splitlines()[1]
    assert f"InstanceSet shows {len(data['InstanceSet'])} of 500" in note
    assert "Offset and Limit" in note
    assert len(response["InstanceSet"]) == 500  # the caller's response is not mutated


def test_cut_leaves_small_results_alone() -> None:
    response = {"A": [1, 2, 3]}
    assert cut_to_size(response, 1000) == (response, [])


def test_validation_error_lists_every_problem() -> None:
    result = validation_error(
        "X",
        [
            Problem("Limit", "'a'", "integer", "wrong type"),
            Problem("Foo", "1", "no such parameter", "unknown"),
        ],
    )
    assert result.is_error
    text = _text(result)
    assert "2 invalid arguments; nothing was sent" in text
    assert "- Limit: wrong type (given: 'a'; expected: integer)" in text
    assert "- Foo:" in text
    problems = result.structured_content["Error"]["Problems"]
    assert [p["Field"] for p in problems] == ["Limit", "Foo"]


def test_null_members_are_dropped_so_output_schemas_hold() -> None:
    response = {
        "InstanceSet": [
            {
                "InstanceId": "a",
                "InstanceViolationDetail": None,
                "Tags": [{"Key": "k", "Value": None}],
            }
        ],
        "RequestId": "r",
    }
    result = success("DescribeInstances", response)
    assert result.structured_content == {
        "InstanceSet": [{"InstanceId": "a", "Tags": [{"Key": "k"}]}],
        "RequestId": "r",
    }
    assert "null" not in _text(result)
