"""The tools layer over the real generated catalog: every action, both languages.

These tests pin that the data and the code fit: every schema is valid JSON Schema, every
documented parameter is present, every documented input example validates, every
documented output example fits its outputSchema (MCP clients re-validate
structuredContent against it), and wrong calls are refused with the field named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.tools import doc_rules, safety, schema, validate
from lighthouse_mcp.tools.definitions import tool_definition
from tests.support.spec import spec_action_names

ROOT = Path(__file__).resolve().parents[3]

ACTIONS = catalog.action_names()

#: Documented input examples that contradict the spec's own parameter types: action -> the
#: paths our validator (rightly) refuses. (The docs' CreateInstances example
#: sent InstanceChargePrepaid.Period as the string "1"; the spec's sends the integer).
KNOWN_EXAMPLE_VIOLATIONS: dict[str, set[str]] = {
    # The example's placeholder password breaks the documented password complexity.
    "ResetInstancesPassword": {"Password"},
}


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    schema.clear_caches()
    validate.clear_caches()


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def test_catalog_has_all_actions() -> None:
    assert spec_action_names() == ACTIONS


@pytest.mark.parametrize("action", ACTIONS)
def test_input_schema_is_valid_and_complete(action: str) -> None:
    act = catalog.action(action)
    for lang in ("en", "zh"):
        s = schema.input_schema(action, lang=lang, default_region="ap-guangzhou")
        jsonschema.Draft202012Validator.check_schema(s)
        region = ["Region"] if schema.region_applies(act) else []
        assert list(s["properties"]) == [p["name"] for p in act["inputs"]] + region
        assert s.get("required", []) == [p["name"] for p in act["inputs"] if p["required"]]
        for obj in _objects(s):
            assert obj["additionalProperties"] is False
        for prop in s["properties"].values():
            assert prop.get("description", "x") != ""


@pytest.mark.parametrize("action", ACTIONS)
def test_output_schema_is_valid_and_fits_documented_examples(action: str) -> None:
    out = schema.output_schema(action)
    jsonschema.Draft202012Validator.check_schema(out)
    assert "RequestId" not in out["properties"]
    validator = jsonschema.Draft202012Validator(out)
    for example in catalog.action(action)["examples"]:
        response = (example["output"] or {}).get("Response")
        if isinstance(response, dict) and "Error" not in response:
            errors = [
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(response)
            ]
            assert not errors, f"{example['title']}: {errors[:5]}"


@pytest.mark.parametrize("action", ACTIONS)
def test_documented_input_examples_validate(action: str) -> None:
    refused: set[str] = set()
    for example in catalog.action(action)["examples"]:
        if example["input"] is None:
            continue
        problems = validate.validate(action, example["input"])
        refused |= {p.path for p in problems}
        assert {p.path for p in problems} <= KNOWN_EXAMPLE_VIOLATIONS.get(action, set()), (
            f"{example['title']}: {[p.message for p in problems]}"
        )
    assert refused == KNOWN_EXAMPLE_VIOLATIONS.get(action, set())


def _sample(param: catalog.Param) -> Any:
    """A value of the right type for a parameter (its example when that parses)."""
    if "enum" in param:
        value: Any = param["enum"][0]
    elif param["type"] in ("Integer", "Float", "Double"):
        value = int(param.get("minimum", 1))
    elif param["type"] == "Boolean":
        value = True
    elif param["type"] == "Timestamp ISO8601":
        value = "2025-01-31T08:00:00+08:00"
    elif param["type"] == "Date":
        value = "2025-01-31"
    elif doc_rules.governs(param["name"]):
        value = doc_rules.sample(param["name"])
    elif param["type"] in schema.SCALAR_SCHEMAS:
        value = "x"
    else:
        struct = catalog.structure(param["type"])
        wanted = {m["name"] for m in struct["members"] if m["required"]} | {
            c["params"][0] for c in struct.get("constraints", []) if c["kind"] == "one_of_required"
        }
        value = {m["name"]: _sample(m) for m in struct["members"] if m["name"] in wanted}
    return [value] if param["array"] else value


def _minimal_call(action: str) -> dict[str, Any]:
    return {p["name"]: _sample(p) for p in catalog.action(action)["inputs"] if p["required"]}


@pytest.mark.parametrize("action", ACTIONS)
def test_wrong_calls_are_refused_with_the_field_named(action: str) -> None:
    act = catalog.action(action)
    good = _minimal_call(action)
    assert validate.validate(action, good) == [], "the minimal well-typed call must pass"
    assert [p.path for p in validate.validate(action, {**good, "NoSuchParam": 1})] == [
        "NoSuchParam"
    ]
    assert [p.path for p in validate.validate(action, {**good, "Region": "mars-1"})] == ["Region"]
    for param in act["inputs"]:
        wrong: Any = {"a": 1} if param["type"] in schema.SCALAR_SCHEMAS else "text"
        problems = validate.validate(action, {**good, param["name"]: wrong})
        assert param["name"] in [p.path for p in problems], param["name"]
        if param["required"]:
            missing = {k: v for k, v in good.items() if k != param["name"]}
            problems = validate.validate(action, missing)
            assert (param["name"], "(missing)") in [(p.path, p.given) for p in problems]
        if "maximum" in param and not param["array"]:
            problems = validate.validate(action, {**good, param["name"]: param["maximum"] + 1})
            assert [p.path for p in problems] == [param["name"]]


@pytest.mark.parametrize("action", ACTIONS)
def test_definition_is_complete_and_annotated(action: str) -> None:
    for lang in ("en", "zh"):
        tool = tool_definition(action, lang=lang)
        assert tool["name"] == action and tool["title"] and tool["description"]
        hints = safety.annotations(action, lang)
        cls = catalog.safety_class(action)
        assert hints["readOnlyHint"] is (cls == "read")
        assert hints["openWorldHint"] is True
        if cls != "read":
            assert hints["destructiveHint"] is (cls == "destructive")
        if catalog.action(action)["asynchronous"]:
            assert (
                "Async" in tool["description"]
                or "异步" in tool["description"]
                or ("poll" in tool["description"])
            )
    json.dumps(tool_definition(action))  # plain JSON data


def _with_defaults(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "default" in node:
            found.append(node)
        for value in node.values():
            found += _with_defaults(value)
    elif isinstance(node, list):
        for value in node:
            found += _with_defaults(value)
    return found


@pytest.mark.parametrize("action", ACTIONS)
def test_advertised_defaults_satisfy_their_own_schema(action: str) -> None:
    """A default the model copies must never be refused by the same schema."""
    for sub in _with_defaults(schema.input_schema(action, default_region="ap-guangzhou")):
        assert jsonschema.Draft202012Validator(sub).is_valid(sub["default"]), sub
    act = catalog.action(action)
    good = _minimal_call(action)
    for param in act["inputs"]:
        if "default" in param:
            assert validate.validate(action, {**good, param["name"]: param["default"]}) == []


def test_definitions_are_accepted_by_the_mcp_tool_model() -> None:
    import mcp_types

    for action in ACTIONS:
        d = tool_definition(action, default_region="ap-guangzhou")
        tool = mcp_types.Tool.model_validate(d)
        assert tool.input_schema == d["inputSchema"]
        assert tool.output_schema == d["outputSchema"]
        assert tool.annotations is not None and tool.annotations.title == d["title"]
        assert tool.annotations.read_only_hint is (catalog.safety_class(action) == "read")
