"""The state that must hold across server processes, behind one small interface.

``memory://`` (the default) keeps it in this process, as a single server always did;
``redis://host:port/db`` or ``rediss://`` (TLS) keeps it in Redis so that N replicas
behind one endpoint share it: rate-limit slots per account, action and region; single-use
claims (confirmation tokens, approval nonces); short-lived values with blocking hand-over
(approval decisions); append-only streams (the audit trail).

This layer sits under ``client`` (whose rate limiter uses it) and imports nothing else of
the package. The Redis implementation needs the optional ``redis`` package (extra
``shared``) and is imported only when a ``redis://`` URL is opened.
"""

from __future__ import annotations

from .base import (
    ENV_STORE,
    Store,
    StoreConfigError,
    StoreUnavailable,
    StreamEntry,
    redact_url,
)
from .memory import MemoryStore
from .open import check_url, make_store, open_store

__all__ = [
    "ENV_STORE",
    "MemoryStore",
    "Store",
    "StoreConfigError",
    "StoreUnavailable",
    "StreamEntry",
    "check_url",
    "make_store",
    "open_store",
    "redact_url",
]
