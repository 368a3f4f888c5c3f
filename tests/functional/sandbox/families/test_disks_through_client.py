"""A disk's whole life driven by the project's own client, polling like a waiter would.

Errors arrive as the client's exception classes, so a caller can tell a state conflict
from a missing resource or a quota without reading codes.
"""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp.client import LighthouseClient, NotFoundError, QuotaError, StateConflictError

from ..test_through_client import client  # the project client, in process
from .conftest import RUNNING_ID, ZONE

pytestmark = pytest.mark.anyio
__all__ = ["client"]

DELAY = 5.0


async def wait_for(client: LighthouseClient, clock: Any, disk_id: str, state: str) -> list[str]:
    """Poll DescribeDisks until the disk is in ``state`` and idle; the states seen on the way."""
    seen: list[str] = []
    for _ in range(10):
        (disk,) = (await client.call("DescribeDisks", {"DiskIds": [disk_id]}))["DiskSet"]
        seen.append(disk["DiskState"])
        if disk["DiskState"] == state and disk["LatestOperationState"] == "SUCCESS":
            return seen
        clock.advance(DELAY / 2)
    raise AssertionError(f"{disk_id} never reached {state}: {seen}")


async def test_disk_journey(client: LighthouseClient, clock: Any) -> None:
    (disk_id,) = (
        await client.call(
            "CreateDisks",
            {
                "Zone": ZONE,
                "DiskSize": 40,
                "DiskType": "CLOUD_PREMIUM",
                "DiskChargePrepaid": {"Period": 1},
                "DiskBackupQuota": 1,
            },
        )
    )["DiskIdSet"]
    assert await wait_for(client, clock, disk_id, "UNATTACHED") == [
        "PENDING",
        "PENDING",
        "UNATTACHED",
    ]
    await client.call("AttachDisks", {"DiskIds": [disk_id], "InstanceId": RUNNING_ID})
    assert (await wait_for(client, clock, disk_id, "ATTACHED"))[0] == "ATTACHING"
    backup_id = (await client.call("CreateDiskBackup", {"DiskId": disk_id}))["DiskBackupId"]
    with pytest.raises(StateConflictError) as busy:
        await client.call("CreateDiskBackup", {"DiskId": disk_id})
    assert busy.value.code == "OperationDenied.DiskBusyForBackupOperation"
    clock.advance(DELAY)
    with pytest.raises(QuotaError) as quota:
        await client.call("CreateDiskBackup", {"DiskId": disk_id})
    assert quota.value.code == "LimitExceeded.DiskBackupQuotaLimitExceeded"
    await client.call("ApplyDiskBackup", {"DiskId": disk_id, "DiskBackupId": backup_id})
    await wait_for(client, clock, disk_id, "ATTACHED")
    await client.call("DetachDisks", {"DiskIds": [disk_id]})
    assert (await wait_for(client, clock, disk_id, "UNATTACHED"))[0] == "DETACHING"
    with pytest.raises(StateConflictError) as conflict:
        await client.call("TerminateDisks", {"DiskIds": [disk_id]})
    assert conflict.value.code == "UnsupportedOperation.InvalidDiskState"
    await client.call("IsolateDisks", {"DiskIds": [disk_id]})
    await wait_for(client, clock, disk_id, "SHUTDOWN")
    await client.call("TerminateDisks", {"DiskIds": [disk_id]})
    clock.advance(DELAY)
    assert (await client.call("DescribeDisks", {"DiskIds": [disk_id]}))["TotalCount"] == 0
    with pytest.raises(NotFoundError):
        await client.call("AttachDisks", {"DiskIds": [disk_id], "InstanceId": RUNNING_ID})
