"""Parameter checks: each condition answers with the action's documented code, else the common."""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp.catalog import Action, Param, Structure
from lighthouse_mcp.sandbox.engine.errors import SandboxError
from lighthouse_mcp.sandbox.protocol.checks import check_body, check_envelope

STRUCTS: dict[str, Structure] = {
    "Charge": {
        "name": "Charge",
        "description": "",
        "referenced_by": [],
        "members": [
            {
                "name": "Period",
                "type": "Integer",
                "array": False,
                "required": True,
                "description": "",
                "minimum": 1,
                "maximum": 60,
            },
            {
                "name": "RenewFlag",
                "type": "String",
                "array": False,
                "required": False,
                "description": "",
                "enum": ["NOTIFY_AND_AUTO_RENEW", "NOTIFY_AND_MANUAL_RENEW"],
            },
        ],
    },
}


def p(
    name: str, type_: str = "String", *, array: bool = False, required: bool = False, **extra: Any
) -> Param:
    param: dict[str, Any] = {
        "name": name,
        "type": type_,
        "array": array,
        "required": required,
        "description": "",
        **extra,
    }
    return param  # type: ignore[return-value]


def action(errors: tuple[str, ...] = (), **extra: Any) -> Action:
    entry: dict[str, Any] = {
        "name": "TestAction",
        "group": "",
        "group_id": "x",
        "title_zh": "",
        "description": "",
        "rate_limit": 10,
        "asynchronous": False,
        "outputs": [],
        "examples": [],
        "constraints": [],
        "errors": [{"code": c, "description": ""} for c in errors],
        "inputs": [
            p("InstanceIds", array=True, max_items=3),
            p("Limit", "Integer", minimum=1, maximum=100),
            p("Offset", "Integer", minimum=0),
            p("Name", max_length=5),
            p("Kind", enum=["A", "B"]),
            p("DryRun", "Boolean"),
            p("Charge", "Charge"),
            p("Ratio", "Float"),
            p("Filters", "Filter", array=True),
            p("Need", required=False),
        ],
        **extra,
    }
    return entry  # type: ignore[return-value]


def code_of(entry: Action, body: Any) -> str:
    with pytest.raises(SandboxError) as exc:
        check_body(entry, body, structure=STRUCTS.__getitem__)
    return exc.value.code


def test_valid_body_passes_through() -> None:
    body = {
        "InstanceIds": ["lhins-abcd1234"],
        "Limit": 5,
        "Charge": {"Period": 12},
        "Ratio": 1,
        "DryRun": True,
    }
    assert check_body(action(), body, structure=STRUCTS.__getitem__) == body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([], "InvalidParameter"),
        ({"Nope": 1}, "UnknownParameter"),
        ({"Charge": {"Period": 1, "Nope": 2}}, "UnknownParameter"),
        ({"Charge": {}}, "MissingParameter"),
        ({"Limit": "5"}, "InvalidParameter"),
        ({"Limit": True}, "InvalidParameter"),
        ({"DryRun": "true"}, "InvalidParameter"),
        ({"Ratio": "1.5"}, "InvalidParameter"),
        ({"InstanceIds": "lhins-abcd1234"}, "InvalidParameter"),
        ({"Charge": [1]}, "InvalidParameter"),
        ({"Kind": "C"}, "InvalidParameterValue"),
        ({"Charge": {"Period": 1, "RenewFlag": "X"}}, "InvalidParameterValue"),
        ({"Limit": 101}, "InvalidParameterValue"),
        ({"Offset": -1}, "InvalidParameterValue"),
        ({"Name": "toolong"}, "InvalidParameterValue"),
        ({"InstanceIds": ["a", "b", "c", "d"]}, "InvalidParameterValue"),
        ({"InstanceIds": ["ins-abcd1234"]}, "InvalidParameterValue"),
    ],
)
def test_generic_codes_when_the_action_documents_nothing_specific(body: Any, expected: str) -> None:
    assert code_of(action(), body) == expected


SPECIFIC = (
    "InvalidParameterValue.InstanceIdMalformed",
    "InvalidParameterValue.LimitExceeded",
    "InvalidParameterValue.OutOfRange",
    "InvalidParameterValue.Negative",
    "InvalidParameterValue.TooLong",
    "InvalidParameterValue.Duplicated",
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"InstanceIds": ["lhins-ABCD1234"]}, "InvalidParameterValue.InstanceIdMalformed"),
        ({"InstanceIds": ["lhins-abc"]}, "InvalidParameterValue.InstanceIdMalformed"),
        # A Limit above its maximum: OutOfRange, the page's code for a value out of range.
        ({"Limit": 101}, "InvalidParameterValue.OutOfRange"),
        ({"Limit": 0}, "InvalidParameterValue.OutOfRange"),
        ({"Offset": -1}, "InvalidParameterValue.Negative"),
        ({"Name": "toolong"}, "InvalidParameterValue.TooLong"),
        ({"InstanceIds": ["a", "b", "c", "d"]}, "InvalidParameterValue.LimitExceeded"),
        ({"InstanceIds": ["lhins-abcd1234", "lhins-abcd1234"]}, "InvalidParameterValue.Duplicated"),
    ],
)
def test_documented_specific_codes_win(body: Any, expected: str) -> None:
    assert code_of(action(SPECIFIC), body) == expected


def test_duplicates_are_allowed_unless_the_action_forbids_them() -> None:
    body = {"InstanceIds": ["lhins-abcd1234", "lhins-abcd1234"]}
    assert check_body(action(), body, structure=STRUCTS.__getitem__) == body


FILTER_ERRORS = (
    "InvalidParameter.InvalidFilterNotDict",
    "InvalidParameter.InvalidFilterInvalidNameNotStr",
    "InvalidParameter.InvalidFilterNotSupportedName",
    "InvalidParameter.InvalidFilterInvalidValuesNotList",
    "InvalidParameter.FilterValueLimitExceeded",
    "InvalidParameterValue.LimitExceeded",
    "InvalidParameterValue.InstanceIdMalformed",
)
FILTERS = {
    "param": "Filters",
    "max_filters": 2,
    "max_values": 2,
    "filters": [
        {"name": "instance-id", "type": "String", "required": False, "description": ""},
        {
            "name": "instance-state",
            "type": "String",
            "required": False,
            "description": "",
            "enum": ["RUNNING", "STOPPED"],
        },
    ],
}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["x"], "InvalidParameter.InvalidFilterNotDict"),
        ([{"Name": 1, "Values": []}], "InvalidParameter.InvalidFilterInvalidNameNotStr"),
        ([{"Name": "zone", "Values": []}], "InvalidParameter.InvalidFilterNotSupportedName"),
        (
            [{"Name": "instance-id", "Values": "x"}],
            "InvalidParameter.InvalidFilterInvalidValuesNotList",
        ),
        (
            [{"Name": "instance-id", "Values": ["a", "b", "c"]}],
            "InvalidParameter.FilterValueLimitExceeded",
        ),
        ([{"Name": "instance-id", "Values": []}] * 3, "InvalidParameterValue.LimitExceeded"),
        ([{"Name": "instance-id", "Values": ["bad"]}], "InvalidParameterValue.InstanceIdMalformed"),
        ([{"Name": "instance-state", "Values": ["GONE"]}], "InvalidParameterValue"),
        ([{"Name": "instance-id"}], "MissingParameter"),
        ([{"Name": "instance-id", "Values": [], "X": 1}], "UnknownParameter"),
    ],
)
def test_filters(filters: Any, expected: str) -> None:
    entry = action(FILTER_ERRORS, filters=FILTERS)
    assert code_of(entry, {"Filters": filters}) == expected
    ok = {"Filters": [{"Name": "instance-state", "Values": ["RUNNING"]}]}
    assert check_body(entry, ok, structure=STRUCTS.__getitem__) == ok


def test_constraints() -> None:
    entry = action(
        ("InvalidParameter.ParameterConflict",),
        constraints=[
            {"kind": "mutually_exclusive", "params": ["InstanceIds", "Filters"], "text": "互斥"},
            {"kind": "one_of_required", "params": ["Name", "Kind"], "text": "其一"},
            {"kind": "requires", "params": ["Offset", "Limit"], "text": "需要"},
        ],
    )
    base = {"Name": "a"}
    assert code_of(entry, {**base, "InstanceIds": [], "Filters": []}) == (
        "InvalidParameter.ParameterConflict"
    )
    assert code_of(entry, {}) == "MissingParameter"
    assert code_of(entry, {**base, "Offset": 1}) == "MissingParameter"
    assert check_body(entry, {**base, "Offset": 1, "Limit": 2}, structure=STRUCTS.__getitem__)


def test_messages_name_the_field_and_the_expectation() -> None:
    with pytest.raises(SandboxError) as exc:
        check_body(action(), {"Charge": {"Period": "x"}}, structure=STRUCTS.__getitem__)
    assert "`Charge.Period`" in exc.value.message and "integer" in exc.value.message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((None, "2020-03-24", "ap-guangzhou"), "MissingParameter"),
        (("DescribeInstances", None, "ap-guangzhou"), "MissingParameter"),
        (("DescribeNothing", "2020-03-24", "ap-guangzhou"), "InvalidAction"),
        (("DescribeInstances", "2017-03-12", "ap-guangzhou"), "NoSuchVersion"),
        (("DescribeInstances", "2020-03-24", None), "MissingParameter"),
        (("DescribeInstances", "2020-03-24", "mars-north-1"), "UnsupportedRegion"),
    ],
)
def test_envelope(args: tuple[Any, ...], expected: str) -> None:
    with pytest.raises(SandboxError) as exc:
        check_envelope(*args)
    assert exc.value.code == expected


def test_regionless_actions_need_no_region() -> None:
    assert check_envelope("DescribeRegions", "2020-03-24", None)["name"] == "DescribeRegions"
    assert check_envelope("DescribeFirewallTemplates", "2020-03-24", None)


def test_enum_violation_uses_the_code_naming_the_parameter() -> None:
    entry = action(("InvalidParameterValue.InvalidKind", "InvalidParameterValue.KindTooLong"))
    assert code_of(entry, {"Kind": "C"}) == "InvalidParameterValue.InvalidKind"


def test_pattern_filters_and_named_missing_codes() -> None:
    filters = {
        "param": "Filters",
        "filters": [
            {"name": "tag:tag-key", "type": "String", "required": False, "description": ""}
        ],
    }
    entry = action(
        ("MissingParameter.OrderFieldRequired",),
        filters=filters,
        constraints=[
            {"kind": "requires", "params": ["Kind", "Name"], "text": ""},
            {"kind": "requires", "params": ["Order", "OrderField"], "text": ""},
        ],
    )
    ok = {"Filters": [{"Name": "tag:env", "Values": ["prod"]}]}
    assert check_body(entry, ok, structure=STRUCTS.__getitem__) == ok
    assert code_of(entry, {"Filters": [{"Name": "tag:", "Values": []}]}) == (
        "InvalidParameterValue"
    )
    assert code_of(entry, {"Kind": "A"}) == "MissingParameter"
    entry["inputs"] += [p("Order"), p("OrderField")]
    assert code_of(entry, {"Order": "ASC"}) == "MissingParameter.OrderFieldRequired"


def test_structure_member_rules_apply_inside_the_structure() -> None:
    structs = dict(STRUCTS)
    structs["Rule"] = {
        "name": "Rule",
        "description": "",
        "referenced_by": [],
        "members": [p("CidrBlock"), p("Ipv6CidrBlock")],
        "constraints": [
            {"kind": "mutually_exclusive", "params": ["CidrBlock", "Ipv6CidrBlock"], "text": "互斥"}
        ],
    }
    entry = action(("InvalidParameter.ParameterConflict",))
    entry["inputs"].append(p("Rules", "Rule", array=True))
    with pytest.raises(SandboxError) as exc:
        check_body(
            entry,
            {"Rules": [{"CidrBlock": "0.0.0.0/0", "Ipv6CidrBlock": "::/0"}]},
            structure=structs.__getitem__,
        )
    assert exc.value.code == "InvalidParameter.ParameterConflict"
    assert "`Rules.0.CidrBlock`" in exc.value.message


def test_one_of_required_uses_the_code_naming_the_pair() -> None:
    entry = action(
        ("MissingParameter.MissingParameterNameKind",),
        constraints=[{"kind": "one_of_required", "params": ["Name", "Kind"], "text": ""}],
    )
    assert code_of(entry, {}) == "MissingParameter.MissingParameterNameKind"
