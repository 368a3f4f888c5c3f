"""Lifecycles: transitions queued on records (``STOPPING`` → ``STOPPED``) and applied when due.

A pending transition is stored on its record, under ``_pending``, so it is saved and
restored with the state. The scheduler only remembers the earliest due time, to skip the
walk over every table when nothing is due (the common case).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .state import Record, Table, World


class Scheduler:
    """Queues transitions on records and applies the due ones, in time order."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._next_due = float("inf")

    def schedule(
        self,
        record: Record,
        at: float,
        *,
        set: Mapping[str, Any] | None = None,
        remove: bool = False,
    ) -> None:
        """At time ``at``, merge ``set`` into ``record`` or (``remove``) delete it."""
        entry: dict[str, Any] = {"at": at}
        if set:
            entry["set"] = dict(set)
        if remove:
            entry["remove"] = True
        pending: list[dict[str, Any]] = record.setdefault("_pending", [])
        pending.append(entry)
        pending.sort(key=lambda e: float(e["at"]))
        self._next_due = min(self._next_due, at)

    def reset(self) -> None:
        """Nothing is pending (the state was cleared)."""
        self._next_due = float("inf")

    def rescan(self) -> None:
        """The state was replaced (loaded from a file): look at every record next time."""
        self._next_due = float("-inf")

    def apply_due(self, worlds: Iterable[World]) -> int:
        """Apply every pending transition whose time has come; returns how many."""
        now = self.clock()
        if now < self._next_due:
            return 0
        applied = 0
        next_due = float("inf")
        for world in worlds:
            for state in world.regions.values():
                for table in state.tables.values():
                    for rid in list(table):
                        done, later = _advance(table, rid, now)
                        applied += done
                        next_due = min(next_due, later)
        self._next_due = next_due
        return applied


def _advance(table: Table, rid: str, now: float) -> tuple[int, float]:
    """Apply due transitions of one record; returns (applied, time of the next one)."""
    record = table[rid]
    pending = record.get("_pending")
    if not pending:
        return 0, float("inf")
    applied = 0
    while pending and float(pending[0]["at"]) <= now:
        entry = pending.pop(0)
        applied += 1
        if entry.get("remove"):
            del table[rid]
            return applied, float("inf")
        record.update(entry.get("set", {}))
    if not pending:
        del record["_pending"]
        return applied, float("inf")
    return applied, float(pending[0]["at"])
