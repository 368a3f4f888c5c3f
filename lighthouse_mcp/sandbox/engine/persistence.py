"""``--state FILE``: every account's tables as one JSON document, written atomically.

The format is versioned (``STATE_FORMAT``); a file of another version is refused rather
than half understood, and so is a file of the right version but the wrong shape (``[]``,
``null``, a table that is not an object, a record that is a list, a broken pending
transition): :func:`check_shape` names the first thing wrong by its path in the file,
so a hand-edited or foreign file stops the sandbox at start with a clear message instead
of failing every later call.

    {"format": 1, "saved_at": <number>,
     "accounts": {SecretId: {region: {table: {resource id: {record}}}}}}

A record's ``_pending`` (scheduler.py) is a list of ``{"at": <number>, "set": {...}}``
or ``{"at": <number>, "remove": true}``.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .state import RegionState, Table, World

STATE_FORMAT = 1


def dump(worlds: Mapping[str, World], saved_at: float) -> dict[str, Any]:
    """The JSON document for ``worlds`` (account -> World)."""
    return {
        "format": STATE_FORMAT,
        "saved_at": saved_at,
        "accounts": {
            account: {name: state.to_json() for name, state in world.regions.items()}
            for account, world in worlds.items()
        },
    }


class StateFileError(ValueError):
    """The state document is not one :func:`dump` could have written; says what and where."""


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _expect_object(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StateFileError(f"{where}: expected {what} (a JSON object), got {_kind(value)}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_pending(pending: Any, where: str) -> None:
    if not isinstance(pending, list):
        raise StateFileError(f"{where}: expected a list of transitions, got {_kind(pending)}")
    for i, entry in enumerate(pending):
        at = f"{where}[{i}]"
        _expect_object(entry, at, "a pending transition")
        if not _is_number(entry.get("at")):
            raise StateFileError(
                f"{at}.at: expected a time (a number), got {_kind(entry.get('at'))}"
            )
        if "set" in entry:
            _expect_object(entry["set"], f"{at}.set", "the fields to set")
        if "remove" in entry and not isinstance(entry["remove"], bool):
            raise StateFileError(f"{at}.remove: expected true or false")


def check_shape(data: Any) -> None:
    """Raise StateFileError naming the first part of ``data`` that is not the shape
    :func:`dump` writes (the module docstring shows it)."""
    _expect_object(data, "the document", "the sandbox state")
    if data.get("format") != STATE_FORMAT:
        raise StateFileError(
            f"format: unsupported sandbox state format {data.get('format')!r}; "
            f"expected {STATE_FORMAT}"
        )
    if "saved_at" in data and not _is_number(data["saved_at"]):
        raise StateFileError(f"saved_at: expected a time (a number), got {_kind(data['saved_at'])}")
    accounts = _expect_object(data.get("accounts", {}), "accounts", "SecretId -> regions")
    for account, regions in accounts.items():
        where = f"accounts.{account}"
        for region, tables in _expect_object(regions, where, "region -> tables").items():
            at = f"{where}.{region}"
            for name, table in _expect_object(tables, at, "table name -> table").items():
                here = f"{at}.{name}"
                for rid, record in _expect_object(table, here, "resource id -> record").items():
                    record = _expect_object(record, f"{here}.{rid}", "a resource record")
                    if "_pending" in record:
                        _check_pending(record["_pending"], f"{here}.{rid}._pending")


def regions_of(data: Any) -> dict[str, dict[str, RegionState]]:
    """account -> region -> state, read from a document :func:`dump` wrote (copied).
    Raises StateFileError when it is not one (check_shape)."""
    check_shape(data)
    accounts: dict[str, dict[str, dict[str, Table]]] = data.get("accounts", {})
    return {
        account: {
            name: RegionState(name, copy.deepcopy(tables)) for name, tables in regions.items()
        }
        for account, regions in accounts.items()
    }


def write(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(path: Path) -> dict[str, dict[str, RegionState]]:
    """The state in ``path``. Raises OSError, or StateFileError naming the file and what
    in it is wrong (not JSON, or not the shape :func:`dump` writes)."""
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(f"sandbox state file {path}: not JSON ({exc})") from None
    try:
        return regions_of(data)
    except StateFileError as exc:
        raise StateFileError(f"sandbox state file {path}: {exc}") from None
