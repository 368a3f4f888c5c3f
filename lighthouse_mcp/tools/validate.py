"""Argument validation for tool calls: every problem at once, each naming its field.

The checks are compiled from the very input schema the model sees
(:func:`lighthouse_mcp.tools.schema.validation_schema`: the published schema plus the Region
enum and the documented cross-parameter rules as ``x-constraints``), so schema and
validator cannot drift; on top comes one catalog rule JSON Schema cannot say compactly,
per-filter value enums (``instance-state`` values). Like
botocore's ``validate.py`` it collects all problems before reporting, so a model fixes a
call in one round trip instead of one per mistake.

Compiled checkers are closures cached per action: a typical call validates in a few
microseconds. Values of secret fields (the one list in :mod:`lighthouse_mcp.catalog.secrets`:
passwords, login configurations, container env values, ...) never appear in a problem;
unknown arguments are reported by name and JSON type only.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import FilterSpec
from lighthouse_mcp.catalog.secrets import REDACTED, SECRET_PAIR_LISTS, is_secret_field
from lighthouse_mcp.tools import doc_rules, limits
from lighthouse_mcp.tools.schema import (
    EMITTED_KEYWORDS,
    RULES_KEYWORD,
    JSONSchema,
    validation_schema,
)

__all__ = ["Problem", "ValidationFailed", "check", "validate", "validate_against"]

_MAX_GIVEN = 40
_MAX_LISTED = 12
#: Problems reported per call; a 1000-item array of wrong values needs no 1000 lines.
MAX_PROBLEMS = 50
#: ``^tag:.+$``, the shape schema.py gives templated filter names.
_PREFIX_PATTERN = re.compile(r"^\^(.+)\.\+\$$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the arguments.

    ``path`` locates the field (``Filters[0].Values[2]``; empty for the arguments object
    itself), ``given`` is a short safe rendering of what was sent, ``expected`` what the
    docs allow, ``message`` a complete sentence for a human or a model.
    """

    path: str
    given: str
    expected: str
    message: str


class ValidationFailed(ValueError):
    """Raised by :func:`check`; ``str()`` lists every problem, one per line."""

    def __init__(self, action: str, problems: Sequence[Problem]) -> None:
        self.action = action
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"Invalid arguments for {self.action} ({n} problem{'s' if n != 1 else ''}):"
        return "\n".join([head, *(f"- {p.message}" for p in self.problems)])


Checker = Callable[[Any, str, list[Problem]], None]


# ---------------------------------------------------------------- rendering helpers


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def _printable(text: str) -> str:
    """``text`` with lone surrogates escaped (``\\ud800``): a problem's text must encode
    as UTF-8 on every transport, whatever the caller sent."""
    return text if text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _given(value: Any, secret: bool) -> str:
    """A short rendering of a value that is safe to show: JSON-ish, truncated, redacted."""
    if secret:
        return REDACTED
    if isinstance(value, str):
        text = value if len(value) <= _MAX_GIVEN else value[: _MAX_GIVEN - 1] + "…"
        return _printable(json.dumps(text, ensure_ascii=False))
    if value is None or isinstance(value, bool | int | float):
        return (
            json.dumps(value)
            if not isinstance(value, float) or math.isfinite(value)
            else str(value)
        )
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return f"an array of {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"


def _got(value: Any, secret: bool) -> str:
    kind = _json_type(value)
    given = _given(value, secret)
    return given if given.startswith("an ") or given.startswith("a ") else f"{kind} {given}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _at(path: str) -> str:
    return f"{path}: " if path else "arguments: "


def _listing(values: Sequence[Any]) -> str:
    """Every value: an enum error that hides some (Period's 24/36/48/60) sends the model
    guessing."""
    return ", ".join(json.dumps(v, ensure_ascii=False) for v in values)


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    """The choice the caller most likely meant: same letters ignoring case and '_'/'-',
    else the closest spelling."""

    def norm(s: str) -> str:
        return s.replace("_", "").replace("-", "").lower()

    wanted = norm(word)
    for c in choices:
        if norm(c) == wanted:
            return c
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


# ---------------------------------------------------------------- schema descriptions


def describe(schema: JSONSchema) -> str:
    """What a schema accepts, in a few words (used as Problem.expected)."""
    if "$ref" in schema:
        return f"object ({schema['$ref'].rsplit('/', 1)[-1]})"
    if "anyOf" in schema:
        return " or ".join(describe(alt) for alt in schema["anyOf"])
    if "enum" in schema:
        typed = schema.get("type")
        lead = f"{typed}, " if isinstance(typed, str) and typed != "string" else ""
        return f"{lead}one of {_listing(schema['enum'])}"
    if "pattern" in schema:
        prefix = _PREFIX_PATTERN.match(schema["pattern"])
        if prefix:
            literal = re.sub(r"\\(.)", r"\1", prefix[1])  # undo re.escape
            return f"a string starting with {json.dumps(literal)}"
        return f"a string matching {schema['pattern']}"
    kind = schema.get("type", "any value")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        text = f"array of {describe(schema.get('items', {}))}"
        return text + _size_note(schema.get("minItems"), schema.get("maxItems"), "item")
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return "ISO 8601 date-time string, e.g. 2025-01-31T08:00:00+08:00"
        if fmt == "date":
            return "date string YYYY-MM-DD"
        if "maxLength" in schema:
            return f"string of at most {schema['maxLength']} characters"
    if kind in ("integer", "number"):
        lo, hi = schema.get("minimum"), schema.get("maximum")
        lo = None if lo == limits.INT64_MIN else lo  # the wire type's range goes unsaid
        hi = None if hi == limits.INT64_MAX else hi
        if lo is not None and hi is not None:
            return f"{kind} from {lo} to {hi}"
        if lo is not None:
            return f"{kind} >= {lo}"
        if hi is not None:
            return f"{kind} <= {hi}"
    return str(kind)


def _size_note(lo: int | None, hi: int | None, unit: str) -> str:
    if lo is not None and hi is not None:
        return f" ({lo} to {hi} {unit}s)"
    if hi is not None:
        return f" (at most {hi} {unit}s)"
    if lo is not None:
        return f" (at least {lo} {unit}{'s' if lo != 1 else ''})"
    return ""


# ---------------------------------------------------------------- the compiler

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    # JSON Schema counts 10.0 as an integer; the pipeline sends it as 10.
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and math.isfinite(v))
    ),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, Mapping),
    "array": lambda v: isinstance(v, list | tuple),
    "null": lambda v: v is None,
}

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _valid_format(fmt: str, value: str) -> bool:
    try:
        if fmt == "date-time":
            return bool(_DATE_TIME.match(value)) and bool(
                datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
            )
        if fmt == "date":
            return bool(_DATE.match(value)) and bool(date.fromisoformat(value))
    except ValueError:
        return False
    return True  # formats we do not assert (none emitted today)


class _Compiler:
    """Turns a schema into nested closures. ``secret`` marks subtrees under a secret field,
    ``pairs`` the items of a {Key, Value} list whose Values are secret (container env), so
    redaction costs nothing at validation time."""

    def __init__(self, root: JSONSchema, *, quiet: bool = False) -> None:
        self.root = root
        self.quiet = quiet  # no did-you-mean: for anyOf trials, whose problems are dropped
        self.refs: dict[tuple[str, bool, bool], Checker] = {}

    def compile(self, schema: JSONSchema, secret: bool = False, pairs: bool = False) -> Checker:
        unknown = set(schema) - EMITTED_KEYWORDS
        if unknown:
            raise ValueError(f"validator cannot enforce schema keywords {sorted(unknown)}")
        if "$ref" in schema:
            return self._ref(schema["$ref"], secret, pairs)
        expected = describe(schema)
        steps = self._steps(schema, secret, pairs, expected)
        kinds = schema.get("type")
        type_names = [kinds] if isinstance(kinds, str) else list(kinds or [])
        tests = [_TYPE_TESTS[k] for k in type_names]
        accepts: Callable[[Any], bool] | None = (
            None
            if not tests
            else tests[0]
            if len(tests) == 1
            else (lambda v: any(t(v) for t in tests))
        )

        def check(value: Any, path: str, problems: list[Problem]) -> None:
            if accepts is not None and not accepts(value):
                # A pair list (or one of its items) given in another shape, such as
                # Envs: ["DB_PASSWORD=..."], holds the secret values in that shape.
                hide = secret or (pairs and not isinstance(value, Mapping))
                problems.append(
                    Problem(
                        path,
                        _given(value, hide),
                        expected,
                        f"{_at(path)}expected {expected}, got {_got(value, hide)}",
                    )
                )
                return
            for step in steps:
                step(value, path, problems)

        return check

    def _ref(self, ref: str, secret: bool, pairs: bool) -> Checker:
        key = (ref, secret, pairs)
        if key not in self.refs:
            name = ref.removeprefix("#/$defs/")
            target = self.root.get("$defs", {}).get(name)
            if target is None:
                raise ValueError(f"unresolvable $ref {ref!r}")
            holder: list[Checker] = []
            self.refs[key] = lambda v, p, probs: holder[0](v, p, probs)  # recursion-safe
            holder.append(self.compile(target, secret, pairs))
        return self.refs[key]

    def _steps(self, schema: JSONSchema, secret: bool, pairs: bool, expected: str) -> list[Checker]:
        steps: list[Checker] = []
        if "properties" in schema or "required" in schema or "additionalProperties" in schema:
            steps.append(self._object(schema, secret, pairs))
        if "minItems" in schema or "maxItems" in schema:
            steps.append(_size(schema.get("minItems"), schema.get("maxItems")))
        if "items" in schema:
            steps.append(self._items(self.compile(schema["items"], secret, pairs)))
        if "enum" in schema:
            steps.append(_enum(schema["enum"], secret, suggest=not self.quiet))
        if "pattern" in schema:
            steps.append(_pattern(schema["pattern"], secret, expected))
        if "minimum" in schema or "maximum" in schema:
            steps.append(_bounds(schema.get("minimum"), schema.get("maximum"), secret, expected))
        if "maxLength" in schema:
            steps.append(_max_length(schema["maxLength"], secret))
        if schema.get("type") == "string" and "enum" not in schema:
            steps.append(_unicode_text)
        if "format" in schema:
            steps.append(_format(schema["format"], secret, expected))
        if "anyOf" in schema:
            steps.append(self._any_of(schema["anyOf"], secret, expected))
        steps.extend(_constraint(rule) for rule in schema.get(RULES_KEYWORD, ()))
        return steps

    def _object(self, schema: JSONSchema, secret: bool, pairs: bool) -> Checker:
        props = {
            k: self.compile(
                v, secret or is_secret_field(k) or (pairs and k == "Value"), k in SECRET_PAIR_LISTS
            )
            for k, v in schema.get("properties", {}).items()
        }
        expectations = {k: describe(v) for k, v in schema.get("properties", {}).items()}
        names = list(props)
        required = list(schema.get("required", ()))
        closed = schema.get("additionalProperties") is False

        def check(value: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
            for key, item in value.items():
                sub = props.get(key)
                if sub is not None:
                    sub(item, _join(path, key), problems)
                elif closed:
                    problems.append(_unknown(path, str(key), item, names))
            for key in required:
                if key not in value:
                    where = _join(path, key)
                    problems.append(
                        Problem(
                            where,
                            "(missing)",
                            expectations[key],
                            f"{where}: required parameter is missing "
                            f"(expected {expectations[key]})",
                        )
                    )

        return check

    @staticmethod
    def _items(sub: Checker) -> Checker:
        def check(value: Sequence[Any], path: str, problems: list[Problem]) -> None:
            for i, item in enumerate(value):
                sub(item, f"{path}[{i}]", problems)

        return check

    def _any_of(self, alternatives: list[JSONSchema], secret: bool, expected: str) -> Checker:
        trials = _Compiler(self.root, quiet=True)
        subs = [trials.compile(alt, secret) for alt in alternatives]
        texts = [v for alt in alternatives for v in alt.get("enum", ()) if isinstance(v, str)]

        def check(value: Any, path: str, problems: list[Problem]) -> None:
            for sub in subs:
                trial: list[Problem] = []
                sub(value, path, trial)
                if not trial:
                    return
            hint = _suggest(value, texts) if isinstance(value, str) and not secret else None
            advice = f"; did you mean {json.dumps(hint, ensure_ascii=False)}?" if hint else ""
            problems.append(
                Problem(
                    path,
                    _given(value, secret),
                    expected,
                    f"{_at(path)}expected {expected}, got {_got(value, secret)}{advice}",
                )
            )

        return check


def _unknown(path: str, key: str, value: Any, allowed: list[str]) -> Problem:
    key = _printable(key if len(key) <= _MAX_GIVEN else key[: _MAX_GIVEN - 1] + "…")
    where = _join(path, key)
    hint = _suggest(key, allowed)
    place = f" in {path}" if path else ""
    expected = f"one of {', '.join(allowed[:_MAX_LISTED])}" + (
        ", …" if len(allowed) > _MAX_LISTED else ""
    )
    advice = f"did you mean {hint!r}?" if hint else f"allowed: {', '.join(allowed)}"
    return Problem(
        where, _json_type(value), expected, f"{where}: unknown parameter{place}; {advice}"
    )


def _size(lo: int | None, hi: int | None) -> Checker:
    expected = (
        f"{lo} to {hi} items"
        if lo is not None and hi is not None
        else (
            f"at most {hi} items"
            if hi is not None
            else f"at least {lo} item{'s' if lo != 1 else ''}"
        )
    )

    def check(value: Sequence[Any], path: str, problems: list[Problem]) -> None:
        n = len(value)
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            problems.append(
                Problem(path, f"{n} items", expected, f"{_at(path)}expected {expected}, got {n}")
            )

    return check


def _enum(values: list[Any], secret: bool, *, suggest: bool = True) -> Checker:
    # (type, value) pairs: JSON true must not match an enum member 1.
    allowed = frozenset((type(v), v) for v in values)
    expected = f"one of {_listing(values)}"
    texts = [v for v in values if isinstance(v, str)] if suggest and not secret else []

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        try:
            if (type(value), value) in allowed:
                return
        except TypeError:  # unhashable: an array or object is never an enum member
            pass
        hint = _suggest(value, texts) if texts and isinstance(value, str) else None
        advice = f"; did you mean {json.dumps(hint, ensure_ascii=False)}?" if hint else ""
        problems.append(
            Problem(
                path,
                _given(value, secret),
                expected,
                f"{_at(path)}{_given(value, secret)} is not {expected}{advice}",
            )
        )

    return check


def _pattern(pattern: str, secret: bool, expected: str) -> Checker:
    regex = re.compile(pattern)

    def check(value: str, path: str, problems: list[Problem]) -> None:
        if not regex.search(value):
            problems.append(
                Problem(
                    path,
                    _given(value, secret),
                    expected,
                    f"{_at(path)}expected {expected}, got {_got(value, secret)}",
                )
            )

    return check


def _bounds(lo: float | None, hi: float | None, secret: bool, expected: str) -> Checker:
    def check(value: float, path: str, problems: list[Problem]) -> None:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            problems.append(
                Problem(
                    path,
                    _given(value, secret),
                    expected,
                    f"{_at(path)}expected {expected}, got {_given(value, secret)}",
                )
            )

    return check


def _unicode_text(value: str, path: str, problems: list[Problem]) -> None:
    """A lone UTF-16 surrogate (which JSON's ``\\ud800`` escape can carry) is not text
    the API can receive: UTF-8 cannot encode it, so the request could not even be sent."""
    if value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        problems.append(
            Problem(
                path,
                "(text with a lone surrogate)",
                "valid Unicode text",
                f"{_at(path)}character {exc.start} is a lone UTF-16 surrogate; "
                "expected valid Unicode text",
            )
        )


def _max_length(limit: int, secret: bool) -> Checker:
    expected = f"at most {limit} characters"

    def check(value: str, path: str, problems: list[Problem]) -> None:
        if len(value) > limit:
            problems.append(
                Problem(
                    path,
                    _given(value, secret),
                    expected,
                    f"{_at(path)}expected {expected}, got {len(value)}",
                )
            )

    return check


def _format(fmt: str, secret: bool, expected: str) -> Checker:
    def check(value: str, path: str, problems: list[Problem]) -> None:
        if not _valid_format(fmt, value):
            problems.append(
                Problem(
                    path,
                    _given(value, secret),
                    expected,
                    f"{_at(path)}expected {expected}, got {_got(value, secret)}",
                )
            )

    return check


# ---------------------------------------------------------------- catalog-only rules


def _present(arguments: Mapping[str, Any], dotted: str) -> bool:
    node: Any = arguments
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _constraint(rule: Mapping[str, Any]) -> Checker:
    """A documented rule between the members of one object (the arguments, or one
    structure value such as ``FirewallRules[2]``); paths are relative to that object."""
    params: list[str] = list(rule["params"])
    kind = rule["kind"]
    names = ", ".join(params)
    if kind not in ("mutually_exclusive", "one_of_required", "requires"):
        raise ValueError(f"validator cannot enforce constraint kind {kind!r}")

    def check(value: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
        given = [p for p in params if _present(value, p)]
        if kind == "mutually_exclusive" and len(given) > 1:
            where = _join(path, given[1])
            problems.append(
                Problem(
                    where,
                    "(given)",
                    f"at most one of {names}",
                    f"{where}: cannot be combined with {given[0]}; give at most one of {names}",
                )
            )
        elif kind == "one_of_required" and not given:
            where = _join(path, params[0])
            problems.append(
                Problem(
                    where, "(missing)", f"one of {names}", f"{where}: one of {names} is required"
                )
            )
        elif kind == "requires" and params and params[0] in given:
            for other in params[1:]:
                if other not in given:
                    where = _join(path, other)
                    problems.append(
                        Problem(
                            where,
                            "(missing)",
                            "a value",
                            f"{where}: required when {params[0]} is given",
                        )
                    )

    return check


def _filter_values(spec: FilterSpec) -> Checker:
    """Per-filter value enums: Values of ``instance-state`` must be documented states."""
    enums = {f["name"]: f["enum"] for f in spec["filters"] if f.get("enum")}
    checkers = {name: _enum(list(values), False) for name, values in enums.items()}
    param = spec["param"]

    def check(arguments: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
        items = arguments.get(param)
        if not checkers or not isinstance(items, list | tuple):
            return
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            name, values = item.get("Name"), item.get("Values")
            sub = checkers.get(name) if isinstance(name, str) else None
            if sub is None or not isinstance(values, list | tuple):
                continue
            for j, value in enumerate(values):
                if isinstance(value, str):
                    sub(value, f"{param}[{i}].Values[{j}]", problems)

    return check


@cache
def _compiled(action: str) -> tuple[Checker, tuple[Checker, ...]]:
    schema = validation_schema(action)
    act = catalog.action(action)
    extra: list[Checker] = []
    spec = act.get("filters")
    if spec and spec.get("filters"):
        extra.append(_filter_values(spec))
    return _Compiler(schema).compile(schema), tuple(extra)


def validate(action: str, arguments: Mapping[str, Any]) -> list[Problem]:
    """Every problem with ``arguments`` (API parameters plus ``Region``); empty when valid.

    Raises KeyError for an action the catalog does not know (the caller's exposure check
    should have refused it already).
    """
    root, extra = _compiled(action)
    problems: list[Problem] = []
    root(arguments, "", problems)
    if isinstance(arguments, Mapping):
        for rule in extra:
            rule(arguments, "", problems)
        size = limits.request_bytes(arguments)
        if size > limits.MAX_REQUEST_BYTES:
            problems.append(
                Problem(
                    "",
                    f"{size:,} bytes",
                    limits.REQUEST_LIMIT_TEXT,
                    f"the arguments come to {size:,} bytes; the API takes "
                    f"{limits.REQUEST_LIMIT_TEXT}",
                )
            )
        # The docs' prose rules, for fields the schema found nothing wrong with (one
        # problem per field: a 54-character password is "too long", said once).
        flagged = {p.path for p in problems}
        problems.extend(Problem(*f) for f in doc_rules.check(arguments) if f[0] not in flagged)
    if len(problems) > MAX_PROBLEMS:
        hidden = len(problems) - MAX_PROBLEMS
        problems[MAX_PROBLEMS:] = [
            Problem("", f"{hidden} more", "", f"… and {hidden} more problems not shown")
        ]
    return problems


@cache
def _adhoc(schema_json: str) -> Checker:
    schema = json.loads(schema_json)
    return _Compiler(schema).compile(schema)


def validate_against(schema: JSONSchema, value: Any, *, path: str = "") -> list[Problem]:
    """Problems of ``value`` against any schema built from :data:`EMITTED_KEYWORDS` — for
    inputs that are not API parameters (server-added arguments, meta-tool arguments), so
    they get the same checks and messages. Compiled once per distinct schema."""
    problems: list[Problem] = []
    _adhoc(json.dumps(schema, sort_keys=True))(value, path, problems)
    return problems


def check(action: str, arguments: Mapping[str, Any]) -> None:
    """Raise :class:`ValidationFailed` listing every problem, or return when valid."""
    problems = validate(action, arguments)
    if problems:
        raise ValidationFailed(action, problems)


def clear_caches() -> None:
    """Forget compiled validators (tests swap catalogs)."""
    _compiled.cache_clear()
    _adhoc.cache_clear()
