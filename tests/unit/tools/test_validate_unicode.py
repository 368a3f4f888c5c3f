"""Lone UTF-16 surrogates (which a JSON ``\\ud800`` escape can carry into a Python str)
are refused by validation naming the field, and no problem text carries one raw, since
such text cannot be encoded as UTF-8 for any transport."""

from __future__ import annotations

from lighthouse_mcp.tools.validate import validate


def test_lone_surrogate_in_a_string_field_is_a_problem_naming_it() -> None:
    problems = validate("DescribeInstances", {"InstanceIds": ["lhins-\ud800abc"]})
    assert [p.path for p in problems] == ["InstanceIds[0]"]
    assert "surrogate" in problems[0].message


def test_valid_non_ascii_text_passes() -> None:
    assert (
        validate(
            "DescribeInstances",
            {"Filters": [{"Name": "instance-name", "Values": ["web\u202e\x00\U0001f4a5 服务器"]}]},
        )
        == []
    )


def test_problem_texts_encode_as_utf8_whatever_was_sent() -> None:
    problems = validate("DescribeInstances", {"Order": "\udc00x", "X\ud800": 1})
    assert {p.path for p in problems} >= {"Order", "X\\ud800"}
    for p in problems:
        for text in (p.path, p.given, p.expected, p.message):
            text.encode("utf-8")
