"""Every storage answer has the documented shape: each output member present, of its type.

The catalog's output parameters and structures (generated from the docs) are the
reference; a member the docs do not mark nullable must not be null.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Param

from .conftest import RUNNING_ID, ZONE

pytestmark = pytest.mark.anyio

DELAY = 5.0
_SCALARS: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "Integer": (int,),
    "Boolean": (bool,),
    "Float": (int, float),
    "Double": (int, float),
    "Timestamp": (str,),
    "Timestamp ISO8601": (str,),
}


def problems(value: Any, param: Param, path: str) -> list[str]:
    """Where ``value`` differs from the documented ``param`` (type, nullability, members)."""
    if value is None:
        return [] if param.get("nullable") else [f"{path} is null"]
    if param["array"]:
        if not isinstance(value, list):
            return [f"{path} is not an array"]
        element: Param = {**param, "array": False}
        return [p for i, v in enumerate(value) for p in problems(v, element, f"{path}[{i}]")]
    expected = _SCALARS.get(param["type"])
    if expected is not None:
        ok = isinstance(value, expected) and not (isinstance(value, bool) and bool not in expected)
        return [] if ok else [f"{path} is {type(value).__name__}, not {param['type']}"]
    return members(value, catalog.structure(param["type"])["members"], path)


def members(value: Any, documented: list[Param], path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path} is not an object"]
    names = {m["name"] for m in documented}
    found = [f"{path}.{k} is not documented" for k in value if k not in names]
    for m in documented:
        if m["name"] not in value:
            if m["required"] is not False:  # optional members of input structures may be absent
                found.append(f"{path}.{m['name']} is missing")
        else:
            found += problems(value[m["name"]], m, f"{path}.{m['name']}")
    return found


async def check(api: Any, action: str, params: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = await api.ok(action, params)
    assert members(data, catalog.action(action)["outputs"], action) == []
    return data


async def test_storage_answers_have_the_documented_shape(
    api: Any, clock: Any, add_instance: Any
) -> None:
    (disk_id,) = (
        await check(
            api,
            "CreateDisks",
            {
                "Zone": ZONE,
                "DiskSize": 20,
                "DiskType": "CLOUD_SSD",
                "DiskChargePrepaid": {"Period": 1},
                "DiskBackupQuota": 2,
            },
        )
    )["DiskIdSet"]
    clock.advance(DELAY)
    await check(api, "AttachDisks", {"DiskIds": [disk_id], "InstanceId": RUNNING_ID})
    clock.advance(DELAY)
    backup_id = (await check(api, "CreateDiskBackup", {"DiskId": disk_id}))["DiskBackupId"]
    clock.advance(DELAY)
    await check(api, "DescribeDisks", {"Limit": 100})  # data and system disks
    await check(api, "DescribeDiskBackups", {})
    await check(api, "DescribeDisksDeniedActions", {"DiskIds": [disk_id, "lhdisk-demo0001"]})
    await check(api, "DescribeDiskBackupsDeniedActions", {"DiskBackupIds": [backup_id]})
    await check(api, "DescribeDisksReturnable", {})
    await check(api, "DescribeDiskConfigs", {})
    await check(api, "DescribeDiskDiscount", {"DiskType": "CLOUD_PREMIUM", "DiskSize": 50})
    await check(api, "DetachDisks", {"DiskIds": [disk_id]})
    await check(api, "DescribeDisks", {"DiskIds": [disk_id]})  # mid-operation

    host = add_instance()
    (activity_id,) = (
        await check(
            api,
            "RunDockerContainers",
            {
                "InstanceId": host,
                "Containers": [
                    {
                        "ContainerImage": "nginx",
                        "ContainerName": "web",
                        "Envs": [{"Key": "A", "Value": "1"}],
                        "PublishPorts": [{"HostPort": 80, "ContainerPort": 80}],
                    }
                ],
            },
        )
    )["DockerActivitySet"]
    await check(api, "DescribeDockerActivities", {"InstanceId": host})  # EndTime still open
    clock.advance(DELAY)
    (container,) = (await check(api, "DescribeDockerContainers", {"InstanceId": host}))[
        "DockerContainerSet"
    ]
    await check(
        api,
        "DescribeDockerContainerConfiguration",
        {"InstanceId": host, "ContainerId": container["ContainerId"]},
    )
    await check(
        api,
        "DescribeDockerContainerDetail",
        {"InstanceId": host, "ContainerId": container["ContainerId"]},
    )
    await check(
        api,
        "StopDockerContainers",
        {"InstanceId": host, "ContainerIds": [container["ContainerId"]]},
    )
    await check(api, "DescribeDockerActivities", {"InstanceId": host, "ActivityIds": [activity_id]})

    await check(api, "AttachCcn", {"CcnId": "ccn-pf78xmcp"})
    await check(api, "DescribeCcnAttachedInstances", {})


async def test_storage_state_survives_a_json_round_trip(
    api: Any, clock: Any, sandbox: Any, add_instance: Any
) -> None:
    """``--state FILE`` keeps disks, backups, containers and their pending transitions."""
    (disk_id,) = (
        await api.ok(
            "CreateDisks",
            {
                "Zone": ZONE,
                "DiskSize": 20,
                "DiskType": "CLOUD_SSD",
                "DiskChargePrepaid": {"Period": 1},
                "DiskBackupQuota": 1,
            },
        )
    )["DiskIdSet"]
    host = add_instance()
    await api.ok(
        "RunDockerContainers", {"InstanceId": host, "Containers": [{"ContainerImage": "nginx"}]}
    )
    saved = json.loads(json.dumps(sandbox.backend.to_json()))
    sandbox.backend.load_json(saved)  # mid-transition: PENDING disk, created container
    assert (await api.ok("DescribeDisks", {"DiskIds": [disk_id]}))["DiskSet"][0][
        "DiskState"
    ] == "PENDING"
    clock.advance(DELAY)
    assert (await api.ok("DescribeDisks", {"DiskIds": [disk_id]}))["DiskSet"][0][
        "DiskState"
    ] == "UNATTACHED"
    (container,) = (await api.ok("DescribeDockerContainers", {"InstanceId": host}))[
        "DockerContainerSet"
    ]
    assert container["State"] == "running"
