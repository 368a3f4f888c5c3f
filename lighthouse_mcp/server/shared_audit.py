"""The audit trail as a stream in the shared store, beside each replica's JSON Lines file.

Every record the gate writes to its local file (``server/gate/audit.py``, fsynced before
the tool returns) is also appended to the stream ``audit`` of the ``--store``: with Redis,
one ordered trail for every replica (entry IDs are Redis's, so the order is the order of
arrival at Redis). ``lighthouse-mcp audit`` tails and filters it.

The append is asynchronous and never holds up or fails a call: the local file is the
record of truth, the stream a shared view of it. A record the store cannot take (Redis
lost) is counted and logged once per outage; it remains in the local file.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

from lighthouse_mcp.store import Store, StoreUnavailable, StreamEntry

log = logging.getLogger(__name__)

#: The stream's key in the store.
AUDIT_STREAM = "audit"
#: Entries kept in the stream (approximately; Redis trims in whole nodes).
AUDIT_MAXLEN = 100_000
#: Fields copied out of the record for filtering without parsing it.
INDEXED = ("action", "decision", "principal", "region", "client")


def stream_fields(entry: Mapping[str, Any]) -> dict[str, str]:
    fields = {name: str(entry[name]) for name in INDEXED if entry.get(name) is not None}
    fields["record"] = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    return fields


class AuditStream:
    """``mirror(record)`` (synchronous, called by AuditLog) schedules the append."""

    def __init__(self, store: Store, *, maxlen: int = AUDIT_MAXLEN) -> None:
        self._store = store
        self._maxlen = maxlen
        self._tasks: set[asyncio.Task[None]] = set()
        self.lost = 0
        self._failing = False

    def __repr__(self) -> str:
        return f"AuditStream({self._store.label!r}, lost={self.lost})"

    def mirror(self, entry: Mapping[str, Any]) -> None:
        fields = stream_fields(entry)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a synchronous caller): the file has it
            self.lost += 1
            return
        task = loop.create_task(self._append(fields))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _append(self, fields: dict[str, str]) -> None:
        try:
            await self._store.append(AUDIT_STREAM, fields, self._maxlen)
        except StoreUnavailable as exc:
            self.lost += 1
            if not self._failing:
                log.warning("audit records stay in the local file only: %s", exc)
            self._failing = True
        else:
            self._failing = False

    async def flush(self) -> None:
        """Wait for the appends scheduled so far (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def matches(entry: StreamEntry, filters: Mapping[str, str]) -> bool:
    """Every filter (field -> exact value) holds for the entry."""
    return all(entry.fields.get(name) == value for name, value in filters.items())


def record_of(entry: StreamEntry) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(entry.fields.get("record", "{}"))
    record["stream_id"] = entry.id
    return record
