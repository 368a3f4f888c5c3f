"""``open_store(url)``: the store a URL names, checked to answer before it is used."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from .base import Store, StoreConfigError, redact_url
from .memory import MemoryStore

SCHEMES = ("memory", "redis", "rediss")


def check_url(url: str) -> str:
    """``url`` if its scheme is known and its parts parse; StoreConfigError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise StoreConfigError(
            f"--store: unknown scheme in {redact_url(url)!r}; "
            "expected memory://, redis://host:port/db or rediss://host:port/db"
        )
    if parts.scheme == "memory":
        return url
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise StoreConfigError(f"--store: bad port in {redact_url(url)!r}") from None
    if not parts.hostname:
        raise StoreConfigError(f"--store: no host in {redact_url(url)!r}")
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise StoreConfigError(
            f"--store: the database in {redact_url(url)!r} must be a number, not {db!r}"
        )
    return url


def make_store(url: str, env: Mapping[str, str] | None = None) -> Store:
    """The store for ``url``, not yet connected (see :func:`open_store`)."""
    check_url(url)
    if url.startswith("memory:"):
        return MemoryStore()
    try:
        from .redis_store import RedisStore  # the optional dependency, only when asked for
    except ImportError:
        raise StoreConfigError(
            "--store: redis:// needs the Redis client: pip install 'tencent-lighthouse-mcp[shared]'"
        ) from None
    return RedisStore.from_url(url, env)


async def open_store(url: str, env: Mapping[str, str] | None = None) -> Store:
    """The store for ``url``, after it answered a ping (StoreUnavailable otherwise)."""
    store = make_store(url, env)
    try:
        await store.ping()
    except BaseException:
        await store.aclose()
        raise
    return store
