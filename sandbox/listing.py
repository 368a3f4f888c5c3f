"""Offset/Limit paging and ``Filters`` matching, the way every Describe* action uses them.

The docs' rules: filters combine with AND, the values of one filter with OR; Offset
defaults to 0 and Limit to 20 (some actions document another default). The catalog
checks have already validated names, counts and ranges, so these helpers only select.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Record = dict[str, Any]
#: filter name -> function giving the record's value(s) for that filter
FilterFields = Mapping[str, Callable[[Record], Any]]


def page(items: Sequence[Record], params: Mapping[str, Any], *, default_limit: int = 20) -> list[
    Record
]:
    """The slice ``[Offset, Offset + Limit)`` of ``items``."""
    offset = int(params.get("Offset", 0))
    limit = int(params.get("Limit", default_limit))
    return list(items[offset : offset + limit])


def _as_strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [v for item in value for v in _as_strings(item)]
    if isinstance(value, bool):
        return [str(value).lower()]
    return [str(value)]


def matches(record: Record, filters: Iterable[Mapping[str, Any]], fields: FilterFields) -> bool:
    """Whether ``record`` passes every filter (a filter passes if any of its values match)."""
    for f in filters:
        getter = fields.get(f["Name"])
        if getter is None:
            continue  # a documented filter this family does not model: does not narrow
        have = set(_as_strings(getter(record)))
        if not have.intersection(_as_strings(f["Values"])):
            return False
    return True


def select(
    items: Iterable[Record],
    params: Mapping[str, Any],
    *,
    fields: FilterFields,
    ids_param: str | None = None,
    id_field: str | None = None,
    filters_param: str = "Filters",
) -> list[Record]:
    """Records named by ``params[ids_param]`` (if given) that pass ``params[filters_param]``."""
    selected = list(items)
    if ids_param and id_field and params.get(ids_param):
        wanted = set(params[ids_param])
        selected = [r for r in selected if r.get(id_field) in wanted]
    filters = params.get(filters_param) or []
    return [r for r in selected if matches(r, filters, fields)]


def tag_fields(tags_key: str = "Tags") -> Callable[[str], Callable[[Record], Any] | None]:
    """Resolver for ``tag-key``, ``tag-value`` and ``tag:<key>`` filters over a Tags list."""

    def resolve(name: str) -> Callable[[Record], Any] | None:
        if name == "tag-key":
            return lambda r: [t["Key"] for t in r.get(tags_key) or []]
        if name == "tag-value":
            return lambda r: [t["Value"] for t in r.get(tags_key) or []]
        if name.startswith("tag:"):
            key = name[4:]
            return lambda r: [t["Value"] for t in r.get(tags_key) or [] if t["Key"] == key]
        return None

    return resolve


class Fields(dict[str, Callable[[Record], Any]]):
    """A FilterFields mapping with a fallback resolver (e.g. :func:`tag_fields`)."""

    def __init__(
        self,
        fixed: Mapping[str, Callable[[Record], Any]],
        fallback: Callable[[str], Callable[[Record], Any] | None] | None = None,
    ) -> None:
        super().__init__(fixed)
        self._fallback = fallback

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        if self._fallback is not None:
            found = self._fallback(key)
            if found is not None:
                return found
        return default
