"""The approval page driven by a real headless Chromium: approve, decline, wrong phrase,
expired link, cross-origin POST and replayed nonce, and nothing secret in the logs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lighthouse_mcp.server.approvals.store import Decision
from tests.functional.server.approvals.conftest import PREVIEW, Served

PHRASE = "lhins-abc12345"


def _result(future: Future[Decision]) -> Decision:
    return future.result(timeout=10)


def _approve(page: Any, future: Future[Decision]) -> Decision:
    """Type the right phrase and approve: the page confirms and the call's wait ends."""
    page.fill("#phrase", PHRASE)
    page.click("button.approve")
    assert page.locator("h1").inner_text() == "Approved"
    decision = _result(future)
    assert decision.verdict == "approved" and decision.by == "page"
    return decision


def _still_pending(served: Served, link: str, future: Future[Decision]) -> None:
    time.sleep(0.2)
    assert not future.done()
    assert served.decision(link) is None


def test_approve_with_the_typed_phrase(
    served: Served, page: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    future, link = served.ask()
    response = page.goto(link)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "TerminateInstances"
    assert page.locator("pre").inner_text() == PREVIEW  # the same live preview
    assert page.locator("label[for=phrase] code").inner_text() == PHRASE
    headers = response.headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    _approve(page, future)
    # The link token never reaches a log record (uvicorn's access log is off).
    token = link.rsplit("/", 1)[1]
    assert token not in caplog.text
    # Visiting the link again shows the outcome and offers no form.
    page.goto(link)
    assert page.locator("h1").inner_text() == "Already answered"
    assert page.locator("form").count() == 0


def test_decline(served: Served, page: Any) -> None:
    future, link = served.ask()
    page.goto(link)
    page.click("button.decline")
    assert page.locator("h1").inner_text() == "Declined"
    decision = _result(future)
    assert decision.verdict == "declined" and decision.by == "page"


def test_wrong_phrase_shows_an_error_and_approves_nothing(served: Served, page: Any) -> None:
    future, link = served.ask()
    page.goto(link)
    page.fill("#phrase", "approve TerminateInstances")
    page.click("button.approve")
    assert "did not match" in page.locator("[role=alert]").inner_text()
    _still_pending(served, link, future)
    # The re-rendered form carries a fresh nonce: the person can still answer.
    _approve(page, future)


def test_expired_link_is_refused(served: Served, page: Any) -> None:
    future, link = served.ask(timeout=1.0)
    page.goto(link)  # the form, loaded in time
    decision = _result(future)
    assert decision.verdict == "expired" and decision.by == "timeout"
    page.fill("#phrase", PHRASE)
    page.click("button.approve")
    assert page.locator("h1").inner_text() == "Link expired"
    response = page.goto(link)
    assert response.status == 410
    assert page.locator("h1").inner_text() == "Link expired"
    final = served.decision(link)
    assert final is not None and final.verdict == "expired"


class _Attacker(BaseHTTPRequestHandler):
    """Another loopback origin serving a page that posts to the approval link."""

    html = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def attacker() -> Iterator[tuple[str, type[_Attacker]]]:
    handler = type("Attacker", (_Attacker,), {})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_cross_origin_post_is_refused(
    served: Served, page: Any, attacker: tuple[str, type[_Attacker]]
) -> None:
    future, link = served.ask()
    page.goto(link)
    nonce = page.locator("input[name=nonce]").first.get_attribute("value")
    # Worst case: the other page knows the link, a live nonce and the phrase.
    url, handler = attacker
    handler.html = (
        f'<form id="f" method="post" action="{link}">'
        f'<input name="nonce" value="{nonce}"><input name="choice" value="approve">'
        f'<input name="phrase" value="{PHRASE}"></form>'
        '<script>document.getElementById("f").submit()</script>'
    ).encode()
    other = page.context.new_page()
    try:
        with other.expect_navigation(url=link):
            other.goto(url)
        assert other.locator("h1").inner_text() == "Refused"
        assert "did not come from the approval page" in other.content()
    finally:
        other.close()
    _still_pending(served, link, future)
    # The refused post did not burn the genuine page's nonce.
    _approve(page, future)


def test_replayed_nonce_is_refused(served: Served, page: Any) -> None:
    future, link = served.ask()
    page.goto(link)
    used = page.locator("input[name=nonce]").first.get_attribute("value")
    page.fill("#phrase", "wrong")
    page.click("button.approve")  # uses the nonce; the new form has a fresh one
    fresh = page.locator("input[name=nonce]").first.get_attribute("value")
    assert fresh != used
    # Same page, same origin, right phrase, but the used nonce: refused.
    page.evaluate(
        "n => document.querySelectorAll('input[name=nonce]').forEach(e => { e.value = n; })", used
    )
    page.fill("#phrase", PHRASE)
    page.click("button.approve")
    assert page.locator("h1").inner_text() == "Refused"
    assert "already used" in page.content()
    _still_pending(served, link, future)
    page.goto(link)
    page.click("button.decline")
    assert _result(future).verdict == "declined"


def test_a_withdrawn_call_cannot_be_approved_afterwards(served: Served, page: Any) -> None:
    future, link = served.ask()
    page.goto(link)
    future.cancel()  # the tool call was cancelled while the page was open
    deadline = time.monotonic() + 10
    while served.decision(link) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    page.fill("#phrase", PHRASE)
    page.click("button.approve")
    assert page.locator("h1").inner_text() == "Request withdrawn"
    final = served.decision(link)
    assert final is not None and final.verdict == "cancelled"
