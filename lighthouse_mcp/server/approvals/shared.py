"""Pending approvals in the shared store (``--store redis://``), for several replicas.

The same :class:`~lighthouse_mcp.server.approvals.store.ApprovalStore` protocol as the
in-process store, so a person can answer on any replica's page or terminal and the call
waiting on another replica proceeds at once:

- a request is a JSON value kept until its expiry plus ``KEEP_SETTLED_SECONDS``; an
  index stream lists request ids for ``pending()``;
- ``decide`` is first-writer-wins (``SET NX`` on the request's settled key), then the
  decision is stored and pushed to the request's wake-up list;
- ``wait`` is a blocking read of that list (``BLPOP``): woken by the push, no polling;
- a page nonce is usable once on whichever replica receives the form (``SET NX``).

Fail closed: when the store does not answer, StoreUnavailable propagates (a gated call
then runs nothing).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable

from lighthouse_mcp.server.approvals.store import (
    KEEP_SETTLED_SECONDS,
    NONCE_TTL_SECONDS,
    ApprovalRequest,
    DecidedBy,
    Decision,
    Verdict,
)
from lighthouse_mcp.store import Store

#: The index of request ids (a stream; trimmed to about this many).
INDEX = "approvals"
INDEX_MAXLEN = 10_000


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SharedApprovalStore:
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def __repr__(self) -> str:
        return f"SharedApprovalStore({self._store.label!r})"

    def _keep(self, request: ApprovalRequest) -> float:
        return max(1.0, request.expires - self._clock() + KEEP_SETTLED_SECONDS)

    async def add(self, request: ApprovalRequest) -> None:
        keep = self._keep(request)
        if not await self._store.claim_once(f"approval:{request.id}:exists", keep):
            raise ValueError(f"approval request {request.id} already exists")
        await self._store.put(f"approval:{request.id}:request", json.dumps(request.as_dict()), keep)
        await self._store.append(INDEX, {"id": request.id}, INDEX_MAXLEN)

    async def get(self, rid: str) -> ApprovalRequest | None:
        raw = await self._store.get(f"approval:{rid}:request")
        return None if raw is None else ApprovalRequest.from_dict(json.loads(raw))

    async def pending(self) -> list[ApprovalRequest]:
        now, after, found = self._clock(), "0", []
        while page := await self._store.read(INDEX, after=after, count=500):
            after = page[-1].id
            for entry in page:
                request = await self.get(entry.fields.get("id", ""))
                if request is None or request.expires <= now:
                    continue
                if await self._store.get(f"approval:{request.id}:decision") is None:
                    found.append(request)
        return sorted(found, key=lambda r: r.created)

    async def decision(self, rid: str) -> Decision | None:
        raw = await self._store.get(f"approval:{rid}:decision")
        if raw is not None:
            data = json.loads(raw)
            return Decision(data["verdict"], data["by"], float(data["at"]))
        request = await self.get(rid)
        if request is not None and request.expires <= self._clock():
            settled = await self._settle(request, "expired", "timeout")
            return settled or await self.decision(rid)
        return None

    async def decide(self, rid: str, verdict: Verdict, by: DecidedBy) -> Decision | None:
        request = await self.get(rid)
        if request is None:
            return None
        if request.expires <= self._clock() and verdict in ("approved", "declined"):
            await self._settle(request, "expired", "timeout")
            return None
        return await self._settle(request, verdict, by)

    async def _settle(
        self, request: ApprovalRequest, verdict: Verdict, by: DecidedBy
    ) -> Decision | None:
        keep = self._keep(request)
        if not await self._store.claim_once(f"approval:{request.id}:settled", keep):
            return None  # another replica (or call) settled it first: that answer stands
        decision = Decision(verdict, by, self._clock())
        text = json.dumps({"verdict": verdict, "by": by, "at": decision.at})
        await self._store.put(f"approval:{request.id}:decision", text, keep)
        await self._store.push(f"approval:{request.id}:wake", text, keep)
        return decision

    async def wait(self, rid: str, timeout: float) -> Decision | None:
        if await self.get(rid) is None:
            raise KeyError(rid)
        found = await self.decision(rid)
        if found is not None:
            return found
        await self._store.pop_wait(f"approval:{rid}:wake", max(0.01, timeout))
        return await self.decision(rid)

    async def issue_nonce(self, rid: str) -> str | None:
        request = await self.get(rid)
        if request is None or request.expires <= self._clock():
            return None
        if await self.decision(rid) is not None:
            return None
        nonce = secrets.token_urlsafe(18)
        await self._store.put(f"approval:{rid}:nonce:{_digest(nonce)}", "1", NONCE_TTL_SECONDS)
        return nonce

    async def take_nonce(self, rid: str, nonce: str) -> bool:
        key = f"approval:{rid}:nonce:{_digest(nonce)}"
        if await self._store.get(key) is None:
            return False  # never issued for this request, or expired
        if await self._store.get(f"approval:{rid}:decision") is not None:
            return False  # settled: its page's forms are spent
        return await self._store.claim_once(f"{key}:used", NONCE_TTL_SECONDS)
