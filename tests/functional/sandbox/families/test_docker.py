"""Docker containers through the sandbox's HTTP path: activities, container states, queries."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID
from lighthouse_mcp.sandbox.engine.state import iso
from lighthouse_mcp.sandbox.families.docker import replace_containers

from .conftest import RUNNING_ID

pytestmark = pytest.mark.anyio

DELAY = 5.0
NGINX: dict[str, Any] = {
    "ContainerImage": "nginx",
    "ContainerName": "mynginx",
    "Command": "nginx -g daemon-off",
    "Envs": [{"Key": "Key1", "Value": "Value1"}],
    "PublishPorts": [{"ContainerPort": 80, "HostPort": 8081}],
    "Volumes": [{"ContainerPath": "/data/container", "HostPath": "/data/host"}],
    "RestartPolicy": "on-failure:3",
}


@pytest.fixture
def host(add_instance: Any) -> str:
    iid: str = add_instance()
    return iid


async def run(api: Any, clock: Any, host: str, *confs: dict[str, Any]) -> list[str]:
    """Run containers, let the activities finish, return the new container ids."""
    activities = (
        await api.ok(
            "RunDockerContainers", {"InstanceId": host, "Containers": list(confs or [NGINX])}
        )
    )["DockerActivitySet"]
    clock.advance(DELAY)
    data = await api.ok("DescribeDockerActivities", {"InstanceId": host, "ActivityIds": activities})
    return [
        a["ContainerIds"][0]
        for a in sorted(data["DockerActivitySet"], key=lambda a: activities.index(a["ActivityId"]))
    ]


async def container(api: Any, host: str, container_id: str) -> dict[str, Any]:
    data = await api.ok(
        "DescribeDockerContainers", {"InstanceId": host, "ContainerIds": [container_id]}
    )
    assert data["TotalCount"] == 1, data
    found: dict[str, Any] = data["DockerContainerSet"][0]
    return found


async def activity(api: Any, host: str, activity_id: str) -> dict[str, Any]:
    data = await api.ok(
        "DescribeDockerActivities", {"InstanceId": host, "ActivityIds": [activity_id]}
    )
    found: dict[str, Any] = data["DockerActivitySet"][0]
    return found


async def test_run_goes_through_activity_states(api: Any, clock: Any, host: str) -> None:
    (activity_id,) = (
        await api.ok("RunDockerContainers", {"InstanceId": host, "Containers": [NGINX]})
    )["DockerActivitySet"]
    assert activity_id.startswith("lhda-")
    found = await activity(api, host, activity_id)
    assert (found["ActivityName"], found["ActivityState"], found["EndTime"]) == (
        "RunDockerContainers",
        "INIT",
        "0001-01-01T00:00:00Z",
    )
    (container_id,) = found["ContainerIds"]
    assert len(container_id) == 64
    assert base64.b64decode(found["ActivityCommandOutput"]).decode() == container_id + "\n"
    assert (await container(api, host, container_id))["State"] == "created"
    clock.advance(DELAY / 2)
    assert (await activity(api, host, activity_id))["ActivityState"] == "OPERATING"
    clock.advance(DELAY / 2)
    found = await activity(api, host, activity_id)
    assert found["ActivityState"] == "SUCCESS" and found["EndTime"] > found["CreatedTime"]
    shown = await container(api, host, container_id)
    assert (shown["State"], shown["ContainerName"], shown["ContainerImage"]) == (
        "running",
        "mynginx",
        "nginx",
    )
    assert shown["Status"] == "Less than a second" or shown["Status"].startswith("Up ")
    assert shown["PublishPortSet"] == [
        {"ContainerPort": 80, "HostPort": 8081, "Ip": "0.0.0.0", "Protocol": "tcp"}
    ]
    assert shown["VolumeSet"] == NGINX["Volumes"]
    clock.advance(3 * 3600)
    assert (await container(api, host, container_id))["Status"] == "Up 3 hours"


async def test_configuration_and_detail_echo_the_request(api: Any, clock: Any, host: str) -> None:
    (container_id,) = await run(api, clock, host)
    conf = (
        await api.ok(
            "DescribeDockerContainerConfiguration",
            {"InstanceId": host, "ContainerId": container_id},
        )
    )["ContainerConfiguration"]
    # the request's words, plus the documented defaults of what it left out
    defaults = {"Ip": "0.0.0.0", "Protocol": "tcp"}
    assert conf == {**NGINX, "PublishPorts": [{**defaults, **p} for p in NGINX["PublishPorts"]]}
    detail = (
        await api.ok(
            "DescribeDockerContainerDetail", {"InstanceId": host, "ContainerId": container_id}
        )
    )["ContainerDetail"]
    (inspect,) = json.loads(base64.b64decode(detail))
    assert inspect["Id"] == container_id and inspect["Name"] == "/mynginx"
    assert inspect["State"]["Running"] is True
    assert inspect["Config"]["Env"] == ["Key1=Value1"]
    assert inspect["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "", "HostPort": "8081"}]}
    assert inspect["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert inspect["HostConfig"]["Binds"] == ["/data/host:/data/container"]


async def test_stop_start_restart(api: Any, clock: Any, host: str) -> None:
    (container_id,) = await run(api, clock, host)
    stop = (
        await api.ok("StopDockerContainers", {"InstanceId": host, "ContainerIds": [container_id]})
    )["DockerActivityId"]
    assert (await container(api, host, container_id))["State"] == "running"
    clock.advance(DELAY)
    shown = await container(api, host, container_id)
    assert shown["State"] == "exited" and shown["Status"].startswith("Exited (0)")
    assert (await activity(api, host, stop))["ActivityName"] == "StopDockerContainers"
    await api.ok("StartDockerContainers", {"InstanceId": host, "ContainerIds": [container_id]})
    clock.advance(DELAY)
    assert (await container(api, host, container_id))["State"] == "running"
    await api.ok("RestartDockerContainers", {"InstanceId": host, "ContainerIds": [container_id]})
    assert (await container(api, host, container_id))["State"] == "restarting"
    clock.advance(DELAY)
    assert (await container(api, host, container_id))["State"] == "running"


async def test_rename(api: Any, clock: Any, host: str) -> None:
    _, second = await run(api, clock, host, NGINX, {"ContainerImage": "redis"})
    assert (await container(api, host, second))["ContainerName"].startswith("container_")
    assert await api.error(
        "RenameDockerContainer",
        {"InstanceId": host, "ContainerId": second, "ContainerName": "mynginx"},
    ) == ("InvalidParameterValue")
    await api.ok(
        "RenameDockerContainer",
        {"InstanceId": host, "ContainerId": second, "ContainerName": "cache"},
    )
    clock.advance(DELAY)
    assert (await container(api, host, second))["ContainerName"] == "cache"
    conf = (
        await api.ok(
            "DescribeDockerContainerConfiguration", {"InstanceId": host, "ContainerId": second}
        )
    )["ContainerConfiguration"]
    assert conf["ContainerName"] == "cache"


async def test_modify_recreates_with_merged_configuration(api: Any, clock: Any, host: str) -> None:
    (old,) = await run(api, clock, host)
    activity_id = (
        await api.ok(
            "ModifyDockerContainer",
            {
                "InstanceId": host,
                "ContainerId": old,
                "Envs": [{"Key": "MODE", "Value": "prod"}],
                "PublishPorts": [{"ContainerPort": 80, "HostPort": 8080}],
            },
        )
    )["DockerActivityId"]
    (new,) = (await activity(api, host, activity_id))["ContainerIds"]
    assert new != old
    clock.advance(DELAY)
    conf = (
        await api.ok(
            "DescribeDockerContainerConfiguration", {"InstanceId": host, "ContainerId": new}
        )
    )["ContainerConfiguration"]
    assert conf["Envs"] == [{"Key": "MODE", "Value": "prod"}]
    assert conf["PublishPorts"] == [
        {"ContainerPort": 80, "HostPort": 8080, "Ip": "0.0.0.0", "Protocol": "tcp"}
    ]
    assert (conf["ContainerName"], conf["Volumes"]) == ("mynginx", NGINX["Volumes"])
    data = await api.ok("DescribeDockerContainers", {"InstanceId": host})
    assert [c["ContainerId"] for c in data["DockerContainerSet"]] == [new]


async def test_rerun_replaces_the_container(api: Any, clock: Any, host: str) -> None:
    (old,) = await run(api, clock, host)
    activity_id = (
        await api.ok(
            "RerunDockerContainer",
            {
                "InstanceId": host,
                "ContainerId": old,
                "ContainerConfiguration": {
                    "ContainerImage": "nginx:1.25",
                    "ContainerName": "mynginx",
                    "PublishPorts": [{"ContainerPort": 80, "HostPort": 8081}],
                },
            },
        )
    )["DockerActivityId"]
    (new,) = (await activity(api, host, activity_id))["ContainerIds"]
    assert (await container(api, host, old))["State"] == "removing"
    clock.advance(DELAY)
    shown = await container(api, host, new)
    assert (shown["ContainerImage"], shown["State"]) == ("nginx:1.25", "running")
    assert (await api.ok("DescribeDockerContainers", {"InstanceId": host, "ContainerIds": [old]}))[
        "TotalCount"
    ] == 0


async def test_remove(api: Any, clock: Any, host: str) -> None:
    (container_id,) = await run(api, clock, host)
    await api.ok("RemoveDockerContainers", {"InstanceId": host, "ContainerIds": [container_id]})
    assert (await container(api, host, container_id))["State"] == "removing"
    assert await api.error(
        "StartDockerContainers", {"InstanceId": host, "ContainerIds": [container_id]}
    ) == ("UnsupportedOperation")
    clock.advance(DELAY)
    data = await api.ok("DescribeDockerContainers", {"InstanceId": host})
    assert data["TotalCount"] == 0
    assert await api.error(
        "StartDockerContainers", {"InstanceId": host, "ContainerIds": [container_id]}
    ) == ("ResourceNotFound")


@pytest.mark.parametrize(
    ("conf", "code"),
    [
        ({**NGINX, "ContainerName": "bad name"}, "InvalidParameterValue"),
        ({**NGINX, "RestartPolicy": "sometimes"}, "InvalidParameterValue"),
        (
            {**NGINX, "PublishPorts": [{"ContainerPort": 80, "HostPort": 70000}]},
            "InvalidParameterValue.TooLarge",
        ),
        ({**NGINX, "Volumes": [{"ContainerPath": "relative"}]}, "InvalidParameterValue"),
    ],
)
async def test_run_rejects_bad_configurations(
    api: Any, host: str, conf: dict[str, Any], code: str
) -> None:
    assert (
        await api.error("RunDockerContainers", {"InstanceId": host, "Containers": [conf]}) == code
    )


async def test_names_and_host_ports_are_unique(api: Any, clock: Any, host: str) -> None:
    await run(api, clock, host)
    assert (
        await api.error(
            "RunDockerContainers",
            {
                "InstanceId": host,
                "Containers": [{"ContainerImage": "nginx", "ContainerName": "mynginx"}],
            },
        )
        == "InvalidParameterValue"
    )
    assert await api.error(
        "RunDockerContainers",
        {
            "InstanceId": host,
            "Containers": [
                {
                    "ContainerImage": "httpd",
                    "PublishPorts": [{"ContainerPort": 80, "HostPort": 8081}],
                }
            ],
        },
    ) == ("InvalidParameterValue")
    # the same host port over another protocol is fine
    await run(
        api,
        clock,
        host,
        {
            "ContainerImage": "dns",
            "PublishPorts": [{"ContainerPort": 53, "HostPort": 8081, "Protocol": "udp"}],
        },
    )


async def test_instance_rules(api: Any, add_instance: Any, instances: Any) -> None:
    plain = {"InstanceId": RUNNING_ID, "Containers": [NGINX]}
    assert await api.error("RunDockerContainers", plain) == "ResourceUnavailable.BlueprintInvalid"
    assert await api.error("DescribeDockerContainers", {"InstanceId": "lhins-nothere1"}) == (
        "ResourceNotFound.InstanceNotFound"
    )
    stopped = add_instance(state="STOPPED")
    assert await api.error(
        "RunDockerContainers", {"InstanceId": stopped, "Containers": [NGINX]}
    ) == ("UnsupportedOperation.InvalidInstanceState")
    # history stays readable while the instance is stopped
    assert (await api.ok("DescribeDockerActivities", {"InstanceId": stopped}))["TotalCount"] == 0
    busy = add_instance()
    instances[busy].update(LatestOperation="RebootInstances", LatestOperationState="OPERATING")
    assert await api.error("DescribeDockerContainers", {"InstanceId": busy}) == (
        "UnsupportedOperation.LatestOperationUnfinished"
    )


async def test_containers_belong_to_their_instance(
    api: Any, clock: Any, host: str, add_instance: Any
) -> None:
    (container_id,) = await run(api, clock, host)
    other = add_instance()
    assert await api.error(
        "DescribeDockerContainerDetail", {"InstanceId": other, "ContainerId": container_id}
    ) == ("ResourceNotFound")
    assert (await api.ok("DescribeDockerContainers", {"InstanceId": other}))["TotalCount"] == 0


async def test_describe_filters_and_pages(api: Any, clock: Any, host: str) -> None:
    ids = await run(
        api,
        clock,
        host,
        NGINX,
        {"ContainerImage": "redis", "ContainerName": "cache"},
        {"ContainerImage": "mysql", "ContainerName": "db"},
    )
    named = await api.ok(
        "DescribeDockerContainers",
        {"InstanceId": host, "Filters": [{"Name": "container-name", "Values": ["cache", "db"]}]},
    )
    assert {c["ContainerId"] for c in named["DockerContainerSet"]} == set(ids[1:])
    page = await api.ok("DescribeDockerContainers", {"InstanceId": host, "Limit": 2, "Offset": 2})
    assert page["TotalCount"] == 3 and len(page["DockerContainerSet"]) == 1
    assert await api.error(
        "DescribeDockerContainers",
        {
            "InstanceId": host,
            "ContainerIds": ids[:1],
            "Filters": [{"Name": "container-id", "Values": ids[:1]}],
        },
    ) in ("InvalidParameter.ParameterConflict", "InvalidParameter.ConflictParameter")


async def test_activities_by_time(api: Any, clock: Any, host: str) -> None:
    start = int(clock())
    await run(api, clock, host)
    clock.advance(100)
    await run(api, clock, host, {"ContainerImage": "redis"})
    everything = await api.ok("DescribeDockerActivities", {"InstanceId": host})
    assert everything["TotalCount"] == 2
    newest = everything["DockerActivitySet"][0]
    assert newest["CreatedTime"] > everything["DockerActivitySet"][1]["CreatedTime"]
    early = await api.ok(
        "DescribeDockerActivities",
        {"InstanceId": host, "CreatedTimeBegin": start, "CreatedTimeEnd": start + 50},
    )
    assert early["TotalCount"] == 1
    assert await api.error(
        "DescribeDockerActivities",
        {"InstanceId": host, "CreatedTimeBegin": start + 10, "CreatedTimeEnd": start},
    ) == ("InvalidParameterValue.FieldsCompare")


async def test_reset_instance_hook_replaces_containers(
    api: Any, clock: Any, host: str, sandbox: Any
) -> None:
    (old,) = await run(api, clock, host)
    ctx = sandbox.backend.context("ResetInstance", DEFAULT_SECRET_ID, "ap-guangzhou", "req-1")
    (activity_id,) = replace_containers(ctx, host, [{"ContainerImage": "redis"}])
    clock.advance(DELAY)
    data = await api.ok("DescribeDockerContainers", {"InstanceId": host})
    assert [c["ContainerImage"] for c in data["DockerContainerSet"]] == ["redis"]
    assert (await activity(api, host, activity_id))["ActivityName"] == "ResetInstance"
    assert old not in {c["ContainerId"] for c in data["DockerContainerSet"]}


async def test_instance_reboot_applies_restart_policies(
    api: Any, clock: Any, host: str, instances: Any
) -> None:
    policies = ("no", "always", "unless-stopped", "on-failure:3")
    ids = await run(
        api,
        clock,
        host,
        *(
            {"ContainerImage": "app", "ContainerName": f"c{i}", "RestartPolicy": p}
            for i, p in enumerate(policies)
        ),
    )
    stopped = ids[1]  # an `always` container that was stopped by hand comes back too
    await api.ok("StopDockerContainers", {"InstanceId": host, "ContainerIds": [stopped]})
    clock.advance(DELAY)
    clock.advance(60)
    # the instances family rebooted the instance (StopInstances + StartInstances)
    instances[host].update(
        LatestOperation="StartInstances",
        LatestOperationState="SUCCESS",
        LatestOperationStartedTime=iso(clock()),
    )
    clock.advance(30)
    data = await api.ok("DescribeDockerContainers", {"InstanceId": host, "Limit": 10})
    states = {c["ContainerName"]: (c["State"], c["Status"]) for c in data["DockerContainerSet"]}
    assert states == {
        "c0": ("exited", "Exited (0) 30 seconds ago"),
        "c1": ("running", "Up 30 seconds"),
        "c2": ("running", "Up 30 seconds"),
        "c3": ("exited", "Exited (0) 30 seconds ago"),
    }


async def test_configuration_keeps_a_given_ip_and_protocol(api: Any, clock: Any, host: str) -> None:
    given = {"ContainerPort": 53, "HostPort": 5353, "Ip": "127.0.0.1", "Protocol": "udp"}
    (container_id,) = await run(api, clock, host, {**NGINX, "PublishPorts": [given]})
    conf = (
        await api.ok(
            "DescribeDockerContainerConfiguration",
            {"InstanceId": host, "ContainerId": container_id},
        )
    )["ContainerConfiguration"]
    assert conf["PublishPorts"] == [given]
