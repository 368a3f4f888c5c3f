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

The instance must exist, use a blueprint with Docker (its ``DockerVersion`` is set:
else ``ResourceUnavailable.BlueprintInvalid``) and be RUNNING, since the service runs
docker commands in it (DescribeDockerActivities only reads history, so it skips the
state check).
"""
from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .backend import Ctx, Record, handler, public
from .hosts import find_instance, instance_problem
from .listing import page, select
from .periods import parse_iso

CONTAINERS = "docker"
ACTIVITIES = "docker_activities"

_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
_RESTART_POLICY = re.compile(r"no|always|unless-stopped|on-failure(:\d+)?")
_PROTOCOLS = ("tcp", "udp", "sctp")
_HEX = "0123456789abcdef"
#: Docker's zero time: what an unfinished activity's EndTime and a never-started
#: container's StartedAt read (the docs' own DescribeDockerContainerDetail example uses it;
#: EndTime is not documented as nullable).
ZERO_TIME = "0001-01-01T00:00:00Z"


# -- the instance -------------------------------------------------------------------------


def docker_host(ctx: Ctx, instance_id: str, *, running: bool = True) -> Record:
    """The instance, checked to support Docker (and to be RUNNING and idle if ``running``)."""
    instance = find_instance(ctx, instance_id)
    blueprint = ctx.state.table("blueprints").get(str(instance.get("BlueprintId")))
    if not blueprint or not blueprint.get("DockerVersion"):
        raise ctx.fail(
            "ResourceUnavailable.BlueprintInvalid",
            f"The instance `{instance_id}` runs blueprint `{instance.get('BlueprintId')}`, "
            "which has no Docker; Docker actions need a Docker blueprint.",
            also=("ResourceUnavailable.DockerUnavailable",),
        )
    if running:
        problem = instance_problem(ctx, instance, {"RUNNING"})
        if problem is not None:
            raise problem
    _follow_boot(ctx, instance)
    return instance


#: Instance operations after which the Docker daemon has started afresh.
_BOOTS = frozenset({"StartInstances", "RebootInstances"})


def _follow_boot(ctx: Ctx, instance: Record) -> None:
    """Apply the instance's last (re)boot to containers that were there before it.

    Docker restarts what its restart policy says on daemon start: ``always`` containers
    come back whatever their state, ``unless-stopped`` ones if they were running; the
    others stay exited. Read from the instance's latest finished Start/Reboot, so it holds
    whichever family changed the instance.
    """
    if instance.get("LatestOperation") not in _BOOTS or (
        instance.get("LatestOperationState") != "SUCCESS"
    ):
        return
    boot = parse_iso(str(instance["LatestOperationStartedTime"]))
    for container in containers_of(ctx, str(instance["InstanceId"])):
        if container["_created_at"] >= boot or container.get("_boot") == boot:
            continue
        container["_boot"] = boot
        policy = container["_config"]["RestartPolicy"]
        was_up = container["State"] in {"running", "restarting"}
        if policy == "always" or (policy == "unless-stopped" and was_up):
            container.update(State="running", _started_at=boot)
        elif was_up:
            container.update(State="exited", _finished_at=boot)


def containers_of(ctx: Ctx, instance_id: str) -> list[Record]:
    return [c for c in ctx.state.table(CONTAINERS).values() if c["_instance_id"] == instance_id]


def _container(ctx: Ctx, instance_id: str, container_id: str, *, change: bool = False) -> Record:
    """The container on that instance; one being removed cannot be ``change``d any more."""
    record = ctx.state.table(CONTAINERS).get(container_id)
    if record is None or record["_instance_id"] != instance_id:
        raise ctx.fail(
            "InvalidParameterValue",
            f"The container `{container_id[:64]}` does not exist on instance `{instance_id}`.",
        )
    if change and record["State"] == "removing":
        raise ctx.fail(
            "InvalidParameterValue",
            f"The container `{container_id}` is being removed; it cannot be changed.",
        )
    return record


def _containers(ctx: Ctx, instance_id: str, ids: Sequence[str]) -> list[Record]:
    if len(set(ids)) != len(ids):
        raise ctx.fail("InvalidParameterValue", "`ContainerIds` lists a container twice.")
    return [_container(ctx, instance_id, cid, change=True) for cid in ids]


# -- configurations ------------------------------------------------------------------------


def _p(path: str) -> str:
    """``path`` as a prefix for a member name (empty for top-level parameters)."""
    return f"{path}." if path else ""


def _bad(ctx: Ctx, message: str, code: str = "InvalidParameterValue") -> Exception:
    return ctx.fail(code, message, also=("InvalidParameterValue",))


def _check_ports(ctx: Ctx, ports: Iterable[Mapping[str, Any]], path: str) -> None:
    for i, port in enumerate(ports):
        for key in ("HostPort", "ContainerPort"):
            value = int(port[key])
            if not 1 <= value <= 65535:
                code = "InvalidParameterValue.TooLarge" if value > 65535 else (
                    "InvalidParameterValue")
                raise _bad(ctx, f"`{_p(path)}PublishPorts.{i}.{key}` must be 1-65535; got {value}.",
                           code)
        if port.get("Protocol", "tcp") not in _PROTOCOLS:
            raise _bad(ctx, f"`{_p(path)}PublishPorts.{i}.Protocol` must be one of "
                            f"{', '.join(_PROTOCOLS)}; got {str(port.get('Protocol'))[:20]!r}.")


def normalise(ctx: Ctx, conf: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A checked ``DockerContainerConfiguration`` with every member present."""
    name = conf.get("ContainerName")
    if name is not None and not _NAME.fullmatch(str(name)):
        raise _bad(ctx, f"`{_p(path)}ContainerName` must match [a-zA-Z0-9][a-zA-Z0-9_.-]*; "
                        f"got {str(name)[:40]!r}.")
    if not str(conf.get("ContainerImage", "")).strip():
        raise _bad(ctx, f"`{_p(path)}ContainerImage` must name an image, e.g. nginx:latest.")
    policy = str(conf.get("RestartPolicy", "no"))
    if not _RESTART_POLICY.fullmatch(policy):
        raise _bad(ctx, f"`{_p(path)}RestartPolicy` must be no, always, unless-stopped or "
                        f"on-failure[:max-retries]; got {policy[:40]!r}.")
    for i, env in enumerate(conf.get("Envs") or ()):
        if not str(env.get("Key", "")):
            raise _bad(ctx, f"`{_p(path)}Envs.{i}.Key` must not be empty.")
    for i, volume in enumerate(conf.get("Volumes") or ()):
        if not str(volume.get("ContainerPath", "")).startswith("/"):
            raise _bad(ctx, f"`{_p(path)}Volumes.{i}.ContainerPath` must be an absolute path.")
    _check_ports(ctx, conf.get("PublishPorts") or (), path)
    return {
        "ContainerImage": conf["ContainerImage"],
        "ContainerName": name,
        "Envs": [dict(e) for e in conf.get("Envs") or ()],
        "PublishPorts": [dict(p) for p in conf.get("PublishPorts") or ()],
        "Volumes": [dict(v) for v in conf.get("Volumes") or ()],
        "Command": conf.get("Command", ""),
        "RestartPolicy": policy,
    }


def _check_conflicts(
    ctx: Ctx, instance_id: str, configs: Sequence[dict[str, Any]], replacing: Iterable[str] = ()
) -> None:
    """Container names and host ports are unique per instance, as docker enforces."""
    skip = set(replacing)
    others = [c for c in containers_of(ctx, instance_id) if c["ContainerId"] not in skip]
    names = {c["ContainerName"] for c in others}
    ports = {(p["HostPort"], p.get("Protocol", "tcp")) for c in others
             for p in c["_config"]["PublishPorts"]}
    for conf in configs:
        if conf["ContainerName"] in names:
            raise _bad(ctx, f"The container name `{conf['ContainerName']}` is already in use on "
                            f"instance `{instance_id}`.")
        if conf["ContainerName"]:
            names.add(conf["ContainerName"])
        for port in conf["PublishPorts"]:
            key = (port["HostPort"], port.get("Protocol", "tcp"))
            if key in ports:
                raise _bad(ctx, f"Host port {key[0]}/{key[1]} is already published on instance "
                                f"`{instance_id}`.")
            ports.add(key)


# -- activities and container records ------------------------------------------------------


def _activity(ctx: Ctx, instance_id: str, container_ids: list[str], output: str) -> str:
    """Record an activity of this request; it completes after ``ctx.delay``."""
    activity_id = ctx.new_id("lhda")
    now = ctx.now()
    ctx.state.table(ACTIVITIES)[activity_id] = {
        "ActivityId": activity_id,
        "ActivityName": ctx.action,
        "ActivityState": "INIT",
        "ActivityCommandOutput": base64.b64encode(output.encode()).decode(),
        "ContainerIds": container_ids,
        "CreatedTime": ctx.iso(now),
        "EndTime": ZERO_TIME,
        "_instance_id": instance_id,
        "_created_at": now,
    }
    ctx.schedule(ACTIVITIES, activity_id, set={"ActivityState": "OPERATING"},
                 after=ctx.delay / 2)
    ctx.schedule(ACTIVITIES, activity_id,
                 set={"ActivityState": "SUCCESS", "EndTime": ctx.iso(now + ctx.delay)})
    return activity_id


def _new_container(ctx: Ctx, instance_id: str, conf: dict[str, Any]) -> str:
    container_id = "".join(ctx.rng.choices(_HEX, k=64))
    conf = {**conf, "ContainerName": conf["ContainerName"] or f"container_{container_id[:12]}"}
    now = ctx.now()
    ctx.state.table(CONTAINERS)[container_id] = {
        "ContainerId": container_id,
        "ContainerName": conf["ContainerName"],
        "ContainerImage": conf["ContainerImage"],
        "Command": conf["Command"],
        "Status": "Created",
        "State": "created",
        "PublishPortSet": [
            {"ContainerPort": p["ContainerPort"], "HostPort": p["HostPort"],
             "Ip": p.get("Ip", "0.0.0.0"), "Protocol": p.get("Protocol", "tcp")}
            for p in conf["PublishPorts"]
        ],
        "VolumeSet": [{"ContainerPath": v["ContainerPath"], "HostPath": v.get("HostPath", "")}
                      for v in conf["Volumes"]],
        "CreatedTime": ctx.iso(now),
        "_instance_id": instance_id,
        "_config": conf,
        "_created_at": now,
        "_started_at": None,
        "_finished_at": None,
    }
    _later(ctx, container_id, State="running", _started_at=now + ctx.delay)
    return container_id


def _later(ctx: Ctx, container_id: str, **changes: Any) -> None:
    ctx.schedule(CONTAINERS, container_id, set=changes)


def run_containers(ctx: Ctx, instance_id: str, configs: Sequence[Mapping[str, Any]],
                   path: str = "Containers") -> list[str]:
    """Create and run containers on a checked instance; one activity id per container.

    Also the way for ResetInstance (compute family) to honour its ``Containers`` input.
    """
    checked = [normalise(ctx, conf, f"{path}.{i}") for i, conf in enumerate(configs)]
    _check_conflicts(ctx, instance_id, checked)
    activities = []
    for conf in checked:
        container_id = _new_container(ctx, instance_id, conf)
        activities.append(_activity(ctx, instance_id, [container_id], container_id + "\n"))
    return activities


def replace_containers(ctx: Ctx, instance_id: str, configs: Sequence[Mapping[str, Any]]) -> list[
    str
]:
    """ResetInstance's effect on Docker: the reinstalled system disk has no containers, then
    the ``Containers`` it was given (if any) run. For the compute family to call.
    """
    table = ctx.state.table(CONTAINERS)
    for container in containers_of(ctx, instance_id):
        del table[container["ContainerId"]]
    return run_containers(ctx, instance_id, configs)


def _recreate(ctx: Ctx, instance_id: str, old: Record, conf: dict[str, Any]) -> str:
    """Replace ``old`` by a container running ``conf`` (rm + run); returns the activity."""
    _check_conflicts(ctx, instance_id, [conf], replacing=[old["ContainerId"]])
    old["State"] = "removing"
    ctx.schedule(CONTAINERS, old["ContainerId"], remove=True)
    new_id = _new_container(ctx, instance_id, conf)
    return _activity(ctx, instance_id, [new_id], new_id + "\n")


# -- write actions -------------------------------------------------------------------------


@handler("RunDockerContainers")
def run_docker_containers(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance = docker_host(ctx, params["InstanceId"])
    return {"DockerActivitySet": run_containers(ctx, instance["InstanceId"], params["Containers"])}


def _batch(
    ctx: Ctx, params: dict[str, Any], *, change: Callable[[Ctx, Record], None]
) -> dict[str, Any]:
    """Start/stop/restart/remove: check all containers, change each, one activity."""
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    found = _containers(ctx, instance_id, params["ContainerIds"])
    for container in found:
        change(ctx, container)
    ids = [c["ContainerId"] for c in found]
    return {"DockerActivityId": _activity(ctx, instance_id, ids, "".join(i + "\n" for i in ids))}


def _start(ctx: Ctx, container: Record) -> None:
    if container["State"] != "running":
        _later(ctx, container["ContainerId"], State="running",
               _started_at=ctx.now() + ctx.delay)


def _stop(ctx: Ctx, container: Record) -> None:
    if container["State"] in {"running", "restarting", "paused"}:
        _later(ctx, container["ContainerId"], State="exited",
               _finished_at=ctx.now() + ctx.delay)


def _restart(ctx: Ctx, container: Record) -> None:
    container["State"] = "restarting"
    _later(ctx, container["ContainerId"], State="running", _started_at=ctx.now() + ctx.delay)


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
    handler(_action)(functools.partial(_batch, change=_change))


@handler("RenameDockerContainer")
def rename_docker_container(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    container = _container(ctx, instance_id, params["ContainerId"], change=True)
    conf = normalise(ctx, {**container["_config"], "ContainerName": params["ContainerName"]}, "")
    taken = {c["ContainerName"] for c in containers_of(ctx, instance_id) if c is not container}
    if conf["ContainerName"] in taken:
        raise _bad(ctx, f"The container name `{conf['ContainerName']}` is already in use on "
                        f"instance `{instance_id}`.")
    _later(ctx, container["ContainerId"], ContainerName=conf["ContainerName"], _config=conf)
    activity = _activity(ctx, instance_id, [container["ContainerId"]], "")
    return {"DockerActivityId": activity}


@handler("RerunDockerContainer")
def rerun_docker_container(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    old = _container(ctx, instance_id, params["ContainerId"], change=True)
    conf = normalise(ctx, params["ContainerConfiguration"], "ContainerConfiguration")
    return {"DockerActivityId": _recreate(ctx, instance_id, old, conf)}


@handler("ModifyDockerContainer")
def modify_docker_container(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    old = _container(ctx, instance_id, params["ContainerId"], change=True)
    changes: dict[str, Any] = {k: params[k] for k in ("Envs", "PublishPorts", "Volumes", "Command",
                                      "RestartPolicy") if k in params}
    conf = normalise(ctx, {**old["_config"], **changes}, "")
    return {"DockerActivityId": _recreate(ctx, instance_id, old, conf)}


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


_FILTERS: dict[str, Callable[[Record], object]] = {
    "container-id": lambda c: c.get("ContainerId"),
    "container-name": lambda c: c.get("ContainerName"),
}


@handler("DescribeDockerContainers")
def describe_docker_containers(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    rows = select((render(ctx, c) for c in containers_of(ctx, instance_id)), params,
                  fields=_FILTERS, ids_param="ContainerIds", id_field="ContainerId")
    rows.sort(key=lambda c: str(c["CreatedTime"]), reverse=True)
    return {"TotalCount": len(rows), "DockerContainerSet": page(rows, params)}


@handler("DescribeDockerContainerConfiguration")
def describe_docker_container_configuration(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    container = _container(ctx, instance_id, params["ContainerId"])
    return {"ContainerConfiguration": dict(container["_config"])}


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


@handler("DescribeDockerContainerDetail")
def describe_docker_container_detail(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance_id = docker_host(ctx, params["InstanceId"])["InstanceId"]
    container = _container(ctx, instance_id, params["ContainerId"])
    text = json.dumps([inspect(ctx, container)], indent=4)
    return {"ContainerDetail": base64.b64encode(text.encode()).decode()}


@handler("DescribeDockerActivities")
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
    shown = select((public(a) for a in rows), params, fields={}, ids_param="ActivityIds",
                   id_field="ActivityId")
    shown.sort(key=lambda a: str(a["CreatedTime"]), reverse=True)
    return {"TotalCount": len(shown), "DockerActivitySet": page(shown, params)}
