"""The text a model reads for a result: headline figures first, nothing empty, lists as
tables, price quotes without their discount tables.

structuredContent keeps the whole Response; the text is what costs context on every
later turn, so it says each thing once: a first line with the figures a person would ask
for (how many, in which states, what it costs, in which region), then the data with
empty members left out (said once), and every list of records as one table whose column
names are written once and whose columns that hold one value in every row are written
once above it. No non-empty value is dropped from the text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from lighthouse_mcp.tools.fields import all_paths
from lighthouse_mcp.tools.quoting import one_line, quote

EMPTY_NOTE = 'Empty members (null, "", [], {}) left out; structuredContent has every member.'
#: Arrays of records nested inside the records of a price quote: the discount for each
#: of 1-60 months, per resource. Left out of InquirePrice* answers unless ``fields``
#: names them.
PRICE_DETAIL_TABLES = frozenset({"DiscountDetail"})
_COLUMN_SEP = "|"
_STATE_FIELD = re.compile(r"(State|Status)$")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def drop_empty(value: Any) -> tuple[Any, int]:
    """``value`` without object members that are null, "", [] or {} (after their own
    empty members are gone), and how many members were left out. Array elements stay,
    so positions keep their meaning."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        dropped = 0
        for key, item in value.items():
            kept, below = drop_empty(item)
            dropped += below
            if _is_empty(kept):
                dropped += 1
            else:
                out[key] = kept
        return out, dropped
    if isinstance(value, list):
        items, counts = [], 0
        for item in value:
            kept, below = drop_empty(item)
            items.append(kept)
            counts += below
        return items, counts
    return value, 0


# -- headline -----------------------------------------------------------------------------


def _noun(list_field: str, count: int = 2) -> str:
    """``InstanceSet`` -> "instances" ("instance" for one), ``DiskBackupSet`` -> "disk
    backups"."""
    base = re.sub(r"(Set|List|Infos?)$", "", list_field) or list_field
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+", base)
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    if count == 1:
        return text
    if text.endswith(("s", "x", "sh", "ch")):
        return text + "es" if not text.endswith("s") else text
    return text[:-1] + "ies" if text.endswith("y") and text[-2:-1] not in "aeiou" else text + "s"


def _state_counts(records: Sequence[Mapping[str, Any]]) -> str:
    fields = [
        k
        for k in records[0]
        if _STATE_FIELD.search(k) and all(isinstance(r.get(k), str) for r in records)
    ]
    if not fields:
        return ""
    # InstanceState over LatestOperationState: the shortest name is the record's own.
    field = min(fields, key=len)
    counts = Counter(str(r[field]) for r in records)
    return ", ".join(f"{n} {one_line(state)}" for state, n in counts.most_common())


def _money(value: Any) -> str:
    return f"{value:,.2f}" if isinstance(value, int | float) else one_line(str(value))


def _price_line(response: Mapping[str, Any]) -> str | None:
    """ "total 1,100.00 CNY, discounted 935.00 CNY (85% of list)" from the quote's
    top-level price object, wherever the action nests it."""
    found: Mapping[str, Any] | None = None
    for value in response.values():
        if not isinstance(value, Mapping):
            continue
        inner = [v for v in value.values() if isinstance(v, Mapping) and "DiscountPrice" in v]
        if "DiscountPrice" in value:
            found = value
        elif inner:
            found = inner[0]
        if found is not None:
            break
    if found is None:
        return None
    currency = f" {one_line(str(found['Currency']))}" if found.get("Currency") else ""
    total = found.get("OriginalPrice")
    parts = [f"total {_money(total)}{currency}"] if total is not None else []
    parts.append(f"discounted {_money(found.get('DiscountPrice'))}{currency}")
    discount = found.get("Discount")
    if isinstance(discount, int | float) and discount != 100:
        parts[-1] += f" ({discount:g}% of list)"
    return ", ".join(parts)


def headline(action: str, response: Mapping[str, Any], region: str | None = None) -> str:
    """The first line: counts, states, totals with currency, and the region asked."""
    parts: list[str] = []
    total = response.get("TotalCount")
    lists = [k for k, v in response.items() if isinstance(v, list)]
    for key, value in response.items():
        if not isinstance(value, list) or (not value and len(lists) > 1):
            continue
        noun = _noun(key, total if isinstance(total, int) and len(lists) == 1 else len(value))
        count = f"{len(value)} {noun}"
        if isinstance(total, int) and total != len(value) and len(lists) == 1:
            count = f"{len(value)} of {total} {noun}"
        records = [v for v in value if isinstance(v, Mapping)]
        states = _state_counts(records) if records and len(records) == len(value) else ""
        parts.append(f"{count}: {states}" if states else count)
    if not parts and isinstance(total, int):
        parts.append(f"TotalCount {total}")
    price = _price_line(response)
    if price:
        parts.insert(0, price)
    head = f"{action} succeeded"
    if region:
        head += f" in {region}"
    return head + (": " + "; ".join(parts) if parts else ".")


# -- tables -------------------------------------------------------------------------------


def _cell(value: Any, separators: str = _COLUMN_SEP) -> str:
    """One value in a table cell; strings that could be misread (holding a separator,
    blank, or with hidden characters) are written as JSON strings."""
    if isinstance(value, str):
        text = one_line(value)
        plain = text == value and text.strip() and not any(s in text for s in separators)
        return text if plain else quote(value)
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ",".join(_cell(v, _COLUMN_SEP + ",") for v in value)
    return one_line(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def table(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Records as lines: ``same:`` for columns with one value in every row, a header,
    one line per record. Nested objects become dotted columns; an absent value is an
    empty cell."""
    rows = [_flatten(r) for r in records]
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    same = [
        c
        for c in columns
        if len(rows) > 1 and all(c in r for r in rows) and all(r[c] == rows[0][c] for r in rows)
    ]
    varying = [c for c in columns if c not in same]
    lines = []
    if same:
        lines.append("same in all: " + ", ".join(f"{c}={_cell(rows[0][c])}" for c in same))
    if varying:
        lines.append(_COLUMN_SEP.join(varying))
        lines += [_COLUMN_SEP.join(_cell(r[c]) if c in r else "" for c in varying) for r in rows]
    return lines


def render(response: Mapping[str, Any]) -> list[str]:
    """The Response's members as lines: scalars ``Name=value``, objects as compact JSON,
    lists of records as tables."""
    lines: list[str] = []
    scalars = []
    for key, value in response.items():
        if key == "RequestId":
            continue
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"{key} ({len(value)}):")
            lines += table(value)
        elif isinstance(value, Mapping | list):
            lines.append(
                f"{key}: " + one_line(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
            )
        else:
            scalars.append(f"{key}={_cell(value)}")
    if scalars:
        lines.insert(0, ", ".join(scalars))
    return lines


def concise_text(action: str, response: Mapping[str, Any], region: str | None = None) -> str:
    """The whole text of a successful result (``response`` already projected, if asked)."""
    pruned, dropped = drop_empty(dict(response))
    lines = [headline(action, response, region)]
    if response.get("RequestId"):
        lines[0] += f" (RequestId {response['RequestId']})"
    lines += render(pruned)
    if dropped:
        lines.append(EMPTY_NOTE)
    return "\n".join(lines)


# -- price quotes -------------------------------------------------------------------------


def is_price_quote(action: str) -> bool:
    return action.startswith("InquirePrice")


def default_fields(action: str, schema: Mapping[str, Any]) -> list[str] | None:
    """The paths kept when the caller gives no ``fields``: for a price quote, everything
    but the per-period discount tables; None (keep everything) for other actions."""
    if not is_price_quote(action):
        return None
    paths = all_paths(schema)
    detail = [p for p in paths if p.rsplit(".", 1)[-1] in PRICE_DETAIL_TABLES]
    if not detail:
        return None

    # Keep the leaves and whole members that are not (under) a detail table; a parent
    # of a detail table is kept through its other children, so its schema stays exact.
    def under_detail(path: str) -> bool:
        return any(path == d or path.startswith(d + ".") for d in detail)

    def parent_of_detail(path: str) -> bool:
        return any(d.startswith(path + ".") for d in detail)

    kept = [p for p in paths if not under_detail(p) and not parent_of_detail(p)]
    return [p for p in kept if not any(p.startswith(k + ".") for k in kept if k != p)] or None


def left_out_note(action: str, response: Mapping[str, Any]) -> str | None:
    """The line saying which detail tables a default price answer left out, and how to
    ask for them."""
    if not is_price_quote(action):
        return None
    found = sorted({p.rsplit(".", 1)[-1] for p, _ in _detail_paths(response)})
    if not found:
        return None
    named = ", ".join(found)
    return (
        f"Left out: {named} (the discount for each period); ask with fields, e.g. "
        f'["{_detail_paths(response)[0][0]}"], to see it.'
    )


def _detail_paths(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if key in PRICE_DETAIL_TABLES:
                out.append((path, item))
            else:
                out += _detail_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            out += _detail_paths(item, prefix)
    return out
