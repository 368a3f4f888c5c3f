"""Result shaping: structuredContent is the Response; big results are cut, still valid."""

from __future__ import annotations

import json
from typing import Any

from lighthouse_mcp.server.results import cut_to_size, success, validation_error
from lighthouse_mcp.tools.validate import Problem


def _text(result: object) -> str:
    return result.content[0].text  # type: ignore[attr-defined,no-any-return]


def test_success_keeps_request_id_and_leads_with_the_headline() -> None:
    response = {
        "TotalCount": 2,
        "InstanceSet": [
            {"InstanceId": "a", "InstanceState": "RUNNING", "LoginSettings": {}},
            {"InstanceId": "b", "InstanceState": "STOPPED", "Tags": []},
        ],
        "RequestId": "r-1",
    }
    result = success("DescribeInstances", response, region="ap-beijing")
    assert result.structured_content == {**response, "_region": "ap-beijing"}
    lines = _text(result).splitlines()
    assert lines[0] == (
        "DescribeInstances succeeded in ap-beijing: 2 instances: 1 RUNNING, 1 STOPPED "
        "(RequestId r-1)"
    )
    assert "LoginSettings" not in _text(result) and lines[-1].startswith("Empty members")


def test_large_results_are_cut_and_marked_with_the_next_page() -> None:
    items = [{"InstanceId": f"lhins-{i:08d}", "Name": "x" * 200} for i in range(500)]
    response: dict[str, Any] = {"TotalCount": 500, "InstanceSet": items, "RequestId": "r"}
    result = success("DescribeInstances", response, arguments={"Offset": 40}, limit=10_000)
    data = result.structured_content
    assert isinstance(data, dict)
    assert len(json.dumps(data, separators=(",", ":"))) <= 10_000
    assert data["TotalCount"] == 500 and data["RequestId"] == "r"
    kept = len(data["InstanceSet"])
    assert 1 <= kept < 500 and data["InstanceSet"][0] == items[0]
    marker = data["_truncated"]
    assert marker["reason"] == "result_size" and marker["returned"] == kept
    assert marker["next"] == {"Offset": 40 + kept, "Limit": 100} and marker["total"] == 500
    assert f"continue with Offset={40 + kept}" in _text(result)
    assert len(response["InstanceSet"]) == 500  # the caller's response is not mutated


def test_an_all_pages_result_is_not_cut_again() -> None:
    items = [{"InstanceId": f"lhins-{i:08d}"} for i in range(2000)]
    response = {"InstanceSet": items, "TotalCount": 2000, "Paging": {"Pages": 20}}
    data = success("DescribeInstances", response, limit=10_000).structured_content
    assert data is not None and len(data["InstanceSet"]) == 2000 and "_truncated" not in data


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
