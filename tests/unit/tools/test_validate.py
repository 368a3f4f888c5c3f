"""validate()/check() semantics on the fixture catalog: every problem, each named."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lighthouse_mcp.tools import schema
from lighthouse_mcp.tools.validate import (
    Problem,
    ValidationFailed,
    check,
    validate,
    validate_against,
)

pytestmark = pytest.mark.usefixtures("fake_catalog")

RULE = {"Protocol": "TCP", "Port": "22", "Action": "ACCEPT"}


def paths(problems: list[Problem]) -> list[str]:
    return [p.path for p in problems]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_calls_pass() -> None:
    assert validate("DescribeInstances", {}) == []
    assert (
        validate(
            "DescribeInstances",
            {
                "Filters": [
                    {"Name": "instance-state", "Values": ["RUNNING"]},
                    {"Name": "tag:env", "Values": ["prod"]},
                ],
                "Limit": 100,
                "Offset": 0,
                "Order": "DESC",
                "OrderField": "EXPIRED_TIME",
                "Region": "ap-shanghai",
            },
        )
        == []
    )
    assert (
        validate(
            "CreateFirewallRules",
            {"InstanceId": "lhins-1", "FirewallRules": [RULE], "FirewallVersion": 3},
        )
        == []
    )
    assert (
        validate(
            "DescribeTraffic",
            {
                "StartTime": "2024-05-01T08:00:00+08:00",
                "Day": "2024-05-01",
                "Ratio": 1,
                "Enabled": False,
            },
        )
        == []
    )


def test_json_bool_is_not_an_integer_nor_a_number() -> None:
    p = only(validate("DescribeInstances", {"Limit": True}))
    assert (p.path, p.given) == ("Limit", "true")
    assert "integer" in p.expected and "boolean true" in p.message
    assert paths(
        validate("DescribeTraffic", {"StartTime": "2024-05-01T00:00:00Z", "Ratio": False})
    ) == ["Ratio"]
    assert paths(
        validate("DescribeTraffic", {"StartTime": "2024-05-01T00:00:00Z", "Enabled": 1})
    ) == ["Enabled"]


@pytest.mark.parametrize(
    ("value", "ok"), [(1, True), (1.0, True), (1.5, False), ("1", False), (None, False)]
)
def test_integer_is_strict(value: Any, ok: bool) -> None:
    assert (validate("DescribeInstances", {"Offset": value}) == []) is ok


def test_unknown_argument_with_did_you_mean() -> None:
    p = only(validate("DescribeInstances", {"instance_ids": ["lhins-1"]}))
    assert p.path == "instance_ids"
    assert "did you mean 'InstanceIds'?" in p.message
    p = only(validate("DescribeInstances", {"Limt": 5}))
    assert "did you mean 'Limit'?" in p.message
    p = only(validate("DescribeInstances", {"Zzzzzz": 5}))
    assert "allowed: InstanceIds, Filters" in p.message


def test_unknown_nested_field_is_named_with_its_place() -> None:
    p = only(
        validate(
            "CreateFirewallRules", {"InstanceId": "i", "FirewallRules": [{**RULE, "Ports": "22"}]}
        )
    )
    assert p.path == "FirewallRules[0].Ports"
    assert "in FirewallRules[0]" in p.message and "'Port'" in p.message


def test_missing_required_at_any_depth() -> None:
    problems = validate("CreateFirewallRules", {"FirewallRules": [RULE, {"Port": "80"}]})
    assert paths(problems) == ["FirewallRules[1].Protocol", "InstanceId"]
    assert all(p.given == "(missing)" for p in problems)
    assert 'one of "TCP"' in problems[0].expected


def test_enum_bounds_lengths_sizes_formats() -> None:
    problems = validate(
        "DescribeInstances",
        {"Order": "asc", "Limit": 101, "Offset": -1, "InstanceIds": ["x"] * 101},
    )
    by_path = {p.path: p for p in problems}
    assert set(by_path) == {"Order", "Limit", "Offset", "InstanceIds", "OrderField"}
    assert 'did you mean "ASC"?' in by_path["Order"].message
    assert by_path["Limit"].expected == "integer from 1 to 100"
    assert by_path["Offset"].expected == "integer >= 0"
    assert by_path["InstanceIds"].given == "101 items"
    long = "x" * 65
    p = only(
        validate(
            "CreateFirewallRules",
            {"InstanceId": "i", "FirewallRules": [{**RULE, "FirewallRuleDescription": long}]},
        )
    )
    assert p.path == "FirewallRules[0].FirewallRuleDescription"
    assert p.expected == "at most 64 characters"
    assert len(p.given) < 50  # truncated
    assert paths(validate("CreateFirewallRules", {"InstanceId": "i", "FirewallRules": []})) == [
        "FirewallRules"
    ]
    bad_times = validate(
        "DescribeTraffic", {"StartTime": "2024-05-01 08:00:00", "Day": "2024-02-30"}
    )
    assert paths(bad_times) == ["StartTime", "Day"]


def test_filters_names_values_and_limits() -> None:
    problems = validate(
        "DescribeInstances",
        {
            "Filters": [
                {"Name": "instance-nam", "Values": ["a"]},
                {"Name": "instance-state", "Values": ["RUNNING", "running"]},
                {"Name": "tag:", "Values": ["x"] * 101},
            ]
        },
    )
    assert paths(problems) == [
        "Filters[0].Name",
        "Filters[2].Name",
        "Filters[2].Values",
        "Filters[1].Values[1]",
    ]
    assert 'did you mean "instance-name"?' in problems[0].message
    assert 'starting with "tag:"' in problems[0].expected
    assert 'did you mean "RUNNING"?' in problems[3].message
    too_many = [{"Name": "instance-name", "Values": ["a"]}] * 11
    assert paths(validate("DescribeInstances", {"Filters": too_many})) == ["Filters"]


def test_documented_cross_parameter_constraints() -> None:
    p = only(validate("DescribeInstances", {"InstanceIds": ["lhins-1"], "Filters": []}))
    assert p.path == "Filters"
    assert "cannot be combined with InstanceIds" in p.message
    p = only(validate("DescribeInstances", {"Order": "ASC"}))
    assert (p.path, p.message) == ("OrderField", "OrderField: required when Order is given")


def test_structure_constraints_apply_at_every_occurrence() -> None:
    rules = [RULE, {**RULE, "CidrBlock": "10.0.0.0/8", "Ipv6CidrBlock": "::/0"}]
    p = only(validate("CreateFirewallRules", {"InstanceId": "i", "FirewallRules": rules}))
    assert p.path == "FirewallRules[1].Ipv6CidrBlock"
    assert p.message == (
        "FirewallRules[1].Ipv6CidrBlock: cannot be combined with CidrBlock; "
        "give at most one of CidrBlock, Ipv6CidrBlock"
    )


def test_rules_stay_out_of_the_published_schema() -> None:
    rules = schema.validation_schema("CreateFirewallRules")["properties"]["FirewallRules"]
    assert rules["items"][schema.RULES_KEYWORD] == [
        {"kind": "mutually_exclusive", "params": ["CidrBlock", "Ipv6CidrBlock"]}
    ]
    assert schema.RULES_KEYWORD not in str(schema.input_schema("CreateFirewallRules"))
    assert schema.RULES_KEYWORD not in str(schema.input_schema("DescribeInstances"))


def test_malformed_region_with_suggestion() -> None:
    p = only(validate("DescribeInstances", {"Region": "ap_guangzhou"}))
    assert p.path == "Region" and 'did you mean "ap-guangzhou"?' in p.message


def test_any_well_formed_region_passes() -> None:
    """Regions newer than the docs' table (ap-chongqing from the endpoint table, or one
    opened tomorrow) reach the API, which answers for them; DescribeRegions is the list."""
    for region in ("ap-chongqing", "ap-shenzhen-fsi", "me-riyadh", "ap-guangzho"):
        assert validate("DescribeInstances", {"Region": region}) == [], region


def test_every_problem_is_collected_at_once() -> None:
    problems = validate(
        "CreateFirewallRules",
        {
            "FirewallRules": [{"Protocol": "tcp", "Action": 1}, "rule"],
            "FirewallVersion": "3",
            "Region": 5,
            "Extra": True,
        },
    )
    assert paths(problems) == [
        "FirewallRules[0].Protocol",
        "FirewallRules[0].Action",
        "FirewallRules[1]",
        "FirewallVersion",
        "Region",
        "Extra",
        "InstanceId",
    ]


def test_arguments_must_be_an_object() -> None:
    p = only(validate("DescribeInstances", ["Limit", 5]))  # type: ignore[arg-type]
    assert p.path == "" and p.message.startswith("arguments: expected object")


def test_secrets_are_never_echoed() -> None:
    secret = "Sup3r-Secret-Pa55!"
    for bad in (12345, secret * 3):
        problems = validate(
            "ResetInstance",
            {
                "InstanceId": "i",
                "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": bad},
            },
        )
        p = only(problems)
        assert p.path == "LoginConfiguration.Password"
        assert p.given == "<redacted>"
        assert secret not in p.message and "12345" not in p.message
    # container environment values may hold anything: their Value is redacted, Key is not
    problems = validate("ResetInstance", {"InstanceId": "i", "Envs": [{"Key": 7, "Value": 12345}]})
    assert [(p.path, p.given) for p in problems] == [
        ("Envs[0].Key", "7"),
        ("Envs[0].Value", "<redacted>"),
    ]
    # unknown fields are reported by name and JSON type only
    p = only(validate("ResetInstance", {"InstanceId": "i", "Passwd": secret}))
    assert secret not in repr(p)


def test_check_raises_with_readable_multiline_text() -> None:
    check("DescribeInstances", {"Limit": 5})
    with pytest.raises(ValidationFailed) as info:
        check("DescribeInstances", {"Limit": 0, "Order": "UP"})
    text = str(info.value)
    assert text.splitlines()[0] == "Invalid arguments for DescribeInstances (3 problems):"
    assert len(text.splitlines()) == 4
    assert all(line.startswith("- ") for line in text.splitlines()[1:])
    assert len(info.value.problems) == 3


def test_unknown_action_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="NoSuchAction"):
        validate("NoSuchAction", {})


def test_validation_is_fast() -> None:
    args = {
        "Filters": [{"Name": "instance-state", "Values": ["RUNNING"]}],
        "Limit": 20,
        "Region": "ap-guangzhou",
    }
    validate("DescribeInstances", args)  # compile once
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        validate("DescribeInstances", args)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 100e-6, f"{per_call * 1e6:.1f} µs per call"


def test_validator_refuses_keywords_it_cannot_enforce() -> None:
    from lighthouse_mcp.tools.validate import _Compiler

    with pytest.raises(ValueError, match="uniqueItems"):
        _Compiler({}).compile({"type": "array", "uniqueItems": True})


def test_schema_and_validator_agree_with_a_reference_validator() -> None:
    """Differential check against jsonschema (a test-only oracle) on generated inputs."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 120),
        st.sampled_from(
            [
                "ASC",
                "asc",
                "RUNNING",
                "tag:x",
                "instance-name",
                "2024-05-01T00:00:00Z",
                "ap-shanghai",
                "TCP",
                "i",
            ]
        ),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    ["Name", "Values", "Protocol", "Key", "Value", "Label", "Children", "X"]
                ),
                inner,
                max_size=3,
            ),
        ),
        max_leaves=8,
    )
    keys = st.sampled_from(
        [
            "InstanceIds",
            "Filters",
            "Limit",
            "Order",
            "Region",
            "AddTags",
            "Tree",
            "FirewallRules",
            "InstanceId",
            "StartTime",
            "Bogus",
        ]
    )
    arguments = st.dictionaries(keys, values, max_size=4)
    actions = st.sampled_from(
        ["DescribeInstances", "TagResources", "CreateFirewallRules", "DescribeTraffic"]
    )

    formats = jsonschema.FormatChecker()

    @formats.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:  # jsonschema only checks it with an extra package
        if not isinstance(value, str):
            return True
        if (
            "T" not in value.upper()
            or len(value) < 6
            or (value[-1] not in "Zz" and value[-6] not in "+-")
        ):
            return False
        return bool(datetime.fromisoformat(value.upper().replace("Z", "+00:00")))

    outcomes: set[bool] = set()

    @settings(max_examples=500, deadline=None)
    @given(actions, arguments)
    def agree(action: str, args: dict[str, Any]) -> None:
        reference = jsonschema.Draft202012Validator(
            schema.input_schema(action, region_enum=True), format_checker=formats
        )
        ours = validate(action, args)
        schema_only = [
            p
            for p in ours
            if not p.expected.startswith(("at most one of", "a value")) and "Values[" not in p.path
        ]
        outcomes.add(not schema_only)
        assert (not schema_only) == reference.is_valid(args), (ours, args)

    agree()
    assert outcomes == {True, False}


def test_validate_against_any_emitted_schema() -> None:
    """Server-added and meta-tool arguments get the same checks and messages."""
    limit = {"type": "integer", "minimum": 1, "maximum": 50}
    assert validate_against(limit, 20) == []
    p = only(validate_against(limit, True, path="limit"))
    assert p.message == "limit: expected integer from 1 to 50, got boolean true"
    closed = {
        "type": "object",
        "properties": {"query": {"type": "string"}},
        "required": ["query"],
        "additionalProperties": False,
    }
    assert paths(validate_against(closed, {"qeury": "x"})) == ["qeury", "query"]
    with pytest.raises(ValueError, match="cannot enforce"):
        validate_against({"type": "string", "minLength": 1}, "x")


def test_problem_list_is_capped() -> None:
    from lighthouse_mcp.tools.validate import MAX_PROBLEMS

    problems = validate("CreateFirewallRules", {"InstanceId": "i", "FirewallRules": [7] * 80})
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].message == f"… and {80 - MAX_PROBLEMS} more problems not shown"
