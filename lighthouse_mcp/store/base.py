"""The store interface, its errors, and URL handling shared by the implementations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

#: The environment variable ``--store`` falls back to.
ENV_STORE = "LIGHTHOUSE_MCP_STORE"
#: The password for a ``redis(s)://`` URL that does not carry one.
ENV_STORE_PASSWORD = "LIGHTHOUSE_MCP_STORE_PASSWORD"


class StoreConfigError(ValueError):
    """The store URL cannot be used (bad scheme, port, database, missing package)."""


class StoreUnavailable(RuntimeError):
    """The store did not answer (connection refused, timeout, lost while running)."""


@dataclass(frozen=True)
class StreamEntry:
    """One entry of an append-only stream: its ID (ordered) and its fields."""

    id: str
    fields: dict[str, str]


class Store(Protocol):
    """What every implementation provides. Keys are plain strings; the implementation
    adds its own prefix. Every method raises :class:`StoreUnavailable` when the backing
    service does not answer, never a library-specific error."""

    #: The URL with any password replaced by ``***``; safe to log.
    label: str
    #: True when the state is shared with other processes (not ``memory://``).
    shared: bool

    async def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers now."""

    async def reserve_slot(self, key: str, rate: int, spacing: float) -> float:
        """Claim the next start slot under ``key`` such that any ``spacing``-long window
        holds at most ``rate`` slots; return the seconds to wait for it (atomic)."""

    async def claim_once(self, key: str, ttl: float) -> bool:
        """True the first time ``key`` is claimed within ``ttl`` seconds, else False."""

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set ``key`` to ``value`` for ``ttl`` seconds."""

    async def get(self, key: str) -> str | None:
        """The value of ``key``, or None when absent or expired."""

    async def delete(self, key: str) -> None:
        """Remove ``key`` (no error when absent)."""

    async def push(self, key: str, value: str, ttl: float) -> None:
        """Hand ``value`` to whoever waits on ``key`` (now or within ``ttl`` seconds)."""

    async def pop_wait(self, key: str, timeout: float) -> str | None:
        """Wait up to ``timeout`` seconds for a value pushed to ``key`` (a blocking read,
        no polling); None on timeout."""

    async def append(self, stream: str, fields: dict[str, str], maxlen: int) -> str:
        """Append to ``stream`` (keeping about ``maxlen`` entries); return the entry ID."""

    async def read(
        self, stream: str, after: str = "0", count: int = 100, block: float | None = None
    ) -> list[StreamEntry]:
        """Entries after ID ``after`` (``"0"``: from the start), oldest first; with
        ``block``, wait up to that many seconds for the first new one."""

    async def aclose(self) -> None:
        """Release connections."""


def redact_url(url: str) -> str:
    """``url`` with its password (if any) replaced, for logs and errors."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    netloc = f"{user}:***@{hostport}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
