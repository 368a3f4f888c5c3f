"""What instance actions (the instances family) do to disks and containers, over HTTP.

IsolateInstances returns or detaches the attached data disks (``IsolateDataDisk``),
a terminated instance leaves its disks behind detached, a Stop/Start cycle applies the
containers' restart policies, and ResetInstance replaces the containers.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import RUNNING_ID, ZONE

pytestmark = pytest.mark.anyio

DELAY = 5.0


async def attached_disk(api: Any, clock: Any, instance_id: str = RUNNING_ID) -> str:
    (disk_id,) = (
        await api.ok(
            "CreateDisks",
            {
                "Zone": ZONE,
                "DiskSize": 20,
                "DiskType": "CLOUD_SSD",
                "DiskChargePrepaid": {"Period": 1},
                "AutoMountConfiguration": {"InstanceId": instance_id},
            },
        )
    )["DiskIdSet"]
    clock.advance(DELAY)
    assert isinstance(disk_id, str)
    return disk_id


async def disk(api: Any, disk_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.ok("DescribeDisks", {"DiskIds": [disk_id]}))["DiskSet"][0]
    return found


@pytest.mark.parametrize(("flag", "final"), [(True, "SHUTDOWN"), (False, "UNATTACHED")])
async def test_isolating_an_instance_releases_its_disks(
    api: Any, clock: Any, flag: bool, final: str
) -> None:
    disk_id = await attached_disk(api, clock)
    await api.ok("IsolateInstances", {"InstanceIds": [RUNNING_ID], "IsolateDataDisk": flag})
    assert (await disk(api, disk_id))["DiskState"] == "DETACHING"
    clock.advance(DELAY)
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["InstanceId"], found["Attached"]) == (final, "", False)
    # the instance's system disk follows its instance into SHUTDOWN
    system = (
        await api.ok(
            "DescribeDisks",
            {
                "Filters": [
                    {"Name": "disk-usage", "Values": ["SYSTEM_DISK"]},
                    {"Name": "instance-id", "Values": [RUNNING_ID]},
                ]
            },
        )
    )["DiskSet"]
    assert [d["DiskState"] for d in system] == ["SHUTDOWN"]


async def test_terminated_instance_leaves_its_disks_detached(api: Any, clock: Any) -> None:
    disk_id = await attached_disk(api, clock)
    await api.ok("IsolateInstances", {"InstanceIds": [RUNNING_ID], "IsolateDataDisk": False})
    clock.advance(DELAY)
    await api.ok("TerminateInstances", {"InstanceIds": [RUNNING_ID]})
    clock.advance(DELAY)
    assert (await api.ok("DescribeInstances", {"InstanceIds": [RUNNING_ID]}))["TotalCount"] == 0
    found = await disk(api, disk_id)
    assert (found["DiskState"], found["InstanceId"]) == ("UNATTACHED", "")
    system = await api.ok("DescribeDisks", {"DiskIds": ["lhdisk-demo0001"]})
    assert system["TotalCount"] == 0  # a system disk goes with its instance


async def test_stop_start_applies_restart_policies(api: Any, clock: Any, add_instance: Any) -> None:
    host = add_instance()
    await api.ok(
        "RunDockerContainers",
        {
            "InstanceId": host,
            "Containers": [
                {"ContainerImage": "nginx", "ContainerName": "keep", "RestartPolicy": "always"},
                {"ContainerImage": "job", "ContainerName": "once"},
            ],
        },
    )
    clock.advance(DELAY)
    await api.ok("StopInstances", {"InstanceIds": [host]})
    assert await api.error("DescribeDockerContainers", {"InstanceId": host}) in (
        "UnsupportedOperation.InvalidInstanceState",
        "UnsupportedOperation.LatestOperationUnfinished",
    )
    clock.advance(DELAY)
    await api.ok("StartInstances", {"InstanceIds": [host]})
    clock.advance(DELAY)
    data = await api.ok("DescribeDockerContainers", {"InstanceId": host})
    assert {c["ContainerName"]: c["State"] for c in data["DockerContainerSet"]} == {
        "keep": "running",
        "once": "exited",
    }


async def test_reset_instance_replaces_containers(api: Any, clock: Any, add_instance: Any) -> None:
    host = add_instance()
    await api.ok(
        "RunDockerContainers",
        {"InstanceId": host, "Containers": [{"ContainerImage": "nginx", "ContainerName": "old"}]},
    )
    clock.advance(DELAY)
    await api.ok(
        "ResetInstance",
        {"InstanceId": host, "Containers": [{"ContainerImage": "redis", "ContainerName": "new"}]},
    )
    clock.advance(DELAY)
    data = await api.ok("DescribeDockerContainers", {"InstanceId": host})
    assert [(c["ContainerName"], c["ContainerImage"]) for c in data["DockerContainerSet"]] == [
        ("new", "redis")
    ]
