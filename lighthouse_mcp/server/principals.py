"""Per-user identity on HTTP: bearer tokens mapped to principals (``--tokens-file``).

The file holds one line per person or agent: the SHA-256 (hex) of their bearer token,
whitespace, and a principal name (``#`` starts a comment). Only hashes are stored, so the
file is not itself a credential. `lighthouse-mcp` checks every request's token against it
in constant time per entry; the matching principal is what the audit trail records and
what an approval shows as the one who asked.

The principal of the request being handled is carried in a context variable, set by the
HTTP guard; the MCP SDK runs the handler in the request's context, so it arrives there.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path

#: The principal of the request in hand; None on stdio or with the single server token.
current_principal: ContextVar[str | None] = ContextVar("lighthouse_principal", default=None)

_LINE = re.compile(r"^(?P<hash>[0-9a-fA-F]{64})\s+(?P<name>[A-Za-z0-9._@+-]{1,64})$")


class PrincipalsError(ValueError):
    """The tokens file cannot be used; the message names the line."""


def token_hash(token: str | bytes) -> str:
    data = token.encode() if isinstance(token, str) else token
    return hashlib.sha256(data).hexdigest()


def load_principals(path: Path) -> dict[str, str]:
    """token hash -> principal name, from ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PrincipalsError(
            f"--tokens-file: cannot read {path} ({exc.strerror or type(exc).__name__})"
        ) from None
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise PrincipalsError(
                f"--tokens-file: {path} line {number}: expected '<sha256 hex of the token> "
                "<principal name>' (name: letters, digits, . _ @ + -, at most 64)"
            )
        found[match["hash"].lower()] = match["name"]
    if not found:
        raise PrincipalsError(f"--tokens-file: {path} names no principal")
    return found


def principal_for(token: bytes, principals: Mapping[str, str]) -> str | None:
    """The principal whose token hash matches, comparing every entry (no early exit)."""
    digest = token_hash(token)
    match: str | None = None
    for known, name in principals.items():
        if hmac.compare_digest(known, digest):
            match = name
    return match
