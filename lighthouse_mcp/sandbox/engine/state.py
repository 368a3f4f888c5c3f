"""The resources of each account and region: tables of JSON records, nothing else.

State is plain JSON-serialisable dicts so ``--state FILE`` can persist it with one
``json.dump`` (``persistence.py``) and tests can look inside. Records are stored in the
documented output structure (e.g. ``Instance``) plus internal fields whose names start
with ``_``, which :func:`public` strips before anything leaves the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

Record = dict[str, Any]
Table = dict[str, Record]

#: State of actions that take no Region (account-global resources such as firewall
#: templates) lives under this pseudo-region.
GLOBAL_REGION = "global"


def public(record: Mapping[str, Any]) -> Record:
    """A deep copy of ``record`` without internal ``_`` fields (at any depth)."""
    return {k: _strip(v) for k, v in record.items() if not k.startswith("_")}


def _strip(value: Any) -> Any:
    if isinstance(value, Mapping):
        return public(value)
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def iso(timestamp: float) -> str:
    """The API's timestamp format: ISO 8601 UTC with a trailing ``Z``, seconds precision."""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RegionState:
    """The resources of one account in one region: named tables of records."""

    def __init__(self, region: str, tables: dict[str, Table] | None = None) -> None:
        self.region = region
        self.tables: dict[str, Table] = tables if tables is not None else {}

    def table(self, kind: str) -> Table:
        """The table ``kind`` (created empty on first use), keyed by resource id."""
        return self.tables.setdefault(kind, {})

    def to_json(self) -> dict[str, Table]:
        return self.tables


class World:
    """One account's state across all regions (cross-region actions use this).

    ``seed`` fills a region's state the first time the account touches it.
    """

    def __init__(self, account: str, seed: Callable[[RegionState], None]) -> None:
        self.account = account
        self._seed = seed
        self.regions: dict[str, RegionState] = {}

    def region(self, name: str) -> RegionState:
        """The state of region ``name``, seeded on first touch."""
        state = self.regions.get(name)
        if state is None:
            state = self.regions[name] = RegionState(name)
            self._seed(state)
        return state

    def ids(self) -> Iterable[str]:
        for state in self.regions.values():
            for table in state.tables.values():
                yield from table
