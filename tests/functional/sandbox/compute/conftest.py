"""Helpers for the compute families' tests: instances in a known state, and settling.

The parent conftest gives ``api`` (signed requests through the real HTTP path into a
``Sandbox(clock=clock, delay=5.0)``) and ``clock``. Transitions complete when the clock
passes the delay, so :meth:`Compute.settle` is the only way time moves in these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox

DELAY = 5.0
REGION = "ap-guangzhou"
CENTOS = "lhbp-5e8807lo"
UBUNTU = "lhbp-uh2t0ifo"
WINDOWS = "lhbp-w2022dct"
SMALL = "bundle2022_gen_01"  # 2 CPU, 2 GB, 40 GB SSD
MEDIUM = "bundle2022_gen_02"  # 2 CPU, 2 GB, 50 GB SSD (takes Windows)


class Compute:
    """Instance fixtures over the HTTP API (plus a peek at records for fault hooks)."""

    def __init__(self, api: Any, clock: Any, sandbox: Sandbox) -> None:
        self.api = api
        self.clock = clock
        self.sandbox = sandbox

    def settle(self, seconds: float = DELAY + 0.1) -> None:
        self.clock.advance(seconds)

    async def create(self, *, settle: bool = True, region: str = REGION, **params: Any) -> str:
        body = {
            "BundleId": SMALL,
            "BlueprintId": CENTOS,
            "InstanceChargePrepaid": {"Period": 1},
            **params,
        }
        data = await self.api.ok("CreateInstances", body, region=region)
        if settle:
            self.settle()
        iid: str = data["InstanceIdSet"][0]
        return iid

    async def stopped(self, **params: Any) -> str:
        iid = await self.create(**params)
        await self.api.ok("StopInstances", {"InstanceIds": [iid]})
        self.settle()
        return iid

    async def instance(self, iid: str, region: str = REGION) -> dict[str, Any]:
        data = await self.api.ok("DescribeInstances", {"InstanceIds": [iid]}, region=region)
        assert data["TotalCount"] == 1, data
        found: dict[str, Any] = data["InstanceSet"][0]
        return found

    async def state(self, iid: str) -> tuple[str, str | None]:
        record = await self.instance(iid)
        return record["InstanceState"], record["LatestOperationState"]

    def record(self, kind: str, rid: str, region: str = REGION) -> dict[str, Any]:
        """The stored record (internal fields included) — for fault hooks only."""
        table = self.sandbox.backend.world(DEFAULT_SECRET_ID).region(region).table(kind)
        return table[rid]


@pytest.fixture
def compute(api: Any, clock: Any, sandbox: Sandbox) -> Compute:
    return Compute(api, clock, sandbox)
