"""Fixtures for the families' tests: instances in a known state, settling, seeded records.

The parent conftest gives ``api`` (signed requests through the real HTTP path into a
``Sandbox(clock=clock, delay=5.0)``) and ``clock``. Transitions complete when the clock
passes the delay, so :meth:`Compute.settle` is the only way time moves in these tests.

Compute tests (instances, firewall, key pairs, snapshots, blueprints) create instances
over the API (:class:`Compute`). Storage tests (disks, disk backups, Docker, CCN) put
instances in the state directly (``add_instance``), so they do not depend on the
instances family's behaviour; their requests still go through the real HTTP path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.sandbox.engine.seed import instance_record
from lighthouse_mcp.sandbox.engine.state import RegionState

DELAY = 5.0
REGION = "ap-guangzhou"
CENTOS = "lhbp-5e8807lo"
UBUNTU = "lhbp-uh2t0ifo"
WINDOWS = "lhbp-w2022dct"
SMALL = "bundle2022_gen_01"  # 2 CPU, 2 GB, 40 GB SSD
MEDIUM = "bundle2022_gen_02"  # 2 CPU, 2 GB, 50 GB SSD (takes Windows)
#: Seeded instances (engine/seed.py): RUNNING in zone 3, STOPPED in zone 4.
RUNNING_ID = "lhins-demo0001"
STOPPED_ID = "lhins-demo0002"
ZONE = "ap-guangzhou-3"
DOCKER_BLUEPRINT = "lhbp-dk24ce01"


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


@pytest.fixture
def region(sandbox: Sandbox) -> Callable[[str], RegionState]:
    """The default account's state of a region (seeded on first touch)."""

    def get(name: str = REGION) -> RegionState:
        return sandbox.backend.world(DEFAULT_SECRET_ID).region(name)

    return get


@pytest.fixture
def instances(region: Callable[[str], RegionState]) -> dict[str, dict[str, Any]]:
    return region(REGION).table("instances")


@pytest.fixture
def add_instance(sandbox: Sandbox, region: Callable[[str], RegionState]) -> Callable[..., str]:
    """Put an instance in the state directly (as CreateInstances would leave it)."""
    counter = iter(range(1, 100))

    def add(
        blueprint_id: str = DOCKER_BLUEPRINT, *, zone: str = ZONE, state: str = "RUNNING"
    ) -> str:
        table = region(REGION).table("instances")
        blueprint = region(REGION).table("blueprints")[blueprint_id]
        n = next(counter)
        iid = f"lhins-test{n:04d}"
        table[iid] = instance_record(
            iid,
            bundle_id="bundle2022_gen_01",
            blueprint=blueprint,
            zone=zone,
            name=f"test-{n}",
            now=sandbox.clock(),
            rng=sandbox.backend.rng,
            disk_id=f"lhdisk-test{n:04d}",
            state=state,
            operation="StartInstances",
        )
        return iid

    return add


def disk_params(**extra: Any) -> dict[str, Any]:
    """A CreateDisks request for one 20 GB SSD in ZONE, with ``extra`` members."""
    return {
        "Zone": ZONE,
        "DiskSize": 20,
        "DiskType": "CLOUD_SSD",
        "DiskChargePrepaid": {"Period": 1},
        **extra,
    }
