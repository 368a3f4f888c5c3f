"""--confirm-mode browser end to end: a tool call through the official MCP client waits
while a person answers on the approval page in a real headless Chromium, or with
`lighthouse-mcp approvals` in a terminal; the sandbox shows what ran."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mcp_types as types
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.approvals.loopback import ApprovalServer
from tests.e2e.gate.helpers import (
    CLIENT,
    approvals_of,
    audit,
    error_code,
    gate_server,
    mutations,
    never_asked,
)
from tests.functional.server.approvals.conftest import (  # noqa: F401 (fixtures)
    answer_in_terminal,
    browser_context,
    page,
)

ISOLATE = {"InstanceIds": ["lhins-demo0001"]}
PHRASE = "lhins-demo0001"


@dataclass
class Waiting:
    portal: BlockingPortal
    client: Client
    sandbox: Sandbox
    links: list[str]
    control: Path

    def call(self, name: str, arguments: dict[str, Any]) -> tuple[Future[Any], str]:
        """Start a tool call; returns its future and the link the person was sent."""
        before = len(self.links)
        future = self.portal.start_task_soon(self.client.call_tool, name, arguments)
        deadline = time.monotonic() + 10
        while len(self.links) == before:
            assert time.monotonic() < deadline, "the gate never asked the person"
            time.sleep(0.01)
        return future, self.links[before]


@contextmanager
def waiting_server(tmp_path: Path) -> Iterator[Waiting]:
    sb = Sandbox(delay=0)
    server = gate_server(sb, tmp_path, confirm_mode="browser")
    service, links = approvals_of(server)
    control = tmp_path / "ctl"
    client = Client(
        server, mode="legacy", client_info=CLIENT, elicitation_callback=never_asked
    )  # browser mode asks on the page even when the client could elicit
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(ApprovalServer(service, control_folder=control)),
        portal.wrap_async_context_manager(client),
    ):
        yield Waiting(portal, client, sb, links, control)


def _text(result: types.CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


def test_a_person_approves_in_the_browser_and_the_waiting_call_runs(
    tmp_path: Path,
    page: Any,  # noqa: F811
) -> None:
    with waiting_server(tmp_path) as w:
        future, link = w.call("IsolateInstances", ISOLATE)
        page.goto(link)
        assert "lhins-demo0001" in page.locator("pre").inner_text()
        time.sleep(0.2)
        assert not future.done() and mutations(w.sandbox) == []
        page.fill("#phrase", PHRASE)
        page.click("button.approve")
        assert page.locator("h1").inner_text() == "Approved"
        result = future.result(timeout=15)
    assert not result.is_error, result.content
    assert (result.meta or {})["lighthouse-mcp/confirmation"] == "page-approved"
    assert [r.action for r in mutations(w.sandbox)] == ["IsolateInstances"]
    assert [r["decision"] for r in audit(tmp_path)] == ["page-approved", "page-approved"]


def test_a_person_declines_in_the_browser_and_nothing_runs(
    tmp_path: Path,
    page: Any,  # noqa: F811
) -> None:
    with waiting_server(tmp_path) as w:
        future, link = w.call("IsolateInstances", ISOLATE)
        page.goto(link)
        page.fill("#phrase", "not the phrase")
        page.click("button.approve")
        assert "did not match" in page.locator(".error").inner_text()
        assert not future.done()
        page.click("button.decline")
        assert page.locator("h1").inner_text() == "Declined"
        result = future.result(timeout=15)
    assert error_code(result) == "NotConfirmed"
    assert "declined IsolateInstances on the approval page" in _text(result)
    assert mutations(w.sandbox) == []
    assert [r["decision"] for r in audit(tmp_path)] == ["declined"]


def _terminal(w: Waiting, verb: str, rid: str | None = None, typed: str = "") -> tuple[int, str]:
    return answer_in_terminal(w.control, verb, rid, typed)


def test_the_terminal_command_approves_a_waiting_call(tmp_path: Path) -> None:
    with waiting_server(tmp_path) as w:
        future, link = w.call("IsolateInstances", ISOLATE)
        code, listed = _terminal(w, "list")
        assert code == 0 and "IsolateInstances" in listed and "lhins-demo0001" in listed
        assert link.rsplit("/", 1)[1] not in listed  # the link stays secret
        rid = listed.split()[0]
        wrong, _ = _terminal(w, "approve", rid[:8], typed="yes")
        assert wrong == 1 and not future.done() and mutations(w.sandbox) == []
        code, said = _terminal(w, "approve", rid[:8], typed=PHRASE)
        assert code == 0 and "Approved" in said
        result = future.result(timeout=15)
    assert not result.is_error, result.content
    assert [r.action for r in mutations(w.sandbox)] == ["IsolateInstances"]
    assert [r["decision"] for r in audit(tmp_path)] == ["terminal-approved", "terminal-approved"]


def test_the_terminal_command_declines_a_waiting_call(tmp_path: Path) -> None:
    with waiting_server(tmp_path) as w:
        future, _ = w.call("IsolateInstances", ISOLATE)
        rid = _terminal(w, "list")[1].split()[0]
        code, _ = _terminal(w, "decline", rid)
        result = future.result(timeout=15)
    assert code == 0 and error_code(result) == "NotConfirmed"
    assert "declined IsolateInstances in the terminal" in _text(result)
    assert mutations(w.sandbox) == []
