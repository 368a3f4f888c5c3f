"""Property tests over the real catalog: any call built from an action's schema passes,
and breaking any one field of it is reported at exactly that field's path.

Inputs are drawn from the published schema itself (hypothesis strategies derived from
it), so these tests reach every nested structure of every action, not just the
fields a hand-written test thought of.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lighthouse_mcp import catalog
from lighthouse_mcp.tools import doc_rules
from lighthouse_mcp.tools.schema import (
    RULES_KEYWORD,
    JSONSchema,
    input_schema,
    validation_schema,
)
from lighthouse_mcp.tools.validate import validate

ROOT = Path(__file__).resolve().parents[3]

_SAMPLES = {"date-time": "2025-01-31T08:00:00+08:00", "date": "2025-01-31"}


def _leaf(path: str) -> str:
    return re.sub(r"\[\d+\]", "", path).split(".")[-1]


def _strategy(schema: JSONSchema, root: JSONSchema) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        return st.deferred(lambda: _strategy(root["$defs"][schema["$ref"].split("/")[-1]], root))
    if "anyOf" in schema:
        return st.one_of(
            [
                _strategy({**{k: v for k, v in schema.items() if k != "anyOf"}, **alt}, root)
                for alt in schema["anyOf"]
            ]
        )
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "pattern" in schema and schema["pattern"].endswith(".+$"):  # templated filter names
        prefix = schema["pattern"][1:-3].replace("\\", "")
        return st.text("abc-", min_size=1, max_size=5).map(lambda s: prefix + s)
    if "pattern" in schema:  # region IDs
        return st.from_regex(schema["pattern"], fullmatch=True)
    kind = schema.get("type")
    if kind == "string":
        if "format" in schema:
            return st.just(_SAMPLES[schema["format"]])
        return st.text(max_size=min(schema.get("maxLength", 8), 8))
    if kind == "integer":
        lo = schema.get("minimum", -5)
        return st.integers(lo, schema.get("maximum", lo + 100))
    if kind == "number":
        lo = schema.get("minimum", -5)
        return st.floats(lo, schema.get("maximum", lo + 100), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        lo = schema.get("minItems", 0)
        return st.lists(
            _strategy(schema["items"], root),
            min_size=lo,
            max_size=min(schema.get("maxItems", 3), lo + 2),
        )
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        drawn = st.fixed_dictionaries(
            {k: _strategy(v, root) for k, v in props.items() if k in required},
            optional={k: _strategy(v, root) for k, v in props.items() if k not in required},
        )
        rules = schema.get(RULES_KEYWORD, [])
        return drawn.flatmap(lambda d: _obey(d, rules, props, root)) if rules else drawn
    raise AssertionError(f"no strategy for {schema}")


def _obey(
    value: dict[str, Any], rules: list[dict[str, Any]], props: dict[str, Any], root: JSONSchema
) -> st.SearchStrategy[dict[str, Any]]:
    """Make a drawn object satisfy its documented cross-parameter rules."""
    for rule in rules:
        params = rule["params"]
        present = [p for p in params if p in value]
        if rule["kind"] == "mutually_exclusive":
            for extra in present[1:]:
                value.pop(extra)
        elif (
            rule["kind"] == "requires"
            and present[:1] == params[:1]
            and any(p not in value for p in params[1:])
        ):
            value.pop(params[0])
    missing = [
        r["params"][0]
        for r in rules
        if r["kind"] == "one_of_required" and not any(p in value for p in r["params"])
    ]
    if not missing:
        return st.just(value)
    return st.fixed_dictionaries({k: _strategy(props[k], root) for k in missing}).map(
        lambda extra: {**value, **extra}
    )


def _respect_rules(action: str, args: dict[str, Any]) -> dict[str, Any]:
    """Per-filter value enums are catalog rules beyond the schema: use documented values."""
    spec = catalog.action(action).get("filters")
    if spec:
        enums = {f["name"]: f["enum"] for f in spec["filters"] if f.get("enum")}
        for item in args.get(spec["param"], []):
            if item["Name"] in enums:
                item["Values"] = [enums[item["Name"]][0] for _ in item["Values"]]
    return args


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    action = draw(st.sampled_from(catalog.action_names()))
    schema = validation_schema(action)
    args = draw(_strategy(schema, schema))
    return action, _respect_rules(action, args)


def _leaves(value: Any, path: str = "") -> list[tuple[str, list[Any], Any]]:
    """(path, container chain, key) of every scalar or container inside ``value``."""
    found: list[tuple[str, list[Any], Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            found.append((p, [value], k))
            found += _leaves(v, p)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            p = f"{path}[{i}]"
            found.append((p, [value], i))
            found += _leaves(v, p)
    return found


def _published_accepts(action: str, args: dict[str, Any]) -> bool:
    """The reference validator's verdict on the schema a client sees."""
    return bool(
        jsonschema.Draft202012Validator(input_schema(action, region_enum=True)).is_valid(args)
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_calls_drawn_from_the_schema_pass(call: tuple[str, dict[str, Any]]) -> None:
    action, args = call
    # Beyond the schema, only the docs' prose rules (tools/doc_rules.py) may refuse.
    prose = [p for p in validate(action, args) if doc_rules.governs(_leaf(p.path))]
    assert validate(action, args) == prose
    assert _published_accepts(action, args)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls(), st.data())
def test_breaking_one_field_is_reported_at_its_path(
    call: tuple[str, dict[str, Any]], data: st.DataObject
) -> None:
    action, args = call
    leaves = _leaves(args)
    if not leaves:
        return
    path, (container,), key = data.draw(st.sampled_from(leaves))
    original = container[key]
    # A value of a JSON type no documented field ever has at that place.
    container[key] = {"unexpected": 1} if not isinstance(original, dict) else [original]
    problems = validate(action, args)
    assert path in [p.path for p in problems], (action, path, problems)
    assert not _published_accepts(action, args)
