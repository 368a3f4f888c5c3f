"""The approval channel the gate calls: register a request, tell the person where to
answer it, wait for the answer.

How a gate uses it (one call per gated tool call)::

    service = ApprovalService(MemoryApprovalStore(), ttl_seconds=300, open_browser=True)
    async with ApprovalServer(service):          # stdio: its own loopback port
        ...
        decision = await service.ask(ApprovalAsk(action=..., region=..., arguments=...,
                                                 preview=preview.text(), phrase=...,
                                                 session=..., client=...),
                                     progress=session.progress)
        if decision.approved: run  # else: declined / expired / cancelled

The secret link goes only to the person: on stderr and into their browser (best
effort, switchable off), never into a return value, a log record or a progress
message, which the model could read. Answers come from the page (page.py) or the
terminal command (terminal.py), both through :meth:`ApprovalService.answer`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TextIO

import anyio

from lighthouse_mcp.server.approvals.store import (
    ApprovalRequest,
    ApprovalStore,
    DecidedBy,
    Decision,
    MemoryApprovalStore,
    new_link_token,
    phrase_matches,
    request_id,
)
from lighthouse_mcp.server.principals import current_principal

DEFAULT_TTL_SECONDS = 300.0
#: How often a waiting call reports progress to its client.
PROGRESS_INTERVAL_SECONDS = 5.0
#: How long a gated call waits for a page that is still starting (stdio starts it in the
#: background, so a call in the first moments must not be refused for want of it).
STARTUP_WAIT_SECONDS = 15.0
#: Where the approval page lives under its server's base URL.
APPROVE_PATH = "/approve/"

#: Reports progress on the waiting tool call: (progress, total, message).
ProgressFn = Callable[[float, float | None, str | None], Awaitable[None]]
#: Opens a link in the person's browser; must not write to stdout.
Opener = Callable[[str], None]

#: The outcome of one answer from the page or the terminal.
Answer = Literal["approved", "declined", "wrong-phrase", "not-pending"]


class ApprovalUnavailable(RuntimeError):
    """No approval page is being served, so nobody can be asked this way."""


def approval_phrase(action: str, preview_phrase: str | None) -> str:
    """What the person types: the preview's phrase (an ID, or "Action N") for destructive
    calls, else "approve Action"."""
    return preview_phrase or f"approve {action}"


@dataclass(frozen=True)
class ApprovalAsk:
    """What the gate knows about the call that needs a person."""

    action: str
    region: str
    #: The API arguments as they will be sent; the service shows them redacted.
    arguments: Mapping[str, Any]
    #: The live preview text (tools.previews.Preview.text()).
    preview: str
    #: The preview's own phrase (destructive calls), else None for "approve Action".
    phrase: str | None = None
    session: str | None = None
    client: str | None = None


def open_in_browser(link: str) -> None:
    """Open ``link`` with the webbrowser module in a child process whose stdout and
    stderr go nowhere (under stdio, stdout is the MCP channel and a browser launcher
    writing to it would corrupt it). The link travels on the child's stdin, not its
    command line. Best effort: failures are silent, the link is on stderr anyway."""
    code = "import sys, webbrowser; webbrowser.open(sys.stdin.readline().strip())"
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
        )
        assert child.stdin is not None
        child.stdin.write(link.encode() + b"\n")
        child.stdin.close()
    except OSError:
        pass


class ApprovalService:
    """Pending requests, the links to them, and the answers (see module docstring)."""

    def __init__(
        self,
        store: ApprovalStore | None = None,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        open_browser: bool = True,
        opener: Opener = open_in_browser,
        announce_to: TextIO | None = None,
        progress_interval: float = PROGRESS_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store: ApprovalStore = store if store is not None else MemoryApprovalStore(clock=clock)
        self.ttl_seconds = ttl_seconds
        self.open_browser = open_browser
        self.opener = opener
        self.announce_to = announce_to
        self.progress_interval = progress_interval
        self._clock = clock
        self._base_url: str | None = None
        self._starting = False

    def __repr__(self) -> str:  # never the base URL's links
        return (
            f"ApprovalService(ttl_seconds={self.ttl_seconds}, "
            f"open_browser={self.open_browser}, available={self.available})"
        )

    # -- where the page is served -----------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether a page is being served, i.e. whether :meth:`ask` can reach anyone."""
        return self._base_url is not None

    @property
    def base_url(self) -> str | None:
        return self._base_url

    def expect(self) -> None:
        """A page is being started: :meth:`ready` waits for it rather than answering no."""
        self._starting = True

    def attach(self, base_url: str) -> None:
        """The page is now served at ``base_url`` (no trailing slash)."""
        self._base_url = base_url.rstrip("/")
        self._starting = False

    def detach(self) -> None:
        self._base_url = None
        self._starting = False

    async def ready(self, timeout: float = STARTUP_WAIT_SECONDS) -> bool:
        """Whether a page is served, waiting up to ``timeout`` for one that is starting."""
        deadline = time.monotonic() + timeout
        while self._base_url is None and self._starting and time.monotonic() < deadline:
            await anyio.sleep(0.05)
        return self._base_url is not None

    def link(self, token: str) -> str:
        if self._base_url is None:
            raise ApprovalUnavailable("no approval page is being served")
        return f"{self._base_url}{APPROVE_PATH}{token}"

    # -- the gate's side --------------------------------------------------------------

    async def ask(
        self, ask: ApprovalAsk, *, timeout: float | None = None, progress: ProgressFn | None = None
    ) -> Decision:
        """Register the call, tell the person, wait for the answer (at most ``timeout``
        seconds, default the TTL). Cancelling the caller settles the request as
        ``cancelled``, so a late answer is refused."""
        from lighthouse_mcp.catalog.secrets import redact

        token = new_link_token()
        link = self.link(token)  # ApprovalUnavailable before anything is registered
        now = self._clock()
        limit = self.ttl_seconds if timeout is None else timeout
        request = ApprovalRequest(
            id=request_id(token),
            action=ask.action,
            region=ask.region,
            arguments=redact(dict(ask.arguments)),
            preview=ask.preview,
            phrase=approval_phrase(ask.action, ask.phrase),
            session=ask.session,
            client=ask.client,
            created=now,
            expires=now + limit,
            principal=current_principal.get(),
        )
        await self.store.add(request)
        try:
            self._announce(request, link)
            if self.open_browser:
                await anyio.to_thread.run_sync(self.opener, link, abandon_on_cancel=True)
            return await self._wait(request, limit, progress)
        finally:  # cancelled or failed while waiting: the page must not approve it later
            with anyio.CancelScope(shield=True):
                await self.store.decide(request.id, "cancelled", "caller")

    async def _wait(
        self, request: ApprovalRequest, limit: float, progress: ProgressFn | None
    ) -> Decision:
        """The answer, or ``expired`` at the deadline; progress every few seconds."""
        deadline = request.created + limit
        message = (
            f"waiting for a person to approve {request.action} (request "
            f"{request.id[:8]}) in the browser or with `lighthouse-mcp approvals`"
        )
        while (left := deadline - self._clock()) > 0:
            step = left if progress is None else min(left, self.progress_interval)
            decision = await self.store.wait(request.id, step)
            if decision is not None:
                return decision
            if progress is not None:
                await progress(min(limit, limit - left + step), limit, message)
        settled = await self.store.decide(request.id, "expired", "timeout")
        return (
            settled
            or await self.store.decision(request.id)
            or Decision("expired", "timeout", self._clock())
        )

    def _announce(self, request: ApprovalRequest, link: str) -> None:
        out = self.announce_to or sys.stderr
        minutes = max(1, round((request.expires - request.created) / 60))
        print(
            f"lighthouse-mcp: {request.action} needs your approval (request "
            f"{request.id[:8]}, {minutes} min): open {link}\n"
            "lighthouse-mcp: or run `lighthouse-mcp approvals` in a terminal",
            file=out,
        )
        out.flush()

    # -- the person's side ------------------------------------------------------------

    async def answer(self, rid: str, *, approve: bool, typed: str | None, by: DecidedBy) -> Answer:
        """One answer from the page or the terminal. Approving needs the exact phrase; a
        wrong phrase settles nothing (the person may try again)."""
        request = await self.store.get(rid)
        if request is None or await self.store.decision(rid) is not None:
            return "not-pending"
        if approve and not phrase_matches(request.phrase, typed):
            return "wrong-phrase"
        decision = await self.store.decide(rid, "approved" if approve else "declined", by)
        if decision is None:
            return "not-pending"
        return "approved" if decision.approved else "declined"


__all__ = [
    "APPROVE_PATH",
    "DEFAULT_TTL_SECONDS",
    "Answer",
    "ApprovalAsk",
    "ApprovalService",
    "ApprovalUnavailable",
    "ProgressFn",
    "approval_phrase",
    "open_in_browser",
]
