"""A running approval server (in a background event loop) and a real headless Chromium.

The browser is Debian's ``chromium`` at /usr/bin/chromium, driven by Playwright; no
Playwright browser download is used. Without it the browser tests skip, except under
CI (``CI`` set), where a missing browser is a failure: .ci/run installs it.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from lighthouse_mcp.server.approvals import terminal
from lighthouse_mcp.server.approvals.loopback import ApprovalServer
from lighthouse_mcp.server.approvals.service import ApprovalAsk, ApprovalService
from lighthouse_mcp.server.approvals.store import Decision, request_id

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PREVIEW = "\n".join(
    [
        "Terminate instances (TerminateInstances) in ap-guangzhou.",
        "CANNOT BE UNDONE: data or access is lost for good.",
        'Request: InstanceIds=["lhins-abc12345"]',
        '- instance lhins-abc12345: InstanceName="web-1", InstanceState="SHUTDOWN"',
        "To confirm, type exactly: `lhins-abc12345`",
    ]
)

TERMINATE = ApprovalAsk(
    action="TerminateInstances",
    region="ap-guangzhou",
    arguments={"InstanceIds": ["lhins-abc12345"]},
    preview=PREVIEW,
    phrase="lhins-abc12345",
    session="session-1",
    client="Test Host 1.0",
)


def answer_in_terminal(
    folder: Path, verb: str, rid: str | None = None, typed: str = ""
) -> tuple[int, str]:
    """`lighthouse-mcp approvals VERB [ID]` against the servers whose control files are in
    ``folder``, typing ``typed`` when asked for the phrase: (exit code, stdout)."""
    out = io.StringIO()
    code = terminal.run(
        argparse.Namespace(verb=verb, id=rid),
        folder=folder,
        input_fn=lambda prompt: typed,
        out=out,
    )
    return code, out.getvalue()


def require_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing under CI: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


@dataclass
class Served:
    """The approval server of one test and the links it handed out."""

    portal: BlockingPortal
    service: ApprovalService
    server: ApprovalServer
    control_folder: Path
    links: list[str] = field(default_factory=list)
    stderr: io.StringIO = field(default_factory=io.StringIO)
    waits: list[Future[Decision]] = field(default_factory=list)

    def ask(
        self, ask: ApprovalAsk = TERMINATE, *, timeout: float | None = None
    ) -> tuple[Future[Decision], str]:
        """Start a gated call's wait; returns its future and the secret link."""
        before = len(self.links)
        future = self.portal.start_task_soon(lambda: self.service.ask(ask, timeout=timeout))
        self.waits.append(future)
        deadline = time.monotonic() + 10
        while len(self.links) == before:
            if time.monotonic() > deadline:
                raise AssertionError("the service never handed out a link")
            time.sleep(0.01)
        return future, self.links[before]

    def rid(self, link: str) -> str:
        return request_id(link.rsplit("/", 1)[1])

    def decision(self, link: str) -> Decision | None:
        rid = self.rid(link)
        return self.portal.call(lambda: self.service.store.decision(rid))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with start_blocking_portal() as portal:
        links: list[str] = []
        err = io.StringIO()
        service = ApprovalService(ttl_seconds=120, opener=links.append, announce_to=err)
        folder = tmp_path / "control"
        server = ApprovalServer(service, control_folder=folder)
        with portal.wrap_async_context_manager(server):
            served = Served(portal, service, server, folder, links, err)
            try:
                yield served
            finally:  # a test that failed midway leaves a call waiting: cancel it
                for wait in served.waits:
                    wait.cancel()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(executable),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 900, "height": 760},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    tab = browser_context.new_page()
    try:
        yield tab
    finally:
        tab.close()
