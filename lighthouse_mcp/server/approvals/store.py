"""Pending approvals: what a gated call asks a person, and the person's answer.

A gated call registers an :class:`ApprovalRequest` and waits for its :class:`Decision`;
the approval page and the ``lighthouse-mcp approvals`` command answer it. The store is
the only state they share, behind the small async :class:`ApprovalStore` protocol so a
shared store (Redis, for several server processes) can implement the same protocol
later. :class:`MemoryApprovalStore` is the in-process one: one event loop, no threads.

A request's ``id`` is a digest of its secret link token (:func:`request_id`): the id
can be listed, logged and typed into a terminal without revealing the link, and the
page finds its request from the token alone.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import anyio

Verdict = Literal["approved", "declined", "expired", "cancelled"]
#: Who or what settled a request: the web page, the terminal command, the clock, the caller.
DecidedBy = Literal["page", "terminal", "timeout", "caller"]

#: How long a page's nonce stays usable; a page left open longer is reloaded.
NONCE_TTL_SECONDS = 600.0
#: How long a settled request is remembered after its expiry.
KEEP_SETTLED_SECONDS = 900.0


def request_id(link_token: str) -> str:
    """The public id of the request whose secret link carries ``link_token``."""
    return hashlib.sha256(link_token.encode()).hexdigest()[:24]


def new_link_token() -> str:
    """An unguessable token for one request's link (256 bits)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApprovalRequest:
    """One call waiting for a person. Nothing in it is secret: ``arguments`` are already
    redacted, and the link token is not here, only its digest (``id``)."""

    id: str
    action: str
    region: str
    #: The call's arguments with secrets blanked (catalog.secrets.redact).
    arguments: Mapping[str, Any]
    #: The live preview, exactly as the gate would show it in an elicitation.
    preview: str
    #: What the person types to approve (exact match after trimming outer spaces).
    phrase: str
    session: str | None
    client: str | None
    created: float
    expires: float
    #: Who asked: the principal of the HTTP bearer token (--tokens-file), if any.
    principal: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "region": self.region,
            "arguments": dict(self.arguments),
            "preview": self.preview,
            "phrase": self.phrase,
            "session": self.session,
            "client": self.client,
            "principal": self.principal,
            "created": self.created,
            "expires": self.expires,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApprovalRequest:
        return cls(
            id=str(data["id"]),
            action=str(data["action"]),
            region=str(data["region"]),
            arguments=dict(data.get("arguments") or {}),
            preview=str(data["preview"]),
            phrase=str(data["phrase"]),
            session=data.get("session"),
            client=data.get("client"),
            principal=data.get("principal"),
            created=float(data["created"]),
            expires=float(data["expires"]),
        )


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    by: DecidedBy
    at: float

    @property
    def approved(self) -> bool:
        return self.verdict == "approved"


class ApprovalStore(Protocol):
    """Where pending requests live until answered. Every method is async so a store
    across processes (Redis) fits; ``decide`` is first-writer-wins."""

    async def add(self, request: ApprovalRequest) -> None:
        """Register a new pending request."""

    async def get(self, rid: str) -> ApprovalRequest | None:
        """The request, pending or settled; None when unknown. A settled request stays
        readable for ``KEEP_SETTLED_SECONDS`` (its page then says what became of it)."""

    async def pending(self) -> list[ApprovalRequest]:
        """Requests still waiting for an answer and not yet expired, oldest first."""

    async def decision(self, rid: str) -> Decision | None:
        """The answer so far, or None while pending (or unknown)."""

    async def decide(self, rid: str, verdict: Verdict, by: DecidedBy) -> Decision | None:
        """Settle a pending request; returns the decision, or None when the request is
        unknown or already settled (the earlier answer stands)."""

    async def wait(self, rid: str, timeout: float) -> Decision | None:
        """Wait up to ``timeout`` seconds for the answer; None when none came (the
        request stays pending: the caller settles it). KeyError for an unknown id."""

    async def issue_nonce(self, rid: str) -> str | None:
        """A fresh single-use nonce for one form of the request's page; None when the
        request is not pending."""

    async def take_nonce(self, rid: str, nonce: str) -> bool:
        """Consume a nonce issued for this request: True exactly once per nonce."""


@dataclass
class _Entry:
    request: ApprovalRequest
    settled: anyio.Event
    decision: Decision | None = None
    nonces: dict[str, float] = field(default_factory=dict)  # nonce -> expiry


class MemoryApprovalStore:
    """The in-process store. All methods must be called from the one event loop that
    runs the server (the approval page and terminal endpoint run on it too)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._entries: dict[str, _Entry] = {}

    def __repr__(self) -> str:
        return f"MemoryApprovalStore(requests={len(self._entries)})"

    async def add(self, request: ApprovalRequest) -> None:
        now = self._clock()
        for old in [
            rid
            for rid, e in self._entries.items()
            if e.decision is not None and e.request.expires + KEEP_SETTLED_SECONDS < now
        ]:
            del self._entries[old]
        if request.id in self._entries:
            raise ValueError(f"approval request {request.id} already exists")
        self._entries[request.id] = _Entry(request, anyio.Event())

    async def get(self, rid: str) -> ApprovalRequest | None:
        entry = self._entries.get(rid)
        return entry.request if entry else None

    async def pending(self) -> list[ApprovalRequest]:
        now = self._clock()
        waiting = [
            e.request
            for e in self._entries.values()
            if e.decision is None and e.request.expires > now
        ]
        return sorted(waiting, key=lambda r: r.created)

    async def decision(self, rid: str) -> Decision | None:
        entry = self._entries.get(rid)
        if entry is not None and entry.decision is None and entry.request.expires <= self._clock():
            return self._settle(entry, "expired", "timeout")
        return entry.decision if entry else None

    async def decide(self, rid: str, verdict: Verdict, by: DecidedBy) -> Decision | None:
        entry = self._entries.get(rid)
        if entry is None or entry.decision is not None:
            return None
        if entry.request.expires <= self._clock() and verdict in ("approved", "declined"):
            self._settle(entry, "expired", "timeout")
            return None
        return self._settle(entry, verdict, by)

    def _settle(self, entry: _Entry, verdict: Verdict, by: DecidedBy) -> Decision:
        entry.decision = Decision(verdict, by, self._clock())
        entry.nonces.clear()
        entry.settled.set()
        return entry.decision

    async def wait(self, rid: str, timeout: float) -> Decision | None:
        entry = self._entries.get(rid)
        if entry is None:
            raise KeyError(rid)
        with anyio.move_on_after(max(0.0, timeout)):
            await entry.settled.wait()
        return entry.decision

    async def issue_nonce(self, rid: str) -> str | None:
        entry = self._entries.get(rid)
        now = self._clock()
        if entry is None or entry.decision is not None or entry.request.expires <= now:
            return None
        for old in [n for n, exp in entry.nonces.items() if exp <= now]:
            del entry.nonces[old]
        nonce = secrets.token_urlsafe(18)
        entry.nonces[nonce] = now + NONCE_TTL_SECONDS
        return nonce

    async def take_nonce(self, rid: str, nonce: str) -> bool:
        entry = self._entries.get(rid)
        if entry is None:
            return False
        expiry = entry.nonces.pop(nonce, None)
        return expiry is not None and expiry > self._clock()


def phrase_matches(expected: str, typed: object) -> bool:
    """The typed phrase approves only when it is exactly the phrase (outer spaces aside)."""
    return isinstance(typed, str) and secrets.compare_digest(
        typed.strip().encode(), expected.encode()
    )


__all__ = [
    "ApprovalRequest",
    "ApprovalStore",
    "DecidedBy",
    "Decision",
    "MemoryApprovalStore",
    "Verdict",
    "new_link_token",
    "phrase_matches",
    "request_id",
]
