"""Fixtures for the storage families' tests (disks, disk backups, Docker, CCN).

Requests go through the real HTTP path (the parent conftest's signed ``api``); only
the *setup* of instances reaches into the backend, because creating and stopping
instances is the compute family's job and these tests must not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.sandbox.backend import RegionState
from lighthouse_mcp.sandbox.seed import instance_record

REGION = "ap-guangzhou"
#: Seeded instances (sandbox/seed.py): RUNNING in zone 3, STOPPED in zone 4.
RUNNING_ID = "lhins-demo0001"
STOPPED_ID = "lhins-demo0002"
ZONE = "ap-guangzhou-3"
DOCKER_BLUEPRINT = "lhbp-dk24ce01"


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
