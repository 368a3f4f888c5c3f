"""Describe* plumbing shared by the families: id checks, ``Filters`` matching and paging.

Every Describe action of the API follows the same rules (documented in each action's
parameter table and in the API 简介 on Offset/Limit): ids and ``Filters`` are mutually
exclusive, a filter's values are OR-ed and filters are AND-ed, unknown filter names and
too many values are refused with the ``InvalidParameter.*Filter*`` codes, ``Limit``
defaults to 20 and tops out at 100. Writing that once keeps the answers of all Describe
actions consistent with each other and with the docs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .context import Ctx

Record = dict[str, Any]
#: Extracts the values a filter compares against from one record.
Accessor = Callable[[Record], Iterable[Any]]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def id_pattern(prefix: str) -> re.Pattern[str]:
    """``prefix-`` followed by 8 lowercase alphanumerics, like every Lighthouse id."""
    return re.compile(rf"^{re.escape(prefix)}-[a-z0-9]{{8}}$")


def _form(pattern: re.Pattern[str]) -> str:
    """``lhins-[a-z0-9]{8}`` -> ``lhins-xxxxxxxx`` for messages."""
    return re.sub(
        r"\[a-z0-9\]\{(\d+)\}",
        lambda m: "x" * int(m.group(1)),
        pattern.pattern.strip("^$").replace("\\", ""),
    )


def check_unique(ctx: Ctx, values: Sequence[str], field: str) -> None:
    """Refuse repeated ids in a batch, as every batch action documents."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ctx.fail(
                "InvalidParameterValue.Duplicated",
                f"`{field}` contains `{value}` more than once; each id may appear once.",
            )
        seen.add(value)


def check_count(ctx: Ctx, values: Sequence[Any], field: str, maximum: int) -> None:
    """Refuse a batch larger than the documented maximum."""
    if len(values) > maximum:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`{field}` has {len(values)} items; at most {maximum} are allowed per request.",
            also=("InvalidParameterValue.OutOfRange", "InvalidParameter"),
        )


def check_ids(
    ctx: Ctx,
    values: Sequence[str],
    field: str,
    pattern: re.Pattern[str],
    malformed_code: str,
    *,
    maximum: int | None = None,
) -> None:
    """Count, uniqueness and format of an id list, each with its documented code."""
    if maximum is not None:
        check_count(ctx, values, field, maximum)
    check_unique(ctx, values, field)
    for value in values:
        if not pattern.match(value):
            raise ctx.fail(
                malformed_code,
                f"`{value}` in `{field}` is not a valid id; expected the form {_form(pattern)}.",
            )


def exclusive(ctx: Ctx, params: Mapping[str, Any], first: str, second: str) -> None:
    """``first`` and ``second`` cannot be given together (ids vs. Filters)."""
    if params.get(first) and params.get(second):
        raise ctx.fail(
            "InvalidParameter.ParameterConflict",
            f"`{first}` and `{second}` cannot be specified together; use one of them.",
            also=("InvalidParameter",),
        )


def apply_filters(
    ctx: Ctx,
    records: Iterable[Record],
    filters: Sequence[Mapping[str, Any]] | None,
    accessors: Mapping[str, Accessor],
    *,
    fuzzy: Iterable[str] = (),
    tag_prefix: bool = False,
    max_filters: int = 10,
    max_values: int = 100,
) -> list[Record]:
    """Records matching every filter (a filter matches when any of its values does).

    ``fuzzy`` names filters that match by substring (the docs' "支持模糊匹配");
    ``tag_prefix`` enables ``tag:<key>`` filters over the record's ``Tags``.
    """
    rows = list(records)
    if not filters:
        return rows
    if len(filters) > max_filters:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`Filters` has {len(filters)} filters; at most {max_filters} are allowed.",
            also=("InvalidParameter.InvalidFilter",),
        )
    fuzzy_names = set(fuzzy)
    for index, flt in enumerate(filters):
        name = flt.get("Name")
        values = flt.get("Values") or []
        where = f"Filters[{index}]"
        if not isinstance(name, str):
            raise ctx.fail(
                "InvalidParameter.InvalidFilterInvalidNameNotStr",
                f"`{where}.Name` must be a string.",
                also=("InvalidParameter.InvalidFilter",),
            )
        if len(values) > max_values:
            raise ctx.fail(
                "InvalidParameter.FilterValueLimitExceeded",
                f"`{where}.Values` has {len(values)} values; at most {max_values} are allowed.",
                also=("InvalidParameterValue.LimitExceeded", "InvalidParameter.InvalidFilter"),
            )
        wanted = [str(v) for v in values]
        if tag_prefix and name.startswith("tag:"):
            key = name[4:]
            rows = [r for r in rows if _tag_value(r, key) in wanted]
            continue
        accessor = accessors.get(name)
        if accessor is None:
            allowed = ", ".join(sorted(accessors)) + (", tag:<tag-key>" if tag_prefix else "")
            raise ctx.fail(
                "InvalidParameter.InvalidFilterNotSupportedName",
                f"`{where}.Name` is `{name}`, which this action does not support; "
                f"expected one of: {allowed}.",
                also=("InvalidParameter.InvalidFilterName", "InvalidParameter.InvalidFilter"),
            )
        rows = [r for r in rows if _matches(accessor(r), wanted, name in fuzzy_names)]
    return rows


#: The ``tag-key`` and ``tag-value`` filters every tagged resource's Describe action takes
#: (with ``tag:<key>``, enabled by ``tag_prefix=True``).
TAG_FILTERS: dict[str, Accessor] = {
    "tag-key": lambda r: [t["Key"] for t in r.get("Tags") or []],
    "tag-value": lambda r: [t["Value"] for t in r.get("Tags") or []],
}


def given_tags(params: Mapping[str, Any]) -> list[dict[str, str]]:
    """The ``Tags`` of a create request as stored on the record (Key and Value only)."""
    return [{"Key": t["Key"], "Value": t.get("Value") or ""} for t in params.get("Tags") or []]


def _tag_value(record: Record, key: str) -> str | None:
    for tag in record.get("Tags") or []:
        if tag.get("Key") == key:
            return str(tag.get("Value"))
    return None


def _matches(actual: Iterable[Any], wanted: Sequence[str], fuzzy: bool) -> bool:
    have = [str(a) for a in actual if a is not None]
    if fuzzy:
        return any(w in h for w in wanted for h in have)
    return any(h in wanted for h in have)


def page(ctx: Ctx, rows: Sequence[Record], params: Mapping[str, Any]) -> list[Record]:
    """The ``Offset``/``Limit`` window of ``rows`` (Limit 20 by default, 100 at most)."""
    offset = params.get("Offset", 0)
    limit = params.get("Limit", DEFAULT_LIMIT)
    if offset is None:
        offset = 0
    if limit is None:
        limit = DEFAULT_LIMIT
    if offset < 0 or limit < 0:
        field = "Offset" if offset < 0 else "Limit"
        raise ctx.fail(
            "InvalidParameterValue.Negative",
            f"`{field}` must not be negative.",
            also=("InvalidParameterValue.OutOfRange",),
        )
    if limit > MAX_LIMIT:
        raise ctx.fail(
            "InvalidParameterValue.OutOfRange",
            f"`Limit` is {limit}; it must be between 0 and {MAX_LIMIT}.",
            also=("InvalidParameterValue.LimitExceeded",),
        )
    return list(rows[offset : offset + limit])


def check_length(ctx: Ctx, value: str | None, field: str, maximum: int, code: str) -> None:
    """Refuse a text parameter longer than documented, with the action's ``*TooLong`` code."""
    if value is not None and len(value) > maximum:
        raise ctx.fail(
            code,
            f"`{field}` has {len(value)} characters; at most {maximum}.",
            also=("InvalidParameterValue.TooLong", "InvalidParameterValue"),
        )


def lookup_id(
    ctx: Ctx,
    table: Mapping[str, Record],
    value: str,
    *,
    field: str,
    pattern: re.Pattern[str],
    malformed: str | tuple[str, ...],
    not_found: Sequence[str],
    kind: str,
) -> Record:
    """The record ``value`` of ``table``: the id's format first, then its existence.

    ``malformed`` may be several candidate codes (the first one the action documents wins).
    """
    if not pattern.match(value):
        codes = (malformed,) if isinstance(malformed, str) else malformed
        raise ctx.fail(
            codes[0],
            f"`{field}` value `{value}` is not a valid {kind} id; "
            f"expected the form {_form(pattern)}.",
            also=codes[1:],
        )
    record = table.get(value)
    if record is None:
        raise ctx.fail(
            not_found[0],
            f"The {kind} `{value}` does not exist in {ctx.region}.",
            also=tuple(not_found[1:]),
        )
    return record


def select(
    ctx: Ctx,
    params: Mapping[str, Any],
    rows: Iterable[Record],
    *,
    ids_param: str,
    id_key: str,
    pattern: re.Pattern[str],
    malformed: str,
    accessors: Mapping[str, Accessor],
    **filter_options: Any,
) -> list[Record]:
    """The Describe* selection: ids *or* Filters (never both), then the filters applied.

    Unknown ids simply match nothing (as on the real service); malformed ones are refused.
    """
    exclusive(ctx, params, ids_param, "Filters")
    selected = list(rows)
    ids = params.get(ids_param) or []
    if ids:
        check_ids(ctx, ids, ids_param, pattern, malformed, maximum=MAX_LIMIT)
        wanted = set(ids)
        selected = [r for r in selected if r[id_key] in wanted]
    return apply_filters(ctx, selected, params.get("Filters"), accessors, **filter_options)
