"""Approval decisions and page nonces across replicas, over the shared store.

The pieces an approval store needs to work across processes, independent of what a
request looks like (the approval flow's own :class:`ApprovalStore` keeps requests and
adapts onto these): a decision is settled once (first writer wins, ``SET NX``), handed
to the call waiting on any replica by a blocking read (``BLPOP``: the waiter wakes when
the decision is pushed, no polling), and a page nonce is usable once on whichever
replica receives the form (``SET NX`` on its digest).

Gated calls fail closed: when the store does not answer, :class:`StoreUnavailable`
propagates, so no approval can be taken as proven (the caller declines the call).
"""

from __future__ import annotations

import hashlib
import secrets

from lighthouse_mcp.store import Store

#: How long a settled decision and its wake-up are kept (seconds).
DECISION_TTL = 900.0


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SharedDecisions:
    def __init__(self, store: Store, *, ttl: float = DECISION_TTL) -> None:
        self._store = store
        self._ttl = ttl

    def __repr__(self) -> str:
        return f"SharedDecisions({self._store.label!r})"

    async def decide(self, rid: str, decision: str) -> str:
        """Settle ``rid`` with ``decision`` unless already settled; return the decision
        that stands (the earlier one when another replica was first)."""
        if await self._store.claim_once(f"approval:{rid}:settled", self._ttl):
            await self._store.put(f"approval:{rid}:decision", decision, self._ttl)
            await self._store.push(f"approval:{rid}:wake", decision, self._ttl)
            return decision
        standing = await self._store.get(f"approval:{rid}:decision")
        return standing if standing is not None else decision

    async def decision(self, rid: str) -> str | None:
        return await self._store.get(f"approval:{rid}:decision")

    async def wait(self, rid: str, timeout: float) -> str | None:
        """The decision, as soon as any replica settles it; None after ``timeout``."""
        found = await self.decision(rid)
        if found is not None:
            return found
        woken = await self._store.pop_wait(f"approval:{rid}:wake", timeout)
        return woken if woken is not None else await self.decision(rid)

    async def issue_nonce(self, rid: str, ttl: float) -> str:
        nonce = secrets.token_urlsafe(24)
        await self._store.put(f"approval:{rid}:nonce:{_digest(nonce)}", "issued", ttl)
        return nonce

    async def take_nonce(self, rid: str, nonce: str, ttl: float) -> bool:
        """True exactly once per issued nonce, on any replica."""
        key = f"approval:{rid}:nonce:{_digest(nonce)}"
        if await self._store.get(key) is None:
            return False  # never issued for this request, or expired
        return await self._store.claim_once(f"{key}:used", ttl)
