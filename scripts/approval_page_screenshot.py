"""Screenshot the approval page for the README (docs/approval-page.png).

The preview is built live against the local sandbox (TerminateInstances on its demo
instance, stopped first), served by the real approval server, and rendered by
Debian's headless chromium through Playwright (the test extra):

    uv run --extra test python -m scripts.approval_page_screenshot [--out PATH]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import anyio
from anyio.from_thread import start_blocking_portal

from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.server.approvals.loopback import ApprovalServer
from lighthouse_mcp.server.approvals.service import ApprovalAsk, ApprovalService
from lighthouse_mcp.tools.previews import build_preview
from tests.functional.server.approvals.conftest import CHROMIUM, CHROMIUM_ARGS

REGION = "ap-guangzhou"


async def live_ask() -> ApprovalAsk:
    sandbox = Sandbox(delay=0)
    client = LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=REGION,
        endpoint="http://sandbox",
        transport=sandbox.transport(),
    )
    arguments = {"InstanceIds": ["lhins-demo0001"]}
    async with client:
        await client.call("StopInstances", arguments, region=REGION)

        async def read(action: str, params: object) -> dict[str, object]:
            assert isinstance(params, dict)
            result: dict[str, object] = await client.call(action, params, region=REGION)
            return result

        preview = await build_preview(read, "TerminateInstances", REGION, arguments)
    return ApprovalAsk(
        action="TerminateInstances",
        region=REGION,
        arguments=arguments,
        preview=replace(preview, phrase=None).text(),  # as the gate sends it
        phrase=preview.phrase,
        session="demo",
        client="Claude Desktop 1.2",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/approval-page.png")
    out = Path(parser.parse_args().out)
    from playwright.sync_api import sync_playwright

    ask = anyio.run(live_ask)
    links: list[str] = []
    service = ApprovalService(opener=links.append, announce_to=io.StringIO())
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(
            ApprovalServer(service, control_folder=Path(tmp) / "ctl")
        ),
    ):
        waiting = portal.start_task_soon(lambda: service.ask(ask, timeout=60))
        while not links:
            time.sleep(0.01)
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 900, "height": 640},
                device_scale_factor=1,
            )
            page = context.new_page()
            page.goto(links[0])
            page.fill("#phrase", ask.phrase or "")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
            context.close()
        waiting.cancel()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
