"""Instance lifecycle actions: create, describe, start/stop/reboot, reinstall, isolate, ...

State rules live in :mod:`.instance_model` (one table for every action); this module
turns requests into records and delayed transitions. Each asynchronous action puts the
instance in its documented transitional state (``STOPPING``, ``STARTING``, ...) with
``LatestOperationState=OPERATING`` and schedules the final state after the sandbox delay,
so a client polling DescribeInstances sees what it would see on the real service.
Read-only instance queries are in :mod:`.instance_queries` (imported at the end so its
handlers register with this family).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.context import Ctx
from ..engine.errors import err
from ..engine.listing import TAG_FILTERS, check_length, page, select
from ..engine.periods import add_months, parse_iso
from ..engine.registry import Family
from ..engine.state import Record, public
from . import disk_model, docker, firewall, keypairs, prices, quotas
from .firewall_templates import lookup_template
from .instance_model import (
    INSTANCE_ID,
    INSTANCE_ID_MALFORMED,
    LINUX,
    WINDOWS,
    apply_blueprint,
    apply_bundle,
    begin_operation,
    blueprint_fit,
    bundle,
    bundle_change_problem,
    instances,
    is_mainland,
    lookup,
    lookup_blueprint,
    new_instance,
    password_problem,
    require,
    require_many,
    zones,
)

family = Family("instances")

MAX_CLIENT_TOKEN = 64
MAX_NAME = 60
NAME_TOO_LONG = "InvalidParameterValue.InstanceNameTooLong"
RENEW_FLAGS = (
    "NOTIFY_AND_AUTO_RENEW",
    "NOTIFY_AND_MANUAL_RENEW",
    "DISABLE_NOTIFY_AND_MANUAL_RENEW",
)


# -- CreateInstances ----------------------------------------------------------------------


def _check_login(ctx: Ctx, login: Mapping[str, Any] | None, platform: str) -> list[str]:
    """Validate LoginConfiguration; returns the key ids to bind."""
    if not login:
        return []
    auto = login.get("AutoGeneratePassword")
    password = login.get("Password")
    key_ids = list(login.get("KeyIds") or [])
    combo = "InvalidParameterValue.InvalidParameterCombination"
    if auto == "YES" and password:
        raise ctx.fail(
            combo,
            "`LoginConfiguration.Password` must be omitted when `AutoGeneratePassword` is YES.",
        )
    if auto == "NO" and not password and not key_ids:
        raise ctx.fail(
            combo, "`LoginConfiguration.AutoGeneratePassword` is NO; give `Password` (or `KeyIds`)."
        )
    if password and key_ids:
        raise ctx.fail(combo, "`LoginConfiguration` cannot set both `Password` and `KeyIds`.")
    if key_ids and platform == WINDOWS:
        raise ctx.fail(
            combo,
            "Windows blueprints do not support key pairs; use a password.",
            also=("UnsupportedOperation.WindowsNotSupportKeyPair",),
        )
    if len(key_ids) > 5:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`LoginConfiguration.KeyIds` has {len(key_ids)} ids; at most 5.",
            also=("InvalidParameterValue.OutOfRange",),
        )
    if password:
        problem = password_problem(str(password), platform)
        if problem:
            raise ctx.fail(
                "InvalidParameterValue.InvalidPassword",
                f"`LoginConfiguration.Password` is not accepted: {problem}.",
            )
    for key_id in key_ids:
        keypairs.lookup_keypair(
            ctx,
            key_id,
            "LoginConfiguration.KeyIds",
            not_found=("ResourceNotFound.KeyPairNotFound", "ResourceNotFound.KeyIdNotFound"),
        )
    return key_ids


def _check_zones(ctx: Ctx, wanted: Sequence[str]) -> list[str]:
    available = zones(ctx)
    for zone in wanted:
        if zone not in available:
            raise ctx.fail(
                "InvalidParameterValue.ZoneInvalid",
                f"`Zones` value `{zone}` is not a zone of {ctx.region}; "
                f"expected one of: {', '.join(available) or 'none'}.",
                also=("InvalidParameterValue.InvalidZone",),
            )
    return list(wanted) or available


def _check_containers(
    ctx: Ctx, params: Mapping[str, Any], blueprint_record: Record, code: str
) -> list[Mapping[str, Any]]:
    """``Containers`` need a Docker blueprint; each configuration is checked up front so
    a bad one refuses the whole request before anything is created."""
    containers: list[Mapping[str, Any]] = list(params.get("Containers") or [])
    if containers and not blueprint_record.get("DockerVersion"):
        raise ctx.fail(
            code,
            f"`Containers` needs a Docker blueprint; "
            f"`{blueprint_record['BlueprintId']}` is "
            f"{blueprint_record.get('BlueprintType')}.",
        )
    for index, conf in enumerate(containers):
        docker.normalise(ctx, conf, f"Containers.{index}")
    return containers


@dataclass(frozen=True)
class _Purchase:
    """A CreateInstances request once every documented check has passed."""

    count: int
    name: str
    period: int
    renew_flag: str
    bundle: Record
    blueprint: Record
    key_ids: list[str]
    containers: list[Mapping[str, Any]]
    zones: list[str]
    round_robin: bool  # Zones given: spread over them in order; else a random zone each
    firewall_rules: list[Record] | None  # a template's rules, or None for the defaults


def _check_purchase(ctx: Ctx, params: Mapping[str, Any]) -> _Purchase:
    """All of CreateInstances' checks, in the order the service reports them."""
    name = params.get("InstanceName") or "Unnamed"
    check_length(ctx, name, "InstanceName", MAX_NAME, NAME_TOO_LONG)
    count = int(params.get("InstanceCount") or 1)
    if not 1 <= count <= 30:
        raise ctx.fail(
            "InvalidParameterValue.OutOfRange",
            f"`InstanceCount` is {count}; it must be between 1 and 30.",
        )
    if (params.get("DomainName") or params.get("Subdomain")) and count != 1:
        raise ctx.fail(
            "InvalidParameterValue.InvalidParameterCombination",
            "With `DomainName`/`Subdomain`, `InstanceCount` must be 1.",
        )
    charge = params["InstanceChargePrepaid"]
    period = int(charge["Period"])
    prices.check_period(ctx, period, field="InstanceChargePrepaid.Period")
    bundle_record = bundle(ctx, params["BundleId"])
    if bundle_record is None:
        raise ctx.fail(
            "InvalidParameter.BundleIdNotFound",
            f"The bundle `{params['BundleId']}` does not exist in {ctx.region}; "
            "see DescribeBundles.",
            also=("InvalidParameterValue.InvalidBundle",),
        )
    if bundle_record.get("BundleSalesState") == "SOLD_OUT":
        raise ctx.fail(
            "ResourcesSoldOut.BundleSoldOut",
            f"The bundle `{params['BundleId']}` is sold out in {ctx.region}.",
        )
    blueprint_record = lookup_blueprint(ctx, params["BlueprintId"])
    if blueprint_record.get("BlueprintState", "NORMAL") != "NORMAL":
        raise ctx.fail(
            "InvalidParameterValue.InvalidBlueprintId",
            f"The blueprint `{params['BlueprintId']}` is "
            f"{blueprint_record.get('BlueprintState')}; only NORMAL blueprints "
            "can be used.",
            also=("ResourceUnavailable.BlueprintUnavailable",),
        )
    misfit = blueprint_fit(bundle_record, blueprint_record)
    if misfit:
        raise ctx.fail(
            "InvalidParameterValue.BundleAndBlueprintNotMatch",
            misfit,
            also=(
                "InvalidParameter.BundleAndBlueprintNotMatch",
                "InvalidParameterValue.BundleNotSupportBlueprintPlatform",
            ),
        )
    platform = str(blueprint_record.get("PlatformType", LINUX))
    key_ids = _check_login(ctx, params.get("LoginConfiguration"), platform)
    containers = _check_containers(
        ctx, params, blueprint_record, "InvalidParameterValue.InvalidParameterCombination"
    )
    wanted_zones = list(params.get("Zones") or [])
    template_id = params.get("FirewallTemplateId")
    rules = None
    if template_id:
        template = lookup_template(ctx, template_id, "FirewallTemplateId")
        rules = [entry["FirewallRuleInfo"] for entry in template["_rules"]]
    bundle_type = str(bundle_record.get("BundleType", "GENERAL_BUNDLE"))
    quotas.require(
        ctx, f"{bundle_type}_INSTANCE", count, "LimitExceeded.InstanceQuotaLimitExceeded"
    )
    return _Purchase(
        count=count,
        name=name,
        period=period,
        renew_flag=charge.get("RenewFlag") or "NOTIFY_AND_MANUAL_RENEW",
        bundle=bundle_record,
        blueprint=blueprint_record,
        key_ids=key_ids,
        containers=containers,
        zones=_check_zones(ctx, wanted_zones),
        round_robin=bool(wanted_zones),
        firewall_rules=rules,
    )


@family.handler("CreateInstances")
def create_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Create ``InstanceCount`` instances (PENDING, then RUNNING after the delay).

    The same ``ClientToken`` answers the same ``InstanceIdSet`` without creating again;
    ``DryRun`` runs every check and answers ``DryRunOperation`` when all pass.
    """
    token = params.get("ClientToken")
    check_length(
        ctx, token, "ClientToken", MAX_CLIENT_TOKEN, "InvalidParameterValue.ClientTokenTooLong"
    )
    tokens = ctx.state.table("client_tokens")
    if token and not params.get("DryRun") and token in tokens:
        return {"InstanceIdSet": list(tokens[token]["InstanceIdSet"])}
    plan = _check_purchase(ctx, params)
    if params.get("DryRun"):
        raise err(
            "DryRunOperation", "DryRun: the request would have succeeded; no instance was created."
        )
    ids: list[str] = []
    for index in range(plan.count):
        zone = (
            plan.zones[index % len(plan.zones)]
            if plan.round_robin
            else plan.zones[ctx.rng.randrange(len(plan.zones))]
        )
        record = new_instance(
            ctx,
            bundle_record=plan.bundle,
            blueprint_record=plan.blueprint,
            name=plan.name if plan.count == 1 else f"{plan.name}-{index + 1}",
            zone=zone,
            period=plan.period,
            renew_flag=plan.renew_flag,
            key_ids=plan.key_ids,
            tags=params.get("Tags") or [],
        )
        if params.get("InitCommand"):
            record["InitInvocationId"] = ctx.new_id("inv")
        iid = record["InstanceId"]
        instances(ctx)[iid] = record
        begin_operation(ctx, record, transient=None, final={"InstanceState": "RUNNING"})
        firewall.init_firewall(ctx, iid, plan.firewall_rules)
        for key_id in plan.key_ids:
            keypairs.bind(ctx, key_id, iid)
        if plan.containers:
            docker.run_containers(ctx, iid, plan.containers)
        ids.append(iid)
    if token:
        tokens[token] = {"InstanceIdSet": ids, "CreatedTime": ctx.iso()}
    return {"InstanceIdSet": ids}


# -- DescribeInstances --------------------------------------------------------------------


INSTANCE_FILTERS = {
    "instance-name": lambda r: [r["InstanceName"]],
    "private-ip-address": lambda r: r.get("PrivateAddresses") or [],
    "public-ip-address": lambda r: r.get("PublicAddresses") or [],
    "zone": lambda r: [r["Zone"]],
    "instance-state": lambda r: [r["InstanceState"]],
    "bundle-id": lambda r: [r["BundleId"]],
    **TAG_FILTERS,
}


def _default_order(rows: list[Record]) -> list[Record]:
    """SHUTDOWN ("待回收") instances first, then newest first, as the docs describe."""
    by_created = sorted(rows, key=lambda r: (r["CreatedTime"], r["InstanceId"]), reverse=True)
    return sorted(by_created, key=lambda r: r["InstanceState"] != "SHUTDOWN")


@family.handler("DescribeInstances")
def describe_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Order") and not params.get("OrderField"):
        raise ctx.fail(
            "MissingParameter.OrderFieldRequired",
            "`Order` was given without `OrderField`; set OrderField=EXPIRED_TIME.",
        )
    visible = [r for r in instances(ctx).values() if r["InstanceState"] != "DELETING"]
    rows = select(
        ctx,
        params,
        visible,
        ids_param="InstanceIds",
        id_key="InstanceId",
        pattern=INSTANCE_ID,
        malformed=INSTANCE_ID_MALFORMED,
        accessors=INSTANCE_FILTERS,
        tag_prefix=True,
    )
    if params.get("OrderField") == "EXPIRED_TIME":
        rows.sort(
            key=lambda r: (r["ExpiredTime"] or "", r["InstanceId"]),
            reverse=params.get("Order") == "DESC",
        )
    else:
        rows = _default_order(rows)
    return {"TotalCount": len(rows), "InstanceSet": [public(r) for r in page(ctx, rows, params)]}


# -- power actions ------------------------------------------------------------------------


def _power(ctx: Ctx, params: dict[str, Any], transient: str, final: str) -> dict[str, Any]:
    """Start, stop or reboot. ``StopType`` (Stop/Reboot, default SOFT_FIRST): SOFT asks the
    guest OS to shut down, HARD cuts the power, SOFT_FIRST asks and then cuts the power if
    the OS does not answer. An instance whose guest OS does not answer (``_os_hung``, a
    test hook) fails a SOFT stop, keeping its state, and takes twice the time under
    SOFT_FIRST (the wait for the soft attempt, then the hard one)."""
    stop_type = params.get("StopType", "SOFT_FIRST")
    for record in require_many(ctx, params["InstanceIds"]):
        hung = bool(record.get("_os_hung")) and ctx.action != "StartInstances"
        begin_operation(
            ctx,
            record,
            transient=transient,
            final={"InstanceState": final},
            fail=hung and stop_type == "SOFT",
            after=2 * ctx.delay if hung and stop_type == "SOFT_FIRST" else None,
        )
    return {}


@family.handler("StartInstances")
def start_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return _power(ctx, params, "STARTING", "RUNNING")


@family.handler("StopInstances")
def stop_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return _power(ctx, params, "STOPPING", "STOPPED")


@family.handler("RebootInstances")
def reboot_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return _power(ctx, params, "REBOOTING", "RUNNING")


# -- reinstall and password ---------------------------------------------------------------


@family.handler("ResetInstance")
def reset_instance(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Reinstall: RUNNING/STOPPED -> STOPPING -> STARTING -> RUNNING with the (new)
    blueprint's OS.

    The documented InstanceState values have no reinstall state: the instance shows the
    documented transitional states of what happens (shut down, then boot the new system
    disk), and ``LatestOperation=ResetInstance`` tells a waiter it is a reinstall.
    """
    record = lookup(ctx, params["InstanceId"])
    require(ctx, [record])
    target = lookup_blueprint(ctx, params.get("BlueprintId") or record["BlueprintId"])
    if target.get("BlueprintState", "NORMAL") != "NORMAL":
        raise ctx.fail(
            "ResourceUnavailable.BlueprintUnavailable",
            f"The blueprint `{target['BlueprintId']}` is "
            f"{target.get('BlueprintState')}; only NORMAL blueprints can be used.",
        )
    if target.get("PlatformType") != record["PlatformType"] and not is_mainland(ctx.region):
        raise ctx.fail(
            "InvalidParameterValue.NotAllowToChangePlatformType",
            f"Instances outside the Chinese mainland cannot switch between "
            f"LINUX_UNIX and WINDOWS ({record['PlatformType']} -> "
            f"{target.get('PlatformType')}).",
            also=("InvalidParameterValue.BlueprintId",),
        )
    bundle_record = bundle(ctx, record["BundleId"]) or {
        "BundleId": record["BundleId"],
        "Memory": record["Memory"],
        "SystemDiskSize": record["SystemDisk"]["DiskSize"],
    }
    misfit = blueprint_fit(bundle_record, target)
    if misfit:
        raise ctx.fail("InvalidParameterValue.BlueprintConfigNotMatch", misfit)
    platform = str(target.get("PlatformType", LINUX))
    key_ids = _check_login(ctx, params.get("LoginConfiguration"), platform)
    containers = _check_containers(
        ctx, params, target, "UnsupportedOperation.BlueprintTypeNotSupportOperation"
    )
    os_fields = {"BlueprintId": target["BlueprintId"]}
    probe: Record = {}
    apply_blueprint(probe, target)
    os_fields.update(probe)
    for key_id in list(record["LoginSettings"].get("KeyIds") or []):
        keypairs.unbind(ctx, key_id, record["InstanceId"])
    for key_id in key_ids:
        keypairs.bind(ctx, key_id, record["InstanceId"])
    # The reinstalled system disk starts without containers, then runs the given ones.
    docker.replace_containers(ctx, record["InstanceId"], containers)
    # Booting the new system disk, half way (scheduled first: with no delay it must
    # not land after the end).
    ctx.schedule(
        "instances", record["InstanceId"], set={"InstanceState": "STARTING"}, after=ctx.delay / 2
    )
    begin_operation(
        ctx,
        record,
        transient="STOPPING",
        final={"InstanceState": "RUNNING", **os_fields, "LoginSettings": {"KeyIds": key_ids}},
    )
    return {}


@family.handler("ResetInstancesPassword")
def reset_instances_password(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """A running instance is shut down for the change (docs) and comes back RUNNING."""
    records = require_many(ctx, params["InstanceIds"])
    user = params.get("UserName")
    if user is not None and len(user) > 64:
        raise ctx.fail(
            "InvalidParameterValue.OutOfRange",
            f"`UserName` has {len(user)} characters; at most 64.",
        )
    strictest = WINDOWS if any(r["PlatformType"] == WINDOWS for r in records) else LINUX
    problem = password_problem(str(params["Password"]), strictest)
    if problem:
        raise ctx.fail(
            "InvalidParameterValue.InvalidPassword", f"`Password` is not accepted: {problem}."
        )
    for record in records:
        previous = record["InstanceState"]
        transient = "STOPPING" if previous == "RUNNING" else None
        begin_operation(ctx, record, transient=transient, final={"InstanceState": previous})
    return {}


# -- attributes, renewal, bundle ----------------------------------------------------------


@family.handler("ModifyInstancesAttribute")
def modify_instances_attribute(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("InstanceName")
    check_length(ctx, name, "InstanceName", MAX_NAME, NAME_TOO_LONG)
    records = require_many(ctx, params["InstanceIds"])
    if name is not None:
        for record in records:
            record["InstanceName"] = name
    return {}


@family.handler("ModifyInstancesRenewFlag")
def modify_instances_renew_flag(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    flag = params["RenewFlag"]
    if flag not in RENEW_FLAGS:
        raise ctx.fail(
            "InvalidParameterValue",
            f"`RenewFlag` is `{flag}`; expected one of {', '.join(RENEW_FLAGS)}.",
        )
    for record in require_many(ctx, params["InstanceIds"]):
        record["RenewFlag"] = flag
    return {}


@family.handler("RenewInstances")
def renew_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Extend ExpiredTime by the period; a SHUTDOWN (isolated) instance comes back STOPPED."""
    charge = params["InstanceChargePrepaid"]
    period = int(charge["Period"])
    prices.check_period(ctx, period, renew=True, field="InstanceChargePrepaid.Period")
    for record in require_many(ctx, params["InstanceIds"]):
        base = max(parse_iso(record["ExpiredTime"]), ctx.now())
        final: dict[str, Any] = {"ExpiredTime": ctx.iso(add_months(base, period))}
        if charge.get("RenewFlag"):
            final["RenewFlag"] = charge["RenewFlag"]
        if record["InstanceState"] == "SHUTDOWN":
            final.update(InstanceState="STOPPED", IsolatedTime=None)
        begin_operation(ctx, record, transient=None, final=final)
    return {}


@family.handler("ModifyInstancesBundle")
def modify_instances_bundle(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    records = require_many(ctx, params["InstanceIds"], maximum=30)
    target = bundle(ctx, params["BundleId"])
    if target is None:
        raise ctx.fail(
            "InvalidParameter.BundleIdNotFound",
            f"The bundle `{params['BundleId']}` does not exist in {ctx.region}.",
        )
    for record in records:
        problem = bundle_change_problem(ctx, record, target)
        if problem:
            raise ctx.fail(
                "InvalidParameterValue.NotSupportModifyInstanceBundleType",
                f"Instance `{record['InstanceId']}`: {problem}",
                also=("OperationDenied.BundleNotSupportModify",),
            )
    for record in records:
        resized: Record = {"SystemDisk": dict(record["SystemDisk"])}
        apply_bundle(resized, target)
        begin_operation(ctx, record, transient=None, final=resized)
    return {}


# -- isolate and terminate ----------------------------------------------------------------

MAX_ISOLATE_RESOURCES = 20


@family.handler("IsolateInstances")
def isolate_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """RUNNING/STOPPED -> SHUTDOWN (returned, awaiting destruction), IsolatedTime set.

    Attached data disks are detached; with ``IsolateDataDisk`` (default true) they are
    returned too and count against the 20-resources-per-request limit.
    """
    records = require_many(ctx, params["InstanceIds"], maximum=MAX_ISOLATE_RESOURCES)
    with_disks = bool(params.get("IsolateDataDisk", True))
    total = len(records) + (
        sum(disk_model.attached_data_disk_count(ctx, r["InstanceId"]) for r in records)
        if with_disks
        else 0
    )
    if total > MAX_ISOLATE_RESOURCES:
        raise ctx.fail(
            "LimitExceeded.IsolateResourcesLimitExceeded",
            f"The request would return {total} resources (instances plus attached "
            f"data disks); at most {MAX_ISOLATE_RESOURCES} per request.",
        )
    for record in records:
        record["IsolatedTime"] = ctx.iso()
        begin_operation(ctx, record, transient="SHUTDOWN", final={"InstanceState": "SHUTDOWN"})
        disk_model.follow_instance_isolation(ctx, record["InstanceId"], return_disks=with_disks)
    return {}


@family.handler("TerminateInstances")
def terminate_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """SHUTDOWN -> TERMINATING -> gone; its firewall, key bindings and snapshots go too."""
    records = require_many(ctx, params["InstanceIds"])
    for record in records:
        iid = record["InstanceId"]
        begin_operation(ctx, record, transient="TERMINATING", final={})
        ctx.schedule("instances", iid, remove=True)
        for key_id in list(record["LoginSettings"].get("KeyIds") or []):
            keypairs.unbind(ctx, key_id, iid)
        firewall.drop_firewall(ctx, iid)
        snapshots = ctx.state.table("snapshots")
        for sid, snap in list(snapshots.items()):
            if snap.get("_instance_id") == iid:
                del snapshots[sid]
    return {}
