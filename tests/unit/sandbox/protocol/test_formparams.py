"""Form pairs -> the JSON shape, typed by the catalog (sandbox/protocol/formparams.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox.engine.errors import ParameterError, SandboxError
from lighthouse_mcp.sandbox.protocol import checks, formparams


def flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """How the official SDKs spell a JSON body as a form (written here, not imported, so a
    mistake in the sandbox cannot cancel out): dotted paths, 0-based indices."""
    if isinstance(value, Mapping):
        return [
            pair for k, v in value.items() for pair in flat(v, f"{prefix}.{k}" if prefix else k)
        ]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in flat(v, f"{prefix}.{i}")]
    if isinstance(value, bool):
        return [(prefix, "true" if value else "false")]
    return [(prefix, str(value))]


def shape(action: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return formparams.unflatten(pairs, catalog.action(action)["inputs"])


# -- parse -----------------------------------------------------------------------------------


def test_parse_decodes_plus_and_utf8_percent_escapes() -> None:
    text = "Filters.0.Values.0=%E6%9C%AA%E5%91%BD%E5%90%8D&Name=a+b&&Empty="
    assert formparams.parse(text) == [
        ("Filters.0.Values.0", "未命名"),
        ("Name", "a b"),
        ("Empty", ""),
    ]


@pytest.mark.parametrize("text", ["Limit", "=5", "Limit=1&Offset", "Name=%FF%FE"])
def test_parse_refuses_what_is_not_a_form(text: str) -> None:
    with pytest.raises(ParameterError) as caught:
        formparams.parse(text)
    assert caught.value.code == "InvalidParameter"


# -- unflatten -------------------------------------------------------------------------------


def test_the_docs_filter_example_is_rebuilt_and_typed() -> None:
    pairs = [
        ("Filters.0.Name", "instance-name"),
        ("Filters.0.Values.0", "test"),
        ("Filters.1.Name", "private-ip-address"),
        ("Filters.1.Values.0", "10.10.10.10"),
        ("Filters.1.Values.1", "10.0.0.1"),
        ("Offset", "0"),
        ("Limit", "20"),
    ]
    assert shape("DescribeInstances", pairs) == {
        "Filters": [
            {"Name": "instance-name", "Values": ["test"]},
            {"Name": "private-ip-address", "Values": ["10.10.10.10", "10.0.0.1"]},
        ],
        "Offset": 0,
        "Limit": 20,
    }


def test_arrays_are_in_index_order_not_ascii_order() -> None:
    pairs = [(f"InstanceIds.{i}", f"lhins-{i:08d}") for i in (10, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9)]
    ids = shape("DescribeInstances", pairs)["InstanceIds"]
    assert ids == [f"lhins-{i:08d}" for i in range(11)]


def test_booleans_integers_and_nested_structures() -> None:
    pairs = [
        ("BundleId", "bundle2022_gen_01"),
        ("BlueprintId", "lhbp-abcdefgh"),
        ("InstanceChargePrepaid.Period", "12"),
        ("DryRun", "True"),
        ("AutoVoucher", "false"),
        ("InstanceCount", "+2"),
    ]
    assert shape("CreateInstances", pairs) == {
        "BundleId": "bundle2022_gen_01",
        "BlueprintId": "lhbp-abcdefgh",
        "InstanceChargePrepaid": {"Period": 12},
        "DryRun": True,
        "AutoVoucher": False,
        "InstanceCount": 2,
    }


def test_text_that_is_not_the_documented_type_is_left_for_the_catalog_check() -> None:
    body = shape("DescribeInstances", [("Limit", "ten"), ("Offset", "1.5")])
    assert body == {"Limit": "ten", "Offset": "1.5"}
    with pytest.raises(SandboxError) as caught:
        checks.check_body(catalog.action("DescribeInstances"), body)
    assert caught.value.code == "InvalidParameter"
    assert "must be an integer (Integer), got" in caught.value.message
    assert shape("CreateInstances", [("DryRun", "yes")])["DryRun"] == "yes"


def test_unknown_names_are_kept_so_the_catalog_check_names_them() -> None:
    body = shape("DescribeInstances", [("Nope.0", "a"), ("Nope.1", "b"), ("Other.X", "c")])
    assert body == {"Nope": ["a", "b"], "Other": {"X": "c"}}
    with pytest.raises(SandboxError) as caught:
        checks.check_body(catalog.action("DescribeInstances"), body)
    assert caught.value.code == "UnknownParameter"


@pytest.mark.parametrize(
    ("pairs", "words"),
    [
        ([("InstanceIds.1", "lhins-aaaaaaaa")], "`InstanceIds.0` is missing"),
        ([("InstanceIds.0", "a"), ("InstanceIds.2", "b")], "`InstanceIds.1` is missing"),
        ([("InstanceIds.first", "a")], "not an item index"),
        ([("InstanceIds.01", "a")], "not an item index"),
        ([("Limit", "1"), ("Limit", "2")], "more than once"),
        ([("Limit.0", "1")], "`Limit` is a Integer; it has no member `Limit.0`"),
        ([("Filters", "x"), ("Filters.0.Name", "zone")], "a value and also members"),
        ([("Filters.0.Name", "zone"), ("Filters", "x")], "a value and also members"),
        ([("Filters..Name", "zone")], "not a valid dotted path"),
    ],
)
def test_what_json_cannot_say_is_refused_naming_the_parameter(
    pairs: list[tuple[str, str]], words: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        shape("DescribeInstances", pairs)
    assert caught.value.code == "InvalidParameter"
    assert words in caught.value.message


def _representable(value: Any) -> bool:
    """Forms cannot carry an empty array or object (the docs: only v3 JSON can)."""
    if isinstance(value, Mapping):
        return bool(value) and all(_representable(v) for v in value.values())
    if isinstance(value, list):
        return bool(value) and all(_representable(v) for v in value)
    return True


def _accepted_examples() -> list[Any]:
    found = []
    for name in catalog.action_names():
        for i, example in enumerate(catalog.action(name)["examples"]):
            body = example["input"]
            if not isinstance(body, dict) or not body or not _representable(body):
                continue
            try:
                checks.check_body(catalog.action(name), body)
            except SandboxError:
                continue  # an example the catalog itself refuses (e.g. "1" for an Integer)
            found.append(pytest.param(name, body, id=f"{name}-{i}"))
    return found


@pytest.mark.parametrize(("action", "body"), _accepted_examples())
def test_every_documented_example_survives_the_form_round_trip(
    action: str, body: dict[str, Any]
) -> None:
    assert shape(action, flat(body)) == body


def test_the_round_trip_covers_most_actions() -> None:
    assert len({p.values[0] for p in _accepted_examples()}) >= 80
