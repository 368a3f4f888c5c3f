"""The pending-approval store and the service the gate awaits, without any HTTP."""

from __future__ import annotations

import io
from typing import Any

import anyio
import pytest

from lighthouse_mcp.server.approvals.service import (
    ApprovalAsk,
    ApprovalService,
    ApprovalUnavailable,
    approval_phrase,
)
from lighthouse_mcp.server.approvals.store import (
    KEEP_SETTLED_SECONDS,
    ApprovalRequest,
    MemoryApprovalStore,
    new_link_token,
    phrase_matches,
    request_id,
)

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _request(rid: str, *, created: float = 1000.0, ttl: float = 60.0) -> ApprovalRequest:
    return ApprovalRequest(
        id=rid,
        action="TerminateInstances",
        region="ap-guangzhou",
        arguments={"InstanceIds": ["lhins-1"]},
        preview="preview",
        phrase="lhins-1",
        session="s1",
        client="test",
        created=created,
        expires=created + ttl,
    )


async def test_pending_lists_only_waiting_requests_oldest_first() -> None:
    clock = Clock()
    store = MemoryApprovalStore(clock=clock)
    await store.add(_request("b", created=1001))
    await store.add(_request("a", created=1000))
    await store.add(_request("c", created=1002))
    await store.decide("c", "declined", "page")
    assert [r.id for r in await store.pending()] == ["a", "b"]
    clock.now = 1061.5  # a and b expired
    assert await store.pending() == []
    assert (await store.decision("a")) is not None
    with pytest.raises(ValueError):
        await store.add(_request("a"))


async def test_first_answer_wins_and_expired_requests_cannot_be_approved() -> None:
    clock = Clock()
    store = MemoryApprovalStore(clock=clock)
    await store.add(_request("r"))
    first = await store.decide("r", "approved", "terminal")
    assert first is not None and first.approved and first.by == "terminal"
    assert await store.decide("r", "declined", "page") is None
    assert await store.decision("r") == first
    assert await store.decide("unknown", "approved", "page") is None

    await store.add(_request("late", ttl=10))
    clock.now += 11
    assert await store.decide("late", "approved", "page") is None
    late = await store.decision("late")
    assert late is not None and late.verdict == "expired" and late.by == "timeout"


async def test_wait_returns_the_answer_given_by_another_task_or_none_on_timeout() -> None:
    store = MemoryApprovalStore()
    await store.add(_request("r", created=0, ttl=1e12))
    got: list[Any] = []
    async with anyio.create_task_group() as tg:

        async def waiter() -> None:
            got.append(await store.wait("r", 5))

        tg.start_soon(waiter)
        await anyio.sleep(0.05)
        await store.decide("r", "declined", "page")
    assert got[0] is not None and got[0].verdict == "declined"
    await store.add(_request("quiet", created=0, ttl=1e12))
    assert await store.wait("quiet", 0.05) is None
    assert await store.decision("quiet") is None  # still pending: the caller settles it
    with pytest.raises(KeyError):
        await store.wait("nope", 0.01)


async def test_nonces_are_single_use_per_request_and_die_with_the_request() -> None:
    store = MemoryApprovalStore()
    await store.add(_request("r", created=0, ttl=1e12))
    await store.add(_request("other", created=0, ttl=1e12))
    nonce = await store.issue_nonce("r")
    assert nonce is not None
    assert not await store.take_nonce("other", nonce)
    assert await store.take_nonce("r", nonce)
    assert not await store.take_nonce("r", nonce)  # replayed
    second = await store.issue_nonce("r")
    assert second is not None
    await store.decide("r", "approved", "page")
    assert not await store.take_nonce("r", second)  # settled: every nonce is void
    assert await store.issue_nonce("r") is None
    assert await store.issue_nonce("unknown") is None


async def test_settled_requests_are_pruned_after_the_retention_period() -> None:
    clock = Clock()
    store = MemoryApprovalStore(clock=clock)
    await store.add(_request("old", ttl=10))
    await store.decide("old", "approved", "page")
    clock.now += 10 + KEEP_SETTLED_SECONDS + 1
    await store.add(_request("new", created=clock.now))
    assert await store.get("old") is None
    assert await store.get("new") is not None


def test_request_id_is_a_digest_of_the_link_token_not_the_token() -> None:
    token = new_link_token()
    assert len(token) >= 43
    rid = request_id(token)
    assert len(rid) == 24 and token not in rid and rid == request_id(token)
    assert request_id(new_link_token()) != rid


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("lhins-1", True),
        ("  lhins-1 ", True),
        ("LHINS-1", False),
        ("lhins-", False),
        ("", False),
        (None, False),
        (True, False),
    ],
)
def test_phrase_must_match_exactly(typed: object, ok: bool) -> None:
    assert phrase_matches("lhins-1", typed) is ok


def test_phrase_is_the_previews_or_approve_action() -> None:
    assert approval_phrase("TerminateInstances", "lhins-1") == "lhins-1"
    assert approval_phrase("RenewInstances", None) == "approve RenewInstances"


# -- the service --------------------------------------------------------------------------

ASK = ApprovalAsk(
    action="ResetInstancesPassword",
    region="ap-guangzhou",
    arguments={"InstanceIds": ["lhins-1"], "Password": "Hunter2-secret"},
    preview="Reset the password of lhins-1",
    phrase=None,
    session="s1",
    client="test-client",
)


def _service(**kwargs: Any) -> tuple[ApprovalService, list[str], io.StringIO]:
    links: list[str] = []
    err = io.StringIO()
    service = ApprovalService(opener=links.append, announce_to=err, **kwargs)
    service.attach("http://127.0.0.1:9/")
    return service, links, err


async def test_ask_without_a_page_refuses_before_registering_anything() -> None:
    service = ApprovalService(opener=lambda link: None, announce_to=io.StringIO())
    assert not service.available
    with pytest.raises(ApprovalUnavailable):
        await service.ask(ASK)
    assert await service.store.pending() == []


async def test_ask_announces_the_link_only_to_the_person_and_returns_the_answer() -> None:
    service, links, err = _service()
    progress: list[tuple[float, float | None, str | None]] = []

    async def report(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    async with anyio.create_task_group() as tg:
        result: list[Any] = []

        async def ask() -> None:
            result.append(await service.ask(ASK, progress=report))

        tg.start_soon(ask)
        while not links:
            await anyio.sleep(0.01)
        [request] = await service.store.pending()
        assert request.arguments["Password"] != "Hunter2-secret"  # shown redacted
        assert request.phrase == "approve ResetInstancesPassword"
        assert (
            await service.answer(request.id, approve=True, typed="approve Reset", by="page")
            == "wrong-phrase"
        )
        assert await store_pending(service) == [request.id]
        assert (
            await service.answer(
                request.id, approve=True, typed="approve ResetInstancesPassword", by="terminal"
            )
            == "approved"
        )
    decision = result[0]
    assert decision.approved and decision.by == "terminal"
    link = links[0]
    assert link.startswith("http://127.0.0.1:9/approve/")
    token = link.rsplit("/", 1)[1]
    assert request_id(token) == request.id
    assert link in err.getvalue()
    assert "lighthouse-mcp approvals" in err.getvalue()
    assert token not in repr(decision) and token not in repr(service)
    assert all(token not in (m or "") for _, _, m in progress)
    # Answered once: a second answer changes nothing.
    assert await service.answer(request.id, approve=False, typed=None, by="page") == "not-pending"


async def store_pending(service: ApprovalService) -> list[str]:
    return [r.id for r in await service.store.pending()]


async def test_decline_needs_no_phrase() -> None:
    service, links, _ = _service()
    async with anyio.create_task_group() as tg:
        result: list[Any] = []

        async def ask() -> None:
            result.append(await service.ask(ASK))

        tg.start_soon(ask)
        while not links:
            await anyio.sleep(0.01)
        [rid] = await store_pending(service)
        assert await service.answer(rid, approve=False, typed=None, by="page") == "declined"
    assert result[0].verdict == "declined"


async def test_unanswered_ask_expires_at_its_timeout_with_progress_on_the_way() -> None:
    service, _, _ = _service(progress_interval=0.05)
    seen: list[float] = []

    async def report(done: float, total: float | None, message: str | None) -> None:
        assert total == 0.3 and message and "ResetInstancesPassword" in message
        seen.append(done)

    decision = await service.ask(ASK, timeout=0.3, progress=report)
    assert decision.verdict == "expired" and decision.by == "timeout"
    assert len(seen) >= 3 and seen == sorted(seen)
    assert await service.store.pending() == []


async def test_cancelled_ask_settles_as_cancelled_so_a_late_approval_is_refused() -> None:
    service, links, _ = _service()
    with anyio.move_on_after(0.2):
        await service.ask(ASK)
    token = links[0].rsplit("/", 1)[1]
    rid = request_id(token)
    decision = await service.store.decision(rid)
    assert decision is not None and decision.verdict == "cancelled"
    assert (
        await service.answer(rid, approve=True, typed="approve ResetInstancesPassword", by="page")
        == "not-pending"
    )


async def test_browser_opening_is_switchable_off() -> None:
    service, links, err = _service(open_browser=False)
    decision = await service.ask(ASK, timeout=0.05)
    assert decision.verdict == "expired"
    assert links == [] and "/approve/" in err.getvalue()
