"""Checks a request's envelope (action, version, region) and body against the catalog.

The real service answers the first problem it finds with a code from the action's own
error list when it has a specific one (``InvalidParameterValue.InstanceIdMalformed``),
else with the common code (``InvalidParameterValue``). The same rule is applied here from
data: each condition names candidate codes (:data:`CONDITION_CODES`), and the first one
the action documents wins. Nothing is hand-written per action.

Order of checks (first failure answers): body is a JSON object → unknown parameters →
missing required ones → each present parameter in documented order (type, then value:
enum, range, length, item count, duplicates, id format, filters) → cross-parameter
constraints. Paths in messages use the API's own spelling, ``Filters.0.Values.1``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Action, Constraint, Param, Structure
from lighthouse_mcp.catalog.secrets import REDACTED, SECRET_FIELDS, SECRET_PAIR_LISTS

from ..engine.errors import LimitError, ParameterError, SandboxError, err, first_documented

#: Resource-id parameter names (with or without the plural ``s``) -> id prefix.
ID_PREFIXES: dict[str, str] = {
    "InstanceId": "lhins",
    "DiskId": "lhdisk",
    "SnapshotId": "lhsnap",
    "BlueprintId": "lhbp",
    "KeyId": "lhkp",
    "DiskBackupId": "lhbak",
    "CcnId": "ccn",
    "TemplateId": "lhft",
    "SceneId": "lhsc",
}

#: condition -> candidate codes, most specific first; the generic code closes each list.
CONDITION_CODES: dict[str, tuple[str, ...]] = {
    "type": ("InvalidParameter",),
    "enum": ("InvalidParameterValue",),
    "enum_number": ("InvalidParameterValue.OutOfRange", "InvalidParameterValue"),
    "negative": (
        "InvalidParameterValue.Negative",
        "InvalidParameterValue.OutOfRange",
        "InvalidParameterValue",
    ),
    "below_min": ("InvalidParameterValue.OutOfRange", "InvalidParameterValue"),
    "above_max": (
        "InvalidParameterValue.OutOfRange",
        "InvalidParameterValue.TooLarge",
        "InvalidParameterValue",
    ),
    # A Limit above its maximum is out of range; LimitExceeded only where the page has
    # no OutOfRange code.
    "limit_above_max": (
        "InvalidParameterValue.OutOfRange",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue",
    ),
    "too_long": (
        "InvalidParameterValue.TooLong",
        "InvalidParameterValue.Length",
        "InvalidParameterValue",
    ),
    # IsolateDisks/IsolateInstances name their own code for a batch over the maximum.
    "too_many_items": (
        "LimitExceeded.IsolateResourcesLimitExceeded",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue",
    ),
    "too_few_items": ("InvalidParameterValue",),
    "duplicated": ("InvalidParameterValue.Duplicated", "InvalidParameterValue"),
    "id:lhins": ("InvalidParameterValue.InstanceIdMalformed", "InvalidParameterValue"),
    "id:lhdisk": (
        "InvalidParameterValue.InvalidDiskIdMalformed",
        "InvalidParameterValue.DiskIdMalformed",
        "InvalidParameterValue",
    ),
    "id:lhsnap": ("InvalidParameterValue.SnapshotIdMalformed", "InvalidParameterValue"),
    "id:lhbp": (
        "InvalidParameterValue.BlueprintIdMalformed",
        "InvalidParameterValue.InvalidBlueprintId",
        "InvalidParameterValue",
    ),
    "id:lhkp": ("InvalidParameterValue.KeyPairIdMalformed", "InvalidParameterValue"),
    "id:lhbak": ("InvalidParameterValue.DiskBackupIdMalformed", "InvalidParameterValue"),
    "id:ccn": ("InvalidParameterValue.CcnIdMalformed", "InvalidParameterValue"),
    "id:lhft": ("InvalidParameterValue.FirewallTemplateIdMalformed", "InvalidParameterValue"),
    "id:lhsc": ("InvalidParameterValue.InvalidSceneIdMalformed", "InvalidParameterValue"),
    "filter_not_dict": (
        "InvalidParameter.InvalidFilterNotDict",
        "InvalidParameter.InvalidFilter",
        "InvalidParameter",
    ),
    "filter_name_not_str": (
        "InvalidParameter.InvalidFilterInvalidNameNotStr",
        "InvalidParameter.InvalidFilter",
        "InvalidParameter",
    ),
    "filter_unknown_name": (
        "InvalidParameter.InvalidFilterNotSupportedName",
        "InvalidParameter.InvalidFilterInvalidKey",
        "InvalidParameter.InvalidFilterName",
        "InvalidParameter.InvalidFilter",
        "InvalidParameterValue",
    ),
    "filter_values_not_list": (
        "InvalidParameter.InvalidFilterInvalidValuesNotList",
        "InvalidParameter.InvalidFilter",
        "InvalidParameter",
    ),
    "filter_too_many_values": (
        "InvalidParameter.FilterValueLimitExceeded",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue",
    ),
    "filter_too_many": (
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameter.InvalidFilter",
        "InvalidParameterValue",
    ),
    "conflict": ("InvalidParameter.ParameterConflict", "InvalidParameter"),
    "one_of_required": ("MissingParameter",),
    "requires": ("MissingParameter",),
}

_ID_BODY = re.compile(r"[a-z0-9]{8}")
#: Code suffixes that name a *condition* (length, count, format), not a bad value as such.
_CONDITION_WORDS = (
    "Malformed",
    "TooLong",
    "Length",
    "Duplicated",
    "LimitExceeded",
    "OutOfRange",
    "Negative",
    "TooLarge",
)


def region_required(action: Action) -> bool:
    """False for the account-wide actions whose docs say Region is not passed."""
    return action.get("region_required", True) is not False


#: X-TC-Language values the common parameters document.
LANGUAGES = ("zh-CN", "en-US")


def check_envelope(
    action: str | None, version: str | None, region: str | None, language: str | None = None
) -> Action:
    """The catalog entry of ``action`` after checking the Action, Version, Region and
    Language headers."""
    if not action:
        raise err("MissingParameter", "The request is missing the required header `X-TC-Action`.")
    if not version:
        raise err("MissingParameter", "The request is missing the required header `X-TC-Version`.")
    try:
        entry = catalog.action(action)
    except KeyError:
        raise err(
            "InvalidAction", f"The action `{action[:64]}` does not exist in Lighthouse {version}."
        ) from None
    if version != catalog.API_VERSION:
        raise err(
            "NoSuchVersion",
            f"The API version `{version[:32]}` does not exist; Lighthouse uses "
            f"{catalog.API_VERSION}.",
        )
    if language is not None and language not in LANGUAGES:
        raise err(
            "InvalidParameterValue",
            f"`X-TC-Language` must be one of {', '.join(LANGUAGES)}; got {language[:20]!r}.",
        )
    if region_required(entry):
        if not region:
            raise err(
                "MissingParameter", "The request is missing the required header `X-TC-Region`."
            )
        if region not in catalog.region_ids():
            raise err(
                "UnsupportedRegion",
                f"The region `{region[:40]}` is not supported; see DescribeRegions for the list.",
            )
    return entry


class _Checker:
    """Walks one request body; raises the first problem as the action's documented code."""

    def __init__(self, entry: Action, structure: Callable[[str], Structure]) -> None:
        self.entry = entry
        self.structure = structure
        self.documented = {e["code"] for e in entry["errors"]}

    def fail(self, condition: str, message: str) -> SandboxError:
        """A parameter error, or the limit error a page names for the condition (a batch
        over IsolateDisks' maximum is ``LimitExceeded.IsolateResourcesLimitExceeded``)."""
        candidates = CONDITION_CODES[condition]
        code = first_documented(candidates, self.documented, candidates[-1])
        error = err(code, message)
        assert isinstance(error, (ParameterError, LimitError))
        return error

    # -- objects ------------------------------------------------------------------------

    def check_object(self, value: Mapping[str, Any], members: list[Param], path: str) -> None:
        known = {p["name"] for p in members}
        for name in value:
            if name not in known:
                raise err(
                    "UnknownParameter",
                    f"The parameter `{path}{name}` is not recognized; expected one of: "
                    f"{', '.join(sorted(known)) or '(none)'}.",
                )
        for p in members:
            if p.get("required") and p["name"] not in value:
                raise err(
                    "MissingParameter",
                    f"The request is missing the required parameter `{path}{p['name']}`.",
                )
        for p in members:
            if p["name"] in value:
                self.check_param(p, value[p["name"]], f"{path}{p['name']}")

    # -- one parameter ------------------------------------------------------------------

    def check_param(self, p: Param, value: Any, path: str) -> None:
        filters = self.entry.get("filters")
        if filters is not None and path == filters["param"]:
            self.check_filters(value, path)
            return
        if p["array"]:
            if not isinstance(value, list):
                raise self.fail("type", f"`{path}` must be an array of {p['type']}.")
            self.check_items(p, value, path)
            for i, item in enumerate(value):
                self.check_scalar_or_struct(p, item, f"{path}.{i}")
        else:
            self.check_scalar_or_struct(p, value, path)

    def check_items(self, p: Param, value: list[Any], path: str) -> None:
        if "max_items" in p and len(value) > p["max_items"]:
            raise self.fail(
                "too_many_items",
                f"`{path}` has {len(value)} items; at most {p['max_items']} are allowed.",
            )
        if "min_items" in p and len(value) < p["min_items"]:
            raise self.fail(
                "too_few_items",
                f"`{path}` has {len(value)} items; at least {p['min_items']} are required.",
            )
        hashable = [v for v in value if isinstance(v, str | int)]
        if len(set(hashable)) != len(hashable) and "InvalidParameterValue.Duplicated" in (
            self.documented
        ):
            dup = next(v for i, v in enumerate(hashable) if v in hashable[:i])
            raise self.fail("duplicated", f"`{path}` contains {dup!r} more than once.")

    def check_scalar_or_struct(self, p: Param, value: Any, path: str) -> None:
        kind = p["type"]
        if kind in catalog.SCALAR_TYPES:
            self.check_scalar(p, value, path)
            return
        if not isinstance(value, Mapping):
            raise self.fail("type", f"`{path}` must be an object ({kind}).")
        try:
            struct = self.structure(kind)
        except KeyError:
            return  # a structure the docs do not describe: accept its contents as given
        self.check_object(value, struct["members"], f"{path}.")
        self.check_constraints(struct.get("constraints", []), value, f"{path}.")

    def check_scalar(self, p: Param, value: Any, path: str) -> None:
        kind = p["type"]
        if kind == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
            expected = "an integer"
        elif kind in ("Float", "Double"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            expected = "a number"
        elif kind == "Boolean":
            ok = isinstance(value, bool)
            expected = "true or false"
        else:  # String, Date, Timestamp, Timestamp ISO8601, Binary
            ok = isinstance(value, str)
            expected = "a string"
        if not ok:
            raise self.fail(
                "type", f"`{path}` must be {expected} ({kind}), got {_short(value, path)}."
            )
        self.check_value(p, value, path)

    def named_code(self, p: Param) -> str | None:
        """A documented ``InvalidParameterValue.*`` code naming this parameter, if any.

        e.g. ``InvalidParameterValue.InvalidDiskType`` for ``DiskType``, or
        ``...InvalidResourceQuotaResourceName`` for ``ResourceNames``: the action's own
        word for "this parameter has a value it does not accept".
        """
        name = p["name"]
        return self.code_naming(name[:-1] if p["array"] and name.endswith("s") else name)

    def missing_code(self, names: Iterable[str]) -> str | None:
        """A documented ``MissingParameter.*`` code naming every one of ``names``.

        e.g. ``MissingParameter.OrderFieldRequired`` for OrderField, or
        ``MissingParameter.MissingParameterPeriodCurInstanceDeadline`` for the
        Period / CurInstanceDeadline pair.
        """
        wanted = list(names)
        found = sorted(
            c
            for c in self.documented
            if c.startswith("MissingParameter.") and all(n in c for n in wanted)
        )
        return found[0] if found else None

    def code_with_words(self, name: str, condition: str) -> str | None:
        """A documented code for ``condition`` on this parameter, e.g. ``...NameTooLong``.

        The parameter's words must appear in order before the condition, so ``KeyName``
        finds ``InvalidParameterValue.InvalidKeyPairNameTooLong``.
        """
        words = re.findall(r"[A-Z][a-z0-9]*", name) or [name]
        pattern = re.compile(".*".join(map(re.escape, words)) + f".*{condition}$")
        found = sorted((c for c in self.documented if pattern.search(c.split(".", 1)[-1])), key=len)
        return found[0] if found else None

    def code_naming(self, stem: str) -> str | None:
        stem = stem.lower()
        found = sorted(
            (
                c
                for c in self.documented
                if c.startswith("InvalidParameterValue.")
                and stem in c.lower()
                and not any(word in c for word in _CONDITION_WORDS)
            ),
            key=len,
        )
        return found[0] if found else None

    def check_value(self, p: Param, value: Any, path: str) -> None:
        enum = p.get("enum")
        if enum and value not in enum:
            allowed = ", ".join(map(str, enum))
            message = f"`{path}` must be one of {allowed}; got {_short(value, path)}."
            named = self.named_code(p)
            if named is not None:
                raise err(named, message)
            raise self.fail("enum_number" if isinstance(value, int | float) else "enum", message)
        if isinstance(value, int | float):
            self.check_range(p, value, path)
        if isinstance(value, str):
            if "max_length" in p and len(value) > p["max_length"]:
                message = (
                    f"`{path}` is {len(value)} characters long; at most {p['max_length']} "
                    "are allowed."
                )
                named = self.code_with_words(p["name"], "TooLong")
                if named is not None:
                    raise err(named, message)
                raise self.fail("too_long", message)
            self.check_id(p["name"], value, path)

    def check_range(self, p: Param, value: float, path: str) -> None:
        minimum, maximum = p.get("minimum"), p.get("maximum")
        if minimum is not None and value < minimum:
            condition = "negative" if value < 0 <= minimum else "below_min"
            raise self.fail(condition, f"`{path}` must be at least {_num(minimum)}; got {value}.")
        if maximum is not None and value > maximum:
            condition = "limit_above_max" if p["name"] == "Limit" else "above_max"
            raise self.fail(condition, f"`{path}` must be at most {_num(maximum)}; got {value}.")

    def check_id(self, name: str, value: str, path: str) -> None:
        base = name[:-1] if name.endswith("s") and name[:-1] in ID_PREFIXES else name
        prefix = ID_PREFIXES.get(base)
        if prefix is None:
            return
        head, sep, body = value.partition("-")
        if head != prefix or not sep or not _ID_BODY.fullmatch(body):
            raise self.fail(
                f"id:{prefix}",
                f"`{path}` must look like {prefix}-xxxxxxxx (8 lowercase letters or digits); "
                f"got {_short(value, path)}.",
            )

    # -- filters ------------------------------------------------------------------------

    def documents_id_code(self, param_name: str) -> bool:
        """Filter values get the id-format check only where the action documents its code."""
        prefix = ID_PREFIXES.get(param_name)
        return prefix is not None and CONDITION_CODES[f"id:{prefix}"][0] in self.documented

    def check_filters(self, value: Any, path: str) -> None:
        spec = self.entry["filters"]
        if not isinstance(value, list):
            raise self.fail("type", f"`{path}` must be an array of Filter objects.")
        if "max_filters" in spec and len(value) > spec["max_filters"]:
            raise self.fail(
                "filter_too_many",
                f"`{path}` has {len(value)} filters; at most {spec['max_filters']} are allowed.",
            )
        by_name = {f["name"]: f for f in spec["filters"]}
        for i, item in enumerate(value):
            where = f"{path}.{i}"
            if not isinstance(item, Mapping):
                raise self.fail("filter_not_dict", f"`{where}` must be an object {{Name, Values}}.")
            for key in item:
                if key not in ("Name", "Values"):
                    raise err(
                        "UnknownParameter", f"The parameter `{where}.{key}` is not recognized."
                    )
            if "Name" not in item:
                raise err("MissingParameter", f"The request is missing `{where}.Name`.")
            if "Values" not in item:
                raise err("MissingParameter", f"The request is missing `{where}.Values`.")
            name, values = item["Name"], item["Values"]
            if not isinstance(name, str):
                raise self.fail("filter_name_not_str", f"`{where}.Name` must be a string.")
            spec_name = name if name in by_name else _pattern_filter(name, by_name)
            if spec_name is None:
                raise self.fail(
                    "filter_unknown_name",
                    f"`{where}.Name` {name[:40]!r} is not a filter of {self.entry['name']}; "
                    f"expected one of: {', '.join(by_name)}.",
                )
            if not isinstance(values, list):
                raise self.fail("filter_values_not_list", f"`{where}.Values` must be an array.")
            if "max_values" in spec and len(values) > spec["max_values"]:
                raise self.fail(
                    "filter_too_many_values",
                    f"`{where}.Values` has {len(values)} values; at most {spec['max_values']} "
                    "are allowed.",
                )
            allowed = by_name[spec_name].get("enum")
            for j, v in enumerate(values):
                if not isinstance(v, str):
                    raise self.fail("type", f"`{where}.Values.{j}` must be a string.")
                if allowed and v not in allowed:
                    message = (
                        f"`{where}.Values.{j}` must be one of {', '.join(allowed)} for "
                        f"filter {name}; got {v[:40]!r}."
                    )
                    named = self.code_naming(_filter_id_param(name))
                    if named is not None:
                        raise err(named, message)
                    raise self.fail("enum", message)
                if self.documents_id_code(_filter_id_param(name)):
                    self.check_id(_filter_id_param(name), v, f"{where}.Values.{j}")

    # -- cross-parameter rules ------------------------------------------------------------

    def check_constraints(
        self, rules: Iterable[Constraint], body: Mapping[str, Any], path: str = ""
    ) -> None:
        """Cross-parameter rules of the action (or of a structure, at ``path``)."""
        for rule in rules:
            present = [name for name in rule["params"] if name in body]
            names = ", ".join(f"`{path}{n}`" for n in rule["params"])
            if rule["kind"] == "mutually_exclusive" and len(present) > 1:
                raise self.fail("conflict", f"Only one of {names} may be given ({rule['text']}).")
            if rule["kind"] == "one_of_required" and not present:
                message = f"One of {names} is required ({rule['text']})."
                named = self.missing_code(rule["params"])
                if named is not None:
                    raise err(named, message)
                raise self.fail("one_of_required", message)
            if rule["kind"] == "requires" and rule["params"][0] in body:
                missing = [n for n in rule["params"][1:] if n not in body]
                if missing:
                    message = (
                        f"`{path}{rule['params'][0]}` requires `{path}{missing[0]}` "
                        f"({rule['text']})."
                    )
                    named = self.missing_code([missing[0]])
                    if named is not None:
                        raise err(named, message)
                    raise self.fail("requires", message)


def _pattern_filter(name: str, by_name: Mapping[str, Any]) -> str | None:
    """``tag:env`` matches the documented pattern filter ``tag:tag-key``."""
    head, sep, rest = name.partition(":")
    if not sep or not rest:
        return None
    return next((n for n in by_name if n.startswith(f"{head}:")), None)


def _filter_id_param(filter_name: str) -> str:
    """``instance-id`` -> ``InstanceId`` so filter values get the same id-format check."""
    return "".join(part.capitalize() for part in filter_name.split("-"))


def check_body(
    entry: Action,
    body: Any,
    *,
    structure: Callable[[str], Structure] = catalog.structure,
) -> dict[str, Any]:
    """``body`` as a dict after every documented check; raises the first problem found."""
    if not isinstance(body, dict):
        raise err("InvalidParameter", "The request body must be a JSON object.")
    checker = _Checker(entry, structure)
    checker.check_object(body, entry["inputs"], "")
    checker.check_constraints(entry["constraints"], body)
    return body


def _short(value: Any, path: str) -> str:
    """``value`` as an error message shows it: short, and blanked under a secret field
    (a password of the wrong type must not come back in the answer, nor in the logs of
    whatever client receives it)."""
    if _is_secret_path(path):
        return REDACTED
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_secret_path(path: str) -> bool:
    """True for ``Password``, ``LoginConfiguration.Password.0``, ``Envs.1.Value``..."""
    parts = path.split(".")
    return any(
        part in SECRET_FIELDS or (part == "Value" and i >= 2 and parts[i - 2] in SECRET_PAIR_LISTS)
        for i, part in enumerate(parts)
    )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
