"""Fixtures for driving the sandbox over HTTP with an independent TC3 signer
(tests/support/sandbox_api.py); the helpers are re-exported for the tests here."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import Sandbox
from tests.support.examples import example_input
from tests.support.sandbox_api import HOST, Api, Clock, tc3_headers

__all__ = ["COMMON_ERRORS", "HOST", "Api", "Clock", "example_input", "tc3_headers"]

#: Codes any action may answer: the docs' common error list (公共错误码).
COMMON_ERRORS = {e["code"] for e in catalog.load_catalog()["common_errors"]}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock, delay=5.0)


@pytest.fixture
async def api(sandbox: Sandbox, clock: Clock) -> AsyncIterator[Api]:
    client = Api(sandbox, clock)
    yield client
    await client.http.aclose()
