"""Valid tool arguments built from the docs' request examples (catalog ``examples``).

The docs' examples are written by hand: numbers sometimes come as strings ("1" for an
integer Period) and ids are placeholders (``lhins-1a2b3c``). `arguments_for` keeps the
example's shape and values but coerces scalars to the type the tool's schema states
and swaps placeholder ids for ids that exist in the sandbox, so the call is valid and
meaningful.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lighthouse_mcp.tools import catalog
from lighthouse_mcp.tools.schema import input_schema
from tests.support.examples import conform, example_input

#: Placeholder-able values by kind: resource ids (prefix-suffix), bundle ids, zones.
KINDS = (
    ("id", re.compile(r"^(lh[a-z]+|ccn)-[0-9a-z]+$")),
    ("bundle", re.compile(r"^bundle[_0-9a-z]+$")),
    ("zone", re.compile(r"^[a-z]{2}-[a-z]+-\d+$")),
)


def kind_of(value: str) -> str | None:
    """The key ids are grouped under: an id's prefix (lhins, ccn, ...), bundle or zone."""
    for kind, pattern in KINDS:
        if pattern.match(value):
            return value.split("-", 1)[0] if kind == "id" else kind
    return None


#: The Describe action that lists each kind of resource: its ids are preferred, since an
#: id seen elsewhere (an attachment record, another region) may not be usable here.
CANONICAL = {"lhins": "DescribeInstances", "lhsnap": "DescribeSnapshots",
             "lhkp": "DescribeKeyPairs", "lhft": "DescribeFirewallTemplates",
             "lhbp": "DescribeBlueprints", "lhdisk": "DescribeDisks",
             "lhbak": "DescribeDiskBackups"}


def harvest(action: str, response: Any, into: dict[str, list[str]]) -> None:
    """Add the ids of ``response``. A kind's canonical Describe and any write (what it
    just created is what later tools should work on) put their ids first."""
    found: dict[str, list[str]] = {}
    collect_ids(response, found)
    first = not catalog.is_read(action)
    for prefix, ids in found.items():
        have = into.setdefault(prefix, [])
        fresh = [i for i in ids if i not in have]
        if first or CANONICAL.get(prefix) == action:
            into[prefix] = fresh + have
        else:
            have.extend(fresh)


def collect_ids(value: Any, into: dict[str, list[str]]) -> None:
    """Every resource id in a response, by prefix."""
    if isinstance(value, dict):
        for item in value.values():
            collect_ids(item, into)
    elif isinstance(value, list):
        for item in value:
            collect_ids(item, into)
    elif isinstance(value, str) and (kind := kind_of(value)) is not None:
        ids = into.setdefault(kind, [])
        if value not in ids:
            ids.append(value)


def swap_ids(value: Any, known: Mapping[str, list[str]], attempt: int = 0,
             chosen: dict[str, str] | None = None) -> Any:
    """Each distinct placeholder becomes a distinct known value of the same kind;
    ``attempt`` rotates through the known values (another instance, disk, zone...)."""
    chosen = {} if chosen is None else chosen
    if isinstance(value, dict):
        return {k: swap_ids(v, known, attempt, chosen) for k, v in value.items()}
    if isinstance(value, list):
        return [swap_ids(v, known, attempt, chosen) for v in value]
    if isinstance(value, str) and (kind := kind_of(value)) is not None:
        if value not in chosen:
            used = sum(1 for old in chosen if kind_of(old) == kind)
            ids = known.get(kind, [])
            chosen[value] = ids[(used + attempt) % len(ids)] if ids else value
        return chosen[value]
    return value


def arguments_for(action: str, known: Mapping[str, list[str]], attempt: int = 0
                  ) -> dict[str, Any]:
    schema = input_schema(action)
    args = conform(swap_ids(example_input(action), known, attempt), schema)
    args.pop("Region", None)  # the sandbox's seeded resources live in the default region
    return dict(args)
