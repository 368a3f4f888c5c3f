"""The Docker容器 family: containers inside instances, changed through activities.

Containers live in table ``docker`` (container id -> the ``DockerContainer`` structure
plus ``_instance_id``, ``_config`` — the ``DockerContainerConfiguration`` it runs with —
and timestamps). Every write action answers at once with an activity id; the activity
(table ``docker_activities``, ``DockerActivity`` structure) goes INIT → OPERATING →
SUCCESS over ``ctx.delay`` and the container reaches its new docker state at the end:

    Run        created → running           Start    created/exited → running
    Stop       running → exited            Restart  restarting → running
    Remove     removing → gone             Rename   name changes when done
    Rerun / Modify   the old container is removed and a new one (new id) runs with the
                     new / merged configuration, as ``docker rm`` + ``docker run`` would

The records, the instance checks and configurations are in :mod:`docker_model`; this
module is the actions. The instance must exist, use a blueprint with Docker (its
``DockerVersion`` is set: else ``ResourceUnavailable.BlueprintInvalid``) and be RUNNING,
since the service runs docker commands in it (DescribeDockerActivities only reads
history, so it skips the state check). After the instance (re)boots, each container
follows its restart policy.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from typing import Any

from ..engine.context import Ctx
from ..engine.listing import Accessor, id_pattern, page, select
from ..engine.periods import parse_iso
from ..engine.registry import Family
from ..engine.state import Record, public
from .docker_model import (
    ACTIVITIES,
    CONTAINERS,
    ZERO_TIME,
    bad,
    configuration,
    containers_of,
    docker_host,
    find_container,
    find_containers,
    normalise,
    record_activity,
    recreate,
    replace_containers,
    run_containers,
    settle_later,
)

family = Family("docker")

#: The compute family runs containers for CreateInstances / ResetInstance through these.
__all__ = ["normalise", "replace_containers", "run_containers"]


# -- write actions -------------------------------------------------------------------------


@family.handler("RunDockerContainers")
def run_docker_containers(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance = docker_host(ctx, params["InstanceId"])
    return {"DockerActivitySet": run_containers(ctx, instance["InstanceId"], params["Containers"])}


def _batch(
    ctx: Ctx, params: dict[str, Any], *, change: Callable[[Ctx, Record], None]
) -> dict[str, Any]:
    """Start/stop/restart/remove: check all containers, change each, one activity."""
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    found = find_containers(ctx, instance_id, params["ContainerIds"])
    for container in found:
        change(ctx, container)
    ids = [c["ContainerId"] for c in found]
    output = "".join(i + "\n" for i in ids)
    return {"DockerActivityId": record_activity(ctx, instance_id, ids, output)}


def _start(ctx: Ctx, container: Record) -> None:
    if container["State"] != "running":
        settle_later(
            ctx, container["ContainerId"], State="running", _started_at=ctx.now() + ctx.delay
        )


def _stop(ctx: Ctx, container: Record) -> None:
    if container["State"] in {"running", "restarting", "paused"}:
        settle_later(
            ctx, container["ContainerId"], State="exited", _finished_at=ctx.now() + ctx.delay
        )


def _restart(ctx: Ctx, container: Record) -> None:
    container["State"] = "restarting"
    settle_later(ctx, container["ContainerId"], State="running", _started_at=ctx.now() + ctx.delay)


def _remove(ctx: Ctx, container: Record) -> None:
    container["State"] = "removing"
    ctx.schedule(CONTAINERS, container["ContainerId"], remove=True)


#: The four batch actions differ only in what they do to each container.
for _action, _change in (
    ("StartDockerContainers", _start),
    ("StopDockerContainers", _stop),
    ("RestartDockerContainers", _restart),
    ("RemoveDockerContainers", _remove),
):
    family.handler(_action)(functools.partial(_batch, change=_change))


@family.handler("RenameDockerContainer")
def rename_docker_container(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    container = find_container(ctx, instance_id, params["ContainerId"], change=True)
    conf = normalise(ctx, {**container["_config"], "ContainerName": params["ContainerName"]}, "")
    taken = {c["ContainerName"] for c in containers_of(ctx, instance_id) if c is not container}
    if conf["ContainerName"] in taken:
        raise bad(
            ctx,
            f"The container name `{conf['ContainerName']}` is already in use on "
            f"instance `{instance_id}`.",
        )
    settle_later(ctx, container["ContainerId"], ContainerName=conf["ContainerName"], _config=conf)
    activity = record_activity(ctx, instance_id, [container["ContainerId"]], "")
    return {"DockerActivityId": activity}


@family.handler("RerunDockerContainer")
def rerun_docker_container(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    old = find_container(ctx, instance_id, params["ContainerId"], change=True)
    conf = normalise(ctx, params["ContainerConfiguration"], "ContainerConfiguration")
    return {"DockerActivityId": recreate(ctx, instance_id, old, conf)}


@family.handler("ModifyDockerContainer")
def modify_docker_container(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    old = find_container(ctx, instance_id, params["ContainerId"], change=True)
    changes: dict[str, Any] = {
        k: params[k]
        for k in ("Envs", "PublishPorts", "Volumes", "Command", "RestartPolicy")
        if k in params
    }
    conf = normalise(ctx, {**old["_config"], **changes}, "")
    return {"DockerActivityId": recreate(ctx, instance_id, old, conf)}


# -- reading -------------------------------------------------------------------------------


def _human(seconds: float) -> str:
    """Docker's HumanDuration, the way ``docker ps`` words a container's age."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(s / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{hours // 24 // 365} years"


def _status(ctx: Ctx, container: Record) -> str:
    state = container["State"]
    now = ctx.now()
    if state == "running":
        return f"Up {_human(now - float(container['_started_at'] or now))}"
    if state == "exited":
        return f"Exited (0) {_human(now - float(container['_finished_at'] or now))} ago"
    if state == "restarting":
        return "Restarting (0) Less than a second ago"
    if state == "removing":
        return "Removal In Progress"
    return "Created"


def render(ctx: Ctx, container: Record) -> Record:
    return {**public(container), "Status": _status(ctx, container)}


_FILTERS: dict[str, Accessor] = {
    "container-id": lambda c: [c["ContainerId"]],
    "container-name": lambda c: [c["ContainerName"]],
}
#: Docker ids: 64 hex digits, or the 12-digit short form ``docker ps`` shows.
_CONTAINER_ID = re.compile(r"^[0-9a-f]{12}([0-9a-f]{52})?$")


@family.handler("DescribeDockerContainers")
def describe_docker_containers(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    rows = select(
        ctx,
        params,
        (render(ctx, c) for c in containers_of(ctx, instance_id)),
        ids_param="ContainerIds",
        id_key="ContainerId",
        pattern=_CONTAINER_ID,
        malformed="InvalidParameterValue",
        accessors=_FILTERS,
        max_values=5,
    )
    rows.sort(key=lambda c: str(c["CreatedTime"]), reverse=True)
    return {"TotalCount": len(rows), "DockerContainerSet": page(ctx, rows, params)}


@family.handler("DescribeDockerContainerConfiguration")
def describe_docker_container_configuration(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    container = find_container(ctx, instance_id, params["ContainerId"])
    return {"ContainerConfiguration": configuration(container["_config"])}


def inspect(ctx: Ctx, container: Record) -> dict[str, Any]:
    """The part of ``docker inspect`` the detail action returns, from the record."""
    conf = container["_config"]
    state = container["State"]
    policy, _, retries = conf["RestartPolicy"].partition(":")
    started, finished = container["_started_at"], container["_finished_at"]
    return {
        "Id": container["ContainerId"],
        "Created": container["CreatedTime"],
        "Path": conf["Command"].split(" ")[0] if conf["Command"] else "",
        "Args": conf["Command"].split(" ")[1:] if conf["Command"] else [],
        "State": {
            "Status": state,
            "Running": state == "running",
            "Paused": state == "paused",
            "Restarting": state == "restarting",
            "OOMKilled": False,
            "Dead": state == "dead",
            "ExitCode": 0,
            "Error": "",
            "StartedAt": ctx.iso(started) if started else ZERO_TIME,
            "FinishedAt": ctx.iso(finished) if finished else ZERO_TIME,
        },
        "Image": conf["ContainerImage"],
        "Name": "/" + container["ContainerName"],
        "RestartCount": 0,
        "HostConfig": {
            "Binds": [f"{v.get('HostPath', '')}:{v['ContainerPath']}" for v in conf["Volumes"]],
            "PortBindings": {
                f"{p['ContainerPort']}/{p.get('Protocol', 'tcp')}": [
                    {"HostIp": p.get("Ip", ""), "HostPort": str(p["HostPort"])}
                ]
                for p in conf["PublishPorts"]
            },
            "RestartPolicy": {"Name": policy, "MaximumRetryCount": int(retries or 0)},
        },
        "Config": {
            "Image": conf["ContainerImage"],
            "Env": [f"{e['Key']}={e.get('Value', '')}" for e in conf["Envs"]],
            "Cmd": conf["Command"].split(" ") if conf["Command"] else None,
        },
    }


@family.handler("DescribeDockerContainerDetail")
def describe_docker_container_detail(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    container = find_container(ctx, instance_id, params["ContainerId"])
    text = json.dumps([inspect(ctx, container)], indent=4)
    return {"ContainerDetail": base64.b64encode(text.encode()).decode()}


@family.handler("DescribeDockerActivities")
def describe_docker_activities(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"], running=False)["InstanceId"]
    begin, end = params.get("CreatedTimeBegin"), params.get("CreatedTimeEnd")
    if begin is not None and end is not None and int(begin) > int(end):
        raise ctx.fail(
            "InvalidParameterValue.FieldsCompare",
            f"`CreatedTimeBegin` ({begin}) must not be later than `CreatedTimeEnd` ({end}).",
            also=("InvalidParameterValue",),
        )
    rows = [a for a in ctx.state.table(ACTIVITIES).values() if a["_instance_id"] == instance_id]
    if begin is not None:
        rows = [a for a in rows if parse_iso(a["CreatedTime"]) >= int(begin)]
    if end is not None:
        rows = [a for a in rows if parse_iso(a["CreatedTime"]) <= int(end)]
    shown = select(
        ctx,
        params,
        (public(a) for a in rows),
        ids_param="ActivityIds",
        id_key="ActivityId",
        pattern=id_pattern("lhda"),
        malformed="InvalidParameterValue",
        accessors={},
    )
    shown.sort(key=lambda a: str(a["CreatedTime"]), reverse=True)
    return {"TotalCount": len(shown), "DockerActivitySet": page(ctx, shown, params)}
