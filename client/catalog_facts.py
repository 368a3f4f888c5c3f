"""The two facts the client needs from the API catalog: is an action a read, and its rate.

The catalog lives in ``lighthouse_mcp.tools.catalog`` (data + the overlay's safety
classes). It is imported by name at first use so that the client still works — with
conservative fallbacks — where the catalog data or the overlay is missing (a partial
checkout, a test), and because the package-dir layout hides it from mypy's import graph.
Answers are cached: both questions are asked on every call.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

#: Action-name prefixes treated as reads when the catalog cannot say.
READ_PREFIXES = ("Describe", "InquirePrice")


def _catalog() -> ModuleType | None:
    try:
        return importlib.import_module("lighthouse_mcp.tools.catalog")
    except ImportError:
        return None


@lru_cache(maxsize=1024)
def is_read(action: str) -> bool:
    """True for actions that change nothing: the overlay's class, else the name prefix."""
    catalog = _catalog()
    if catalog is not None:
        try:
            return bool(catalog.is_read(action))
        except (KeyError, OSError, ValueError):
            pass
    return action.startswith(READ_PREFIXES)


@lru_cache(maxsize=1024)
def rate_limit(action: str) -> float | None:
    """The documented requests/second of an action, None when unknown."""
    catalog = _catalog()
    if catalog is None:
        return None
    try:
        rate = catalog.action(action)["rate_limit"]
    except (KeyError, OSError, ValueError):
        return None
    return float(rate) if rate else None


#: Used when the catalog is unavailable: the one documented idempotency parameter.
_KNOWN_TOKENS = {"CreateInstances": "ClientToken"}


@lru_cache(maxsize=1024)
def idempotency_token(action: str) -> str | None:
    """The name of the action's idempotency-token input (``ClientToken``), if it has one."""
    catalog = _catalog()
    if catalog is not None:
        try:
            inputs = catalog.action(action)["inputs"]
            return "ClientToken" if any(p["name"] == "ClientToken" for p in inputs) else None
        except (KeyError, OSError, ValueError):
            pass
    return _KNOWN_TOKENS.get(action)
