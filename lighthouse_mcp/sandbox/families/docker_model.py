"""Docker containers as records: the instance checks, configurations, and activities.

Containers live in table ``docker`` (container id -> the ``DockerContainer`` structure
plus ``_instance_id``, ``_config`` — the ``DockerContainerConfiguration`` it runs with —
and timestamps); activities in ``docker_activities`` (``DockerActivity``). Everything
here is shared by the Docker actions (:mod:`docker`) and the compute family, which runs
containers for CreateInstances and ResetInstance (:func:`run_containers`,
:func:`replace_containers`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..engine.context import Ctx
from ..engine.periods import parse_iso
from ..engine.state import Record
from .hosts import find_instance, instance_problem

CONTAINERS = "docker"
ACTIVITIES = "docker_activities"

_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
_RESTART_POLICY = re.compile(r"no|always|unless-stopped|on-failure(:\d+)?")
_PROTOCOLS = ("tcp", "udp", "sctp")
#: DockerContainerPublishPort members a request may omit, with the defaults the docs give
#: (对外绑定IP，默认0.0.0.0 / 协议，默认tcp): answers always carry them.
PORT_DEFAULTS = {"Ip": "0.0.0.0", "Protocol": "tcp"}
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


def find_container(
    ctx: Ctx, instance_id: str, container_id: str, *, change: bool = False
) -> Record:
    """The container on that instance; one being removed cannot be ``change``d any more."""
    record = ctx.state.table(CONTAINERS).get(container_id)
    if record is None or record["_instance_id"] != instance_id:
        raise ctx.fail(
            "ResourceNotFound",  # no page documents a container code: the common one
            f"The container `{container_id[:64]}` does not exist on instance `{instance_id}`.",
        )
    if change and record["State"] == "removing":
        raise ctx.fail(
            "UnsupportedOperation",
            f"The container `{container_id}` is being removed; it cannot be changed.",
        )
    return record


def find_containers(ctx: Ctx, instance_id: str, ids: Sequence[str]) -> list[Record]:
    if len(set(ids)) != len(ids):
        raise ctx.fail("InvalidParameterValue", "`ContainerIds` lists a container twice.")
    return [find_container(ctx, instance_id, cid, change=True) for cid in ids]


# -- configurations ------------------------------------------------------------------------


def _p(path: str) -> str:
    """``path`` as a prefix for a member name (empty for top-level parameters)."""
    return f"{path}." if path else ""


def bad(ctx: Ctx, message: str, code: str = "InvalidParameterValue") -> Exception:
    return ctx.fail(code, message, also=("InvalidParameterValue",))


def _check_ports(ctx: Ctx, ports: Iterable[Mapping[str, Any]], path: str) -> None:
    for i, port in enumerate(ports):
        for key in ("HostPort", "ContainerPort"):
            value = int(port[key])
            if not 1 <= value <= 65535:
                code = (
                    "InvalidParameterValue.TooLarge" if value > 65535 else ("InvalidParameterValue")
                )
                raise bad(
                    ctx, f"`{_p(path)}PublishPorts.{i}.{key}` must be 1-65535; got {value}.", code
                )
        if port.get("Protocol", "tcp") not in _PROTOCOLS:
            raise bad(
                ctx,
                f"`{_p(path)}PublishPorts.{i}.Protocol` must be one of "
                f"{', '.join(_PROTOCOLS)}; got {str(port.get('Protocol'))[:20]!r}.",
            )


def normalise(ctx: Ctx, conf: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A checked ``DockerContainerConfiguration`` with every member present."""
    name = conf.get("ContainerName")
    if name is not None and not _NAME.fullmatch(str(name)):
        raise bad(
            ctx,
            f"`{_p(path)}ContainerName` must match [a-zA-Z0-9][a-zA-Z0-9_.-]*; "
            f"got {str(name)[:40]!r}.",
        )
    if not str(conf.get("ContainerImage", "")).strip():
        raise bad(ctx, f"`{_p(path)}ContainerImage` must name an image, e.g. nginx:latest.")
    policy = str(conf.get("RestartPolicy", "no"))
    if not _RESTART_POLICY.fullmatch(policy):
        raise bad(
            ctx,
            f"`{_p(path)}RestartPolicy` must be no, always, unless-stopped or "
            f"on-failure[:max-retries]; got {policy[:40]!r}.",
        )
    for i, env in enumerate(conf.get("Envs") or ()):
        if not str(env.get("Key", "")):
            raise bad(ctx, f"`{_p(path)}Envs.{i}.Key` must not be empty.")
    for i, volume in enumerate(conf.get("Volumes") or ()):
        if not str(volume.get("ContainerPath", "")).startswith("/"):
            raise bad(ctx, f"`{_p(path)}Volumes.{i}.ContainerPath` must be an absolute path.")
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


def published_port(port: Mapping[str, Any]) -> dict[str, Any]:
    """A port as answers show it: the documented defaults filled where the request left
    them out (the stored configuration keeps the request's own words, which ``docker
    inspect``'s PortBindings echo)."""
    return {
        "HostPort": port["HostPort"],
        "ContainerPort": port["ContainerPort"],
        "Ip": port.get("Ip", PORT_DEFAULTS["Ip"]),
        "Protocol": port.get("Protocol", PORT_DEFAULTS["Protocol"]),
    }


def configuration(conf: Mapping[str, Any]) -> dict[str, Any]:
    """The documented ``DockerContainerConfiguration`` of a stored configuration."""
    return {**conf, "PublishPorts": [published_port(p) for p in conf["PublishPorts"]]}


def check_conflicts(
    ctx: Ctx, instance_id: str, configs: Sequence[dict[str, Any]], replacing: Iterable[str] = ()
) -> None:
    """Container names and host ports are unique per instance, as docker enforces."""
    skip = set(replacing)
    others = [c for c in containers_of(ctx, instance_id) if c["ContainerId"] not in skip]
    names = {c["ContainerName"] for c in others}
    ports = {
        (p["HostPort"], p.get("Protocol", "tcp"))
        for c in others
        for p in c["_config"]["PublishPorts"]
    }
    for conf in configs:
        if conf["ContainerName"] in names:
            raise bad(
                ctx,
                f"The container name `{conf['ContainerName']}` is already in use on "
                f"instance `{instance_id}`.",
            )
        if conf["ContainerName"]:
            names.add(conf["ContainerName"])
        for port in conf["PublishPorts"]:
            key = (port["HostPort"], port.get("Protocol", "tcp"))
            if key in ports:
                raise bad(
                    ctx,
                    f"Host port {key[0]}/{key[1]} is already published on instance "
                    f"`{instance_id}`.",
                )
            ports.add(key)


# -- activities and container records ------------------------------------------------------


def record_activity(ctx: Ctx, instance_id: str, container_ids: list[str], output: str) -> str:
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
    ctx.schedule(ACTIVITIES, activity_id, set={"ActivityState": "OPERATING"}, after=ctx.delay / 2)
    ctx.schedule(
        ACTIVITIES,
        activity_id,
        set={"ActivityState": "SUCCESS", "EndTime": ctx.iso(now + ctx.delay)},
    )
    return activity_id


def new_container(ctx: Ctx, instance_id: str, conf: dict[str, Any]) -> str:
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
        "PublishPortSet": [published_port(p) for p in conf["PublishPorts"]],
        "VolumeSet": [
            {"ContainerPath": v["ContainerPath"], "HostPath": v.get("HostPath", "")}
            for v in conf["Volumes"]
        ],
        "CreatedTime": ctx.iso(now),
        "_instance_id": instance_id,
        "_config": conf,
        "_created_at": now,
        "_started_at": None,
        "_finished_at": None,
    }
    settle_later(ctx, container_id, State="running", _started_at=now + ctx.delay)
    return container_id


def settle_later(ctx: Ctx, container_id: str, **changes: Any) -> None:
    ctx.schedule(CONTAINERS, container_id, set=changes)


def run_containers(
    ctx: Ctx, instance_id: str, configs: Sequence[Mapping[str, Any]], path: str = "Containers"
) -> list[str]:
    """Create and run containers on a checked instance; one activity id per container.

    Also the way for ResetInstance (compute family) to honour its ``Containers`` input.
    """
    checked = [normalise(ctx, conf, f"{path}.{i}") for i, conf in enumerate(configs)]
    check_conflicts(ctx, instance_id, checked)
    activities = []
    for conf in checked:
        container_id = new_container(ctx, instance_id, conf)
        activities.append(record_activity(ctx, instance_id, [container_id], container_id + "\n"))
    return activities


def replace_containers(
    ctx: Ctx, instance_id: str, configs: Sequence[Mapping[str, Any]]
) -> list[str]:
    """ResetInstance's effect on Docker: the reinstalled system disk has no containers, then
    the ``Containers`` it was given (if any) run. For the compute family to call.
    """
    table = ctx.state.table(CONTAINERS)
    for container in containers_of(ctx, instance_id):
        del table[container["ContainerId"]]
    return run_containers(ctx, instance_id, configs)


def recreate(ctx: Ctx, instance_id: str, old: Record, conf: dict[str, Any]) -> str:
    """Replace ``old`` by a container running ``conf`` (rm + run); returns the activity."""
    check_conflicts(ctx, instance_id, [conf], replacing=[old["ContainerId"]])
    old["State"] = "removing"
    ctx.schedule(CONTAINERS, old["ContainerId"], remove=True)
    new_id = new_container(ctx, instance_id, conf)
    return record_activity(ctx, instance_id, [new_id], new_id + "\n")
