"""Tencent Cloud credentials: the value type, and where to find them (see ``resolve``)."""

from __future__ import annotations

from dataclasses import dataclass, field


def _mask(value: str) -> str:
    """A SecretId shown as ``AKID…abcd``: enough to tell keys apart, useless to an attacker."""
    return f"{value[:4]}…{value[-4:]}" if len(value) > 12 else "…"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A SecretId/SecretKey pair, plus a token for temporary (STS / role) credentials.

    ``repr`` and ``str`` never show the key or the token, and only a masked SecretId,
    so a credentials object can end up in a log line or a traceback without leaking.
    ``expires_at`` (UNIX time) is set for role credentials so a provider can refresh.
    """

    secret_id: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    expires_at: float | None = None

    def __repr__(self) -> str:
        kind = "temporary" if self.token else "long-term"
        return f"Credentials(secret_id={_mask(self.secret_id)!r}, {kind})"

    __str__ = __repr__
