"""What the client asks the API catalog: is an action a read, its rate, its idempotency token.

The catalog lives in ``lighthouse_mcp.catalog`` (data + the overlay's safety
classes). The client still works where an action is missing from it (or the data files
are, in a partial checkout): reads are then recognised by name prefix, rates fall back
to the limiter's default, and only CreateInstances is known to take a ClientToken.
Answers are cached: these questions are asked on every call.
"""

from __future__ import annotations

from functools import lru_cache

from lighthouse_mcp import catalog

#: Action-name prefixes treated as reads when the catalog cannot say.
READ_PREFIXES = ("Describe", "InquirePrice")


@lru_cache(maxsize=1024)
def is_read(action: str) -> bool:
    """True for actions that change nothing: the overlay's class, else the name prefix."""
    try:
        return catalog.is_read(action)
    except (KeyError, OSError, ValueError):
        return action.startswith(READ_PREFIXES)


@lru_cache(maxsize=1024)
def rate_limit(action: str) -> float | None:
    """The documented requests/second of an action, None when unknown."""
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
    try:
        inputs = catalog.action(action)["inputs"]
    except (KeyError, OSError, ValueError):
        return _KNOWN_TOKENS.get(action)
    return "ClientToken" if any(p["name"] == "ClientToken" for p in inputs) else None
