"""JSON Schemas of the tools, generated from the catalog: inputSchema and outputSchema.

Every documented input parameter appears under its API name with its documented type,
bounds, enum and default; structures become closed objects (``additionalProperties:
false``), so a model that invents a field is told so before anything is sent. The same
schema (minus descriptions) drives :mod:`lighthouse_mcp.tools.validate`, which is why the
keywords emitted here are a small fixed set (:data:`EMITTED_KEYWORDS`).

Output schemas describe ``Response`` without ``RequestId``: the request id is transport
metadata (the server reports it beside the result), and it is left out of ``properties``
but not forbidden. Outputs describe, never forbid: objects are open and documented values
are named in descriptions, not enums — the API adds members and values over time (a new
state, a new field) and a client that validates structuredContent must not fail on them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any, Literal, cast

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Action, Constraint, FilterSpec, Param
from lighthouse_mcp.tools.text import first_sentence

Lang = Literal["en", "zh"]
JSONSchema = dict[str, Any]

#: The common parameter every tool takes on top of the action's own inputs.
REGION_PARAM = "Region"
#: Output field that is transport metadata, not part of the answer.
REQUEST_ID = "RequestId"

#: Docs type name -> JSON Schema. Plain "Timestamp" is "YYYY-MM-DD HH:MM:SS", not RFC 3339.
SCALAR_SCHEMAS: dict[str, JSONSchema] = {
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Boolean": {"type": "boolean"},
    "Float": {"type": "number"},
    "Double": {"type": "number"},
    "Date": {"type": "string", "format": "date"},
    "Timestamp": {"type": "string"},
    "Timestamp ISO8601": {"type": "string", "format": "date-time"},
    "Binary": {"type": "string"},
}

#: Documented cross-parameter rules of an object (catalog ``constraints`` of the action or
#: of a structure). Only in the validation schema: JSON Schema would need ``not``/``anyOf``
#: combinations that cost tokens and explain nothing; unknown keywords are annotations.
RULES_KEYWORD = "x-constraints"
#: Every keyword this module emits; the validator compiles exactly these and refuses others.
EMITTED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minimum",
        "maximum",
        "maxLength",
        "minItems",
        "maxItems",
        "format",
        "anyOf",
        "pattern",
        "$ref",
        "$defs",
        "description",
        "default",
        RULES_KEYWORD,
    }
)

_TEMPLATED_FILTER = re.compile(r"^([\w.-]+:)(.+)$")


class SchemaError(ValueError):
    """The catalog describes something this module cannot express (a bug in the data)."""


#: Chinese parameter descriptions: the first sentence, at most this many characters.
ZH_PARAM_CHARS = 40


#: Clauses of a Chinese description that the schema keywords already state.
_ZH_RESTATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("默认", ("default",)),
    ("最大", ("maximum", "max_items", "max_length")),
    ("上限", ("maximum", "max_items", "max_length")),
    ("最小", ("minimum", "min_items")),
)


def zh_description(param: Param) -> str:
    """The docs' first sentence without what the schema says anyway: the value list after
    "取值" when there is an enum, "默认为 20" beside a default, "最大值为 100" beside a
    maximum. Empty when nothing else is left (the keywords speak for themselves)."""
    sentence = first_sentence(param["description"], 200)
    kept: list[str] = []
    for clause in re.split(r"[，,]", sentence):
        if "enum" in param and "取值" in clause:
            break  # the rest of the sentence lists the enum's values
        if any(word in clause and any(k in param for k in keys) for word, keys in _ZH_RESTATES):
            continue
        kept.append(clause.strip())
    return first_sentence("，".join(c for c in kept if c), ZH_PARAM_CHARS)


def _member_description(structure: str, member: Param, lang: Lang | None) -> str:
    if lang == "en":
        return catalog.load_overlay()["structures"].get(structure, {}).get(member["name"], "")
    if lang == "zh":
        return zh_description(member)
    return ""


def _param_description(action: str, param: Param, lang: Lang | None) -> str:
    overlay = catalog.load_overlay()["actions"].get(action)
    english = overlay["params"].get(param["name"]) if overlay else None
    if lang == "en":
        return english or ""
    if lang == "zh" and english != "":
        # An empty overlay text marks a self-explanatory name (Offset, InstanceIds): no
        # description in either language, since every tool carries its schema each turn.
        return zh_description(param)
    return ""


def _structure_refs(params: Iterable[Param]) -> Iterator[str]:
    for p in params:
        if p["type"] not in SCALAR_SCHEMAS:
            yield p["type"]


class _Builder:
    """Builds one schema; decides per structure whether to inline it or use ``$defs``.

    A structure goes to ``$defs`` when the schema would otherwise spell it out more than
    once, or when it contains itself. Counting walks each reachable structure's members
    once, which is exactly the number of places it would appear with ``$defs`` in use.
    """

    def __init__(
        self,
        roots: list[Param],
        *,
        lang: Lang | None,
        output: bool,
        inline: set[str] | None = None,
        rules: bool = False,
    ) -> None:
        self.lang = lang
        self.output = output
        self.rules = rules
        self.defs: dict[str, JSONSchema] = {}
        # Roots named in ``inline`` are spelled out in place (Filters), so they add no use.
        uses: Counter[str] = Counter(
            _structure_refs(p for p in roots if p["name"] not in (inline or set()))
        )
        recursive: set[str] = set()
        seen: set[str] = set()

        def visit(name: str, where: str, stack: tuple[str, ...]) -> None:
            if name in stack:
                recursive.add(name)
                return
            if name in seen:
                return
            if name not in catalog.load_catalog()["structures"]:
                raise SchemaError(
                    f"{where}: type {name!r} is neither a documented scalar nor a structure"
                )
            seen.add(name)
            for member in self._members(name):
                if member["type"] not in SCALAR_SCHEMAS:
                    uses[member["type"]] += 1
                    visit(member["type"], f"{name}.{member['name']}", (*stack, name))

        for p in roots:
            if p["type"] not in SCALAR_SCHEMAS:
                visit(p["type"], p["name"], ())
        self.shared = {n for n, c in uses.items() if c > 1} | recursive

    @staticmethod
    def _members(name: str) -> list[Param]:
        return catalog.structure(name)["members"]

    def structure(self, name: str) -> JSONSchema:
        if name in self.shared:
            if name not in self.defs:
                self.defs[name] = {}  # placeholder breaks recursion
                self.defs[name] = self.object(name)
            return {"$ref": f"#/$defs/{name}"}
        return self.object(name)

    def object(self, name: str) -> JSONSchema:
        props: dict[str, JSONSchema] = {}
        required: list[str] = []
        for member in self._members(name):
            props[member["name"]] = self.param(member, _member_description(name, member, self.lang))
            if member["required"] and not self.output:
                required.append(member["name"])
        schema: JSONSchema = {"type": "object", "properties": props}
        if not self.output:
            if required:
                schema["required"] = required
            schema["additionalProperties"] = False
            if self.rules:
                add_rules(schema, catalog.structure(name).get("constraints", []))
        return schema

    def element(self, param: Param) -> JSONSchema:
        """The schema of one value (an array's item), with the value-level constraints."""
        scalar = SCALAR_SCHEMAS.get(param["type"])
        schema = dict(scalar) if scalar is not None else self.structure(param["type"])
        if "enum" in param and self.output:
            # Outputs describe, never forbid: the service adds values (a new state) and a
            # client validating structuredContent must not fail on them.
            schema["description"] = documented_values(param["enum"])
        elif "enum" in param:
            schema["enum"] = list(param["enum"])
        for key, keyword in (
            ("minimum", "minimum"),
            ("maximum", "maximum"),
            ("max_length", "maxLength"),
        ):
            if key in param:
                value = param[key]  # type: ignore[literal-required]
                schema[keyword] = int(value) if float(value).is_integer() else value
        return schema

    def param(self, param: Param, description: str) -> JSONSchema:
        schema = self.element(param)
        if param["array"]:
            schema = {"type": "array", "items": schema}
            if "min_items" in param:
                schema["minItems"] = param["min_items"]
            if "max_items" in param:
                schema["maxItems"] = param["max_items"]
        if self.output and param.get("nullable"):
            schema = _nullable(schema)
        if description:
            schema["description"] = description
        if "default" in param and not self.output:
            schema["default"] = param["default"]
        return schema

    def filters(self, param: Param, spec: FilterSpec, description: str) -> JSONSchema:
        """``Filters``: the generic Filter structure, narrowed to the action's filter names."""
        item = self.object(param["type"]) if param["type"] not in SCALAR_SCHEMAS else {}
        props = item.get("properties", {})
        if "Name" in props:
            props["Name"] = {**props["Name"], **filter_name_schema(spec)}
            props["Name"].pop("description", None)  # the enum says it better
        if "Values" in props and "max_values" in spec:
            props["Values"] = {**props["Values"], "maxItems": spec["max_values"]}
        schema: JSONSchema = {"type": "array", "items": item}
        max_filters = spec.get("max_filters", param.get("max_items"))
        if max_filters is not None:
            schema["maxItems"] = max_filters
        if description:
            schema["description"] = description
        return schema

    def finish(self, schema: JSONSchema) -> JSONSchema:
        if self.defs:
            schema["$defs"] = self.defs
        return schema


def documented_values(values: Iterable[str | int]) -> str:
    """An output enum as a description: the values known today, not a closed set."""
    return "Documented values: " + ", ".join(str(v) for v in values) + " (others may appear)"


def add_rules(schema: JSONSchema, constraints: Iterable[Constraint]) -> None:
    """Attach documented cross-parameter rules to an object schema (validation only)."""
    rules = [{"kind": c["kind"], "params": list(c["params"])} for c in constraints]
    if rules:
        schema[RULES_KEYWORD] = rules


def _nullable(schema: JSONSchema) -> JSONSchema:
    if "type" in schema and "anyOf" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def filter_name_schema(spec: FilterSpec) -> JSONSchema:
    """Filter.Name: an enum of the documented names; templated ones (``tag:tag-key``,
    where the part after the colon is replaced by a real key) become a prefix pattern."""
    fixed: list[str] = []
    patterns: list[str] = []
    for f in spec["filters"]:
        m = _TEMPLATED_FILTER.match(f["name"])
        if m:
            patterns.append(f"^{re.escape(m.group(1))}.+$")
        else:
            fixed.append(f["name"])
    if not patterns:
        return {"type": "string", "enum": fixed}
    alternatives: list[JSONSchema] = [{"enum": fixed}] if fixed else []
    alternatives += [{"pattern": p} for p in patterns]
    return (
        {"type": "string", "anyOf": alternatives}
        if len(alternatives) > 1
        else {"type": "string", **alternatives[0]}
    )


def _filter_spec(act: Action) -> FilterSpec | None:
    spec = act.get("filters")
    return spec if spec and spec.get("filters") else None


def region_applies(act: Action) -> bool:
    """False for global actions, whose docs say Region "本接口不需要传递此参数" (the catalog
    marks them ``region_required: false``); their tools do not offer a Region."""
    return cast(Mapping[str, Any], act).get("region_required", True) is not False


#: A well-formed region ID (``ap-guangzhou``, ``ap-shanghai-fsi``, ``na-siliconvalley``):
#: any is accepted, since Tencent opens regions the catalog's table does not list yet
#: (DescribeRegions is the live list); the known ones serve as did-you-mean suggestions.
#: The same shape the client checks before signing (client.client._REGION).
REGION_PATTERN = r"^[a-z]{2,4}(?:-[a-z0-9]{2,20}){1,3}$"


def _region_schema(default_region: str | None, region_enum: bool) -> JSONSchema:
    schema: JSONSchema = {"type": "string"}
    if region_enum:
        schema["anyOf"] = [{"enum": catalog.region_ids()}, {"pattern": REGION_PATTERN}]
    if default_region is not None:
        schema["default"] = default_region
    return schema


@cache
def _input_schema(
    name: str, lang: Lang | None, default_region: str | None, region_enum: bool, rules: bool = False
) -> JSONSchema:
    act = catalog.action(name)
    spec = _filter_spec(act)
    filter_param = spec["param"] if spec is not None else None
    try:
        builder = _Builder(
            act["inputs"],
            lang=lang,
            output=False,
            inline={filter_param} if filter_param else set(),
            rules=rules,
        )
    except SchemaError as exc:
        raise SchemaError(f"{name}.{exc}") from None
    props: dict[str, JSONSchema] = {}
    required: list[str] = []
    for p in act["inputs"]:
        description = _param_description(name, p, lang)
        if spec is not None and p["name"] == filter_param:
            props[p["name"]] = builder.filters(p, spec, description)
        else:
            props[p["name"]] = builder.param(p, description)
        if p["required"]:
            required.append(p["name"])
    if region_enum or region_applies(act):
        # The validation schema keeps Region even for global actions: passing one is
        # harmless (the API ignores it) and the server may add its default.
        props[REGION_PARAM] = _region_schema(default_region, region_enum)
    schema: JSONSchema = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    if rules:
        add_rules(schema, act.get("constraints", []))
    return builder.finish(schema)


@cache
def _output_schema(name: str) -> JSONSchema:
    act = catalog.action(name)
    outputs = [p for p in act["outputs"] if p["name"] != REQUEST_ID]
    try:
        builder = _Builder(outputs, lang=None, output=True)
    except SchemaError as exc:
        raise SchemaError(f"{name} output {exc}") from None
    props = {p["name"]: builder.param(p, "") for p in outputs}
    return builder.finish({"type": "object", "properties": props})


def input_schema(
    action: str, *, lang: Lang = "en", default_region: str | None = None, region_enum: bool = False
) -> JSONSchema:
    """The tool's inputSchema: documented inputs plus an optional ``Region``.

    ``lang`` picks the descriptions (English overlay, or the first sentence of the Chinese
    docs); ``default_region`` is advertised as Region's default. A fresh copy is returned,
    so callers may adjust it (e.g. add server-side arguments) without touching the cache.

    Region's list of the documented regions is left out unless ``region_enum``: it would
    cost about 75 estimated tokens in every tool (a third of the per-tool budget), while
    the values are well known and DescribeRegions lists them. With it, the list is an
    ``anyOf`` beside :data:`REGION_PATTERN`, so a region newer than the table still
    passes; the validator suggests a known region for a malformed one.
    """
    return _fresh(_input_schema(action, lang, default_region, region_enum))


def validation_schema(action: str) -> JSONSchema:
    """The description-free input schema the validator compiles (shared, do not mutate).

    It is the published schema plus the Region list, the documented cross-parameter
    rules (:data:`RULES_KEYWORD`) of the action and of its structures, and the documented
    limits the catalog has no keyword for (:mod:`lighthouse_mcp.tools.limits`).
    """
    return _validation_schema(action)


@cache
def _validation_schema(action: str) -> JSONSchema:
    from lighthouse_mcp.tools import limits

    return limits.tighten(_input_schema(action, None, None, True, True))


def output_schema(action: str) -> JSONSchema:
    """The tool's outputSchema: ``Response`` minus ``RequestId``, open objects, nullables."""
    return _fresh(_output_schema(action))


def _fresh(schema: JSONSchema) -> JSONSchema:
    """A deep copy of a schema (plain JSON): through the C JSON codec, about five times
    faster than ``copy.deepcopy``, which was a tenth of building every tool at start."""
    copied: JSONSchema = json.loads(json.dumps(schema))
    return copied


def clear_caches() -> None:
    """Forget built schemas (tests swap catalogs; the real catalog never changes at runtime)."""
    _input_schema.cache_clear()
    _validation_schema.cache_clear()
    _output_schema.cache_clear()
