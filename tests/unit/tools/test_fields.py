"""fields: paths checked against the real outputSchemas, projection through arrays, the
projected outputSchema still validating the projected data."""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.fields import (
    FIELDS,
    all_paths,
    check_fields,
    example_path,
    fields_arg_schema,
    iter_leaves,
    parse_fields,
    project,
    project_schema,
)
from lighthouse_mcp.tools.schema import output_schema
from lighthouse_mcp.tools.validate import validate_against

RESPONSE: dict[str, Any] = {
    "TotalCount": 2,
    "InstanceSet": [
        {
            "InstanceId": "lhins-1",
            "InstanceName": "a",
            "PublicAddresses": ["1.1.1.1"],
            "SystemDisk": {"DiskType": "CLOUD_SSD", "DiskSize": 40, "DiskId": "lhdisk-1"},
        },
        {
            "InstanceId": "lhins-2",
            "InstanceName": "b",
            "PublicAddresses": [],
            "SystemDisk": {"DiskType": "CLOUD_SSD", "DiskSize": 60, "DiskId": "lhdisk-2"},
        },
    ],
    "RequestId": "req-1",
}


def test_projection_keeps_structure_through_arrays() -> None:
    out = project(RESPONSE, ["InstanceSet.InstanceId", "InstanceSet.SystemDisk.DiskSize"])
    assert out == {
        "InstanceSet": [
            {"InstanceId": "lhins-1", "SystemDisk": {"DiskSize": 40}},
            {"InstanceId": "lhins-2", "SystemDisk": {"DiskSize": 60}},
        ],
        "RequestId": "req-1",
    }
    assert RESPONSE["InstanceSet"][0]["InstanceName"] == "a"  # input untouched


def test_whole_member_wins_over_paths_below_it() -> None:
    assert parse_fields(["InstanceSet.SystemDisk.DiskId", "InstanceSet.SystemDisk"]) == {
        "InstanceSet": {"SystemDisk": None}
    }
    out = project(
        RESPONSE, ["InstanceSet.SystemDisk", "InstanceSet.SystemDisk.DiskId", "TotalCount"]
    )
    assert out["InstanceSet"][1] == {"SystemDisk": RESPONSE["InstanceSet"][1]["SystemDisk"]}
    assert out["TotalCount"] == 2


def test_markers_are_always_kept() -> None:
    data = {**RESPONSE, "_truncated": {"reason": "max_items"}, "Paging": {"Pages": 1}}
    assert set(project(data, ["TotalCount"])) == {"TotalCount", "RequestId", "_truncated", "Paging"}


def test_valid_paths_of_the_real_schema_pass() -> None:
    schema = output_schema("DescribeInstances")
    assert (
        check_fields(
            schema,
            [
                "InstanceSet.InstanceId",
                "InstanceSet.PublicAddresses",
                "TotalCount",
                "InstanceSet.SystemDisk.DiskSize",
            ],
        )
        == []
    )


def test_unknown_member_names_field_expected_and_fix() -> None:
    schema = output_schema("DescribeInstances")
    [problem] = check_fields(schema, ["InstanceSet.InstanceID"])
    assert problem.path == "InstanceSet.InstanceID"
    assert "InstanceSet has no member 'InstanceID'" in problem.message
    assert "InstanceId" in problem.expected
    assert problem.fix == 'Did you mean "InstanceSet.InstanceId"?'


def test_member_under_the_wrong_parent_is_found() -> None:
    [problem] = check_fields(output_schema("DescribeInstances"), ["DiskSize"])
    assert problem.fix == 'Did you mean "InstanceSet.SystemDisk.DiskSize"?'


def test_path_below_a_value_is_refused() -> None:
    [problem] = check_fields(output_schema("DescribeInstances"), ["TotalCount.Value"])
    assert "TotalCount is a value" in problem.message and 'Use "TotalCount"' in problem.fix


@pytest.mark.parametrize("bad", ["", "InstanceSet.", ".TotalCount"])
def test_malformed_paths_are_refused(bad: str) -> None:
    [problem] = check_fields(output_schema("DescribeInstances"), [bad])
    assert "not a member path" in problem.message


def test_refs_are_followed() -> None:
    schema = output_schema("InquirePriceRenewInstances")
    assert "$defs" in schema  # the case this test is about
    assert "InstancePriceDetailSet.InstancePrice.DiscountPrice" in all_paths(schema)
    assert check_fields(schema, ["Price.InstancePrice.Currency"]) == []
    [problem] = check_fields(schema, ["Price.InstancePrice.Curency"])
    assert "Price.InstancePrice.Currency" in problem.fix


def test_projected_schema_validates_projected_data_and_drops_the_rest() -> None:
    schema = output_schema("DescribeInstances")
    paths = ["InstanceSet.InstanceId", "InstanceSet.SystemDisk.DiskSize", "TotalCount"]
    cut = project_schema(schema, paths)
    items = cut["properties"]["InstanceSet"]["items"]["properties"]
    assert set(items) == {"InstanceId", "SystemDisk"}
    assert set(items["SystemDisk"]["properties"]) == {"DiskSize"}
    assert validate_against(cut, project(RESPONSE, paths)) == []
    assert validate_against(cut, {"InstanceSet": [{"InstanceId": 5}]}) != []
    assert "InstanceName" in schema["properties"]["InstanceSet"]["items"]["properties"]


def test_every_action_schema_walks() -> None:
    """all_paths and check_fields agree on every action: each listed path is accepted."""
    for name in catalog.action_names():
        schema = output_schema(name)
        paths = all_paths(schema)
        assert check_fields(schema, paths) == [], name


def test_argument_schema_and_example() -> None:
    assert FIELDS == "fields"
    arg = fields_arg_schema(example_path(output_schema("DescribeInstances")))
    assert arg["items"] == {"type": "string"}
    assert "InstanceSet.InstanceId" in arg["description"]


def test_leaves() -> None:
    leaves = dict(iter_leaves({"A": [{"B": 1}, {"B": 2}], "C": "x"}))
    assert leaves == {"A.B": 2, "C": "x"}
