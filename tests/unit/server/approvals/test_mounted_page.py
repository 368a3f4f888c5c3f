"""The approval app mounted under a prefix, as the HTTP transports will serve it: the
same page and checks, driven in-process (no browser; the browser tests cover that)."""

from __future__ import annotations

import io
import re

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from lighthouse_mcp.server.approvals.page import approval_app
from lighthouse_mcp.server.approvals.service import ApprovalAsk, ApprovalService

pytestmark = pytest.mark.anyio

ASK = ApprovalAsk(
    action="RenewInstances",
    region="ap-guangzhou",
    arguments={"InstanceIds": ["lhins-1"]},
    preview="Renew lhins-1 for 1 month",
)
ORIGIN = "http://mcp.test"


async def test_mounted_page_approves_only_same_origin_posts_with_a_fresh_nonce() -> None:
    links: list[str] = []
    service = ApprovalService(opener=links.append, announce_to=io.StringIO())
    service.attach(f"{ORIGIN}/approvals")
    app = Starlette(routes=[Mount("/approvals", app=approval_app(service))])
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client,
        anyio.create_task_group() as tg,
    ):
        result = []

        async def ask() -> None:
            result.append(await service.ask(ASK))

        tg.start_soon(ask)
        while not links:
            await anyio.sleep(0.01)
        link = links[0]
        assert link.startswith(f"{ORIGIN}/approvals/approve/")
        page = await client.get(link)
        assert page.status_code == 200 and "approve RenewInstances" in page.text
        assert "<script" not in page.text and "http" not in page.text.split("<body>")[1]
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
        assert nonce is not None
        form = {"nonce": nonce.group(1), "choice": "approve", "phrase": "approve RenewInstances"}
        headers = {"Sec-Fetch-Site": "same-origin"}
        refused = await client.post(link, data=form, headers=headers)  # no Origin at all
        assert refused.status_code == 403
        other = await client.post(
            link,
            data=form,
            headers={"Origin": "http://mcp.test:8080", "Sec-Fetch-Site": "same-site"},
        )
        assert other.status_code == 403
        ok = await client.post(link, data=form, headers={**headers, "Origin": ORIGIN})
        assert ok.status_code == 200 and "Approved" in ok.text
        again = await client.post(link, data=form, headers={**headers, "Origin": ORIGIN})
        assert again.status_code == 409
        # No terminal endpoint without a control secret.
        assert (await client.get(f"{ORIGIN}/approvals/control/pending")).status_code == 401
    assert result[0].approved
