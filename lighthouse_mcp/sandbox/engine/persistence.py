"""``--state FILE``: every account's tables as one JSON document, written atomically.

The format is versioned (``STATE_FORMAT``); a file of another version is refused rather
than half understood.
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


def regions_of(data: Mapping[str, Any]) -> dict[str, dict[str, RegionState]]:
    """account -> region -> state, read from a document :func:`dump` wrote (copied)."""
    if data.get("format") != STATE_FORMAT:
        raise ValueError(
            f"unsupported sandbox state format {data.get('format')!r}; expected {STATE_FORMAT}"
        )
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


def read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)
