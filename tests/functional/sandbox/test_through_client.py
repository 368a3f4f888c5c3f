"""The project's own client against the sandbox: every action, retries on injected faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.client import APIError, Credentials, LighthouseClient, TransportError
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

from .conftest import COMMON_ERRORS, Clock, example_input

pytestmark = pytest.mark.anyio


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
async def client(sandbox: Sandbox, clock: Clock) -> AsyncIterator[LighthouseClient]:
    async with LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY),
        region="ap-guangzhou",
        transport=sandbox.transport(),
        clock=clock,
        sleep=_no_sleep,
        rate_limits=False,
        env={},
    ) as lh:
        yield lh


@pytest.mark.parametrize("name", catalog.action_names())
async def test_every_action_answers_through_the_client(
    client: LighthouseClient, sandbox: Sandbox, name: str
) -> None:
    try:
        response = await client.call(name, example_input(name))
    except APIError as exc:
        documented = {e["code"] for e in catalog.action(name)["errors"]} | COMMON_ERRORS
        assert exc.code in documented, f"{name}: {exc.code} {exc.message}"
    else:
        assert response["RequestId"]
    assert sandbox.requests and sandbox.requests[-1].action == name
    assert sandbox.requests[-1].secret_id == DEFAULT_SECRET_ID  # the signature was accepted


async def test_client_retries_a_throttle_burst(client: LighthouseClient, sandbox: Sandbox) -> None:
    sandbox.faults.add("throttle", "DescribeZones", count=2)
    response = await client.call("DescribeZones", {})
    assert response["ZoneInfoSet"]
    assert [r.ok for r in sandbox.requests] == [False, False, True]


async def test_client_surfaces_a_dropped_connection(
    client: LighthouseClient, sandbox: Sandbox
) -> None:
    sandbox.faults.add("drop", "DescribeZones")
    with pytest.raises(TransportError):
        await client.call("DescribeZones", {})
    assert len(sandbox.requests) >= 1


async def test_client_sees_the_documented_error(client: LighthouseClient) -> None:
    with pytest.raises(APIError) as exc:
        await client.call("DescribeBundles", {"Limit": "x"})
    assert exc.value.code == "InvalidParameter"
