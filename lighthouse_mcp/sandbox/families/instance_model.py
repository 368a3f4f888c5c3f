"""The instance model: records in the documented ``Instance`` shape and their state rules.

Every family that touches an instance (lifecycle actions, firewall, key pairs, snapshots,
blueprints) goes through :func:`lookup` / :func:`require` so the same instance in the
same state answers every action with the same documented code, and through
:func:`begin_operation` so ``LatestOperation``/``LatestOperationState``/
``LatestOperationRequestId``/``LatestOperationStartedTime`` follow the docs: set to
``OPERATING`` when the request is accepted, ``SUCCESS`` (or ``FAILED``) once the delayed
transition lands. :data:`RULES` is the single table of "which states allow which action";
``DescribeInstancesDeniedActions`` reads the same table, so it never disagrees with the
actions themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lighthouse_mcp import catalog

from ..engine import seed
from ..engine.context import Ctx
from ..engine.errors import first_documented
from ..engine.listing import check_ids, id_pattern, lookup_id
from ..engine.periods import add_months
from ..engine.state import Record

INSTANCE_ID = id_pattern("lhins")
BLUEPRINT_ID = id_pattern("lhbp")
KEY_ID = id_pattern("lhkp")
FIREWALL_TEMPLATE_ID = id_pattern("lhft")

INSTANCE_ID_MALFORMED = "InvalidParameterValue.InstanceIdMalformed"
BLUEPRINT_ID_MALFORMED = "InvalidParameterValue.BlueprintIdMalformed"
BLUEPRINT_NOT_FOUND = (
    "ResourceNotFound.BlueprintIdNotFound",
    "ResourceNotFound.BlueprintNotFound",
    "InvalidParameterValue.InvalidBlueprintId",
    "ResourceNotFound",
)
INSTANCE_NOT_FOUND = ("ResourceNotFound.InstanceIdNotFound", "ResourceNotFound.InstanceNotFound")

#: An instance in one of these states is gone for every purpose but Describe.
GONE_STATES = frozenset({"TERMINATING", "DELETING"})
WINDOWS = "WINDOWS"
LINUX = "LINUX_UNIX"


def is_mainland(region: str) -> bool:
    """Whether ``region`` is in the Chinese mainland (platform switches on reinstall and
    blueprint syncs are restricted across that border, per ResetInstance/SyncBlueprint)."""
    return any(r["Region"] == region and r["IsChinaMainland"] for r in seed.regions())


@dataclass(frozen=True)
class Rule:
    """When an action may run on an instance.

    ``states``: the documented source states. ``idle``: the instance must have no
    operation in progress (``LatestOperationState`` not ``OPERATING``). ``linux_only``:
    key-pair actions refuse Windows instances.
    """

    states: frozenset[str]
    idle: bool = True
    linux_only: bool = False


def _rule(*states: str, idle: bool = True, linux_only: bool = False) -> Rule:
    return Rule(frozenset(states), idle, linux_only)


_ALIVE = ("RUNNING", "STOPPED", "STARTING", "STOPPING", "REBOOTING", "SHUTDOWN")

#: Action -> rule. Source states are quoted from each action's 接口描述.
RULES: dict[str, Rule] = {
    "StartInstances": _rule("STOPPED"),
    "StopInstances": _rule("RUNNING"),
    "RebootInstances": _rule("RUNNING"),
    "ResetInstance": _rule("RUNNING", "STOPPED"),
    "ResetInstancesPassword": _rule("RUNNING", "STOPPED"),
    "ModifyInstancesBundle": _rule("RUNNING", "STOPPED"),
    "IsolateInstances": _rule("RUNNING", "STOPPED"),
    "TerminateInstances": _rule("SHUTDOWN"),
    "RenewInstances": _rule("RUNNING", "STOPPED", "SHUTDOWN"),
    "ModifyInstancesAttribute": _rule(*_ALIVE, idle=False),
    "ModifyInstancesRenewFlag": _rule(*_ALIVE, idle=False),
    "DescribeInstanceVncUrl": _rule("RUNNING", "RESCUE_MODE"),
    "AssociateInstancesKeyPairs": _rule("RUNNING", "STOPPED", linux_only=True),
    "DisassociateInstancesKeyPairs": _rule("RUNNING", "STOPPED", linux_only=True),
    "CreateInstanceSnapshot": _rule("RUNNING", "STOPPED"),
    "ApplyInstanceSnapshot": _rule("RUNNING", "STOPPED"),
    "CreateBlueprint": _rule("RUNNING", "STOPPED"),
}

#: The actions DescribeInstancesDeniedActions reports on, in a stable order.
DENIABLE_ACTIONS = tuple(RULES)


def documented_code(action: str, candidates: Sequence[str]) -> str:
    """The first of ``candidates`` that ``action`` documents (else the first)."""
    try:
        codes = [e["code"] for e in catalog.action(action)["errors"]]
    except (KeyError, FileNotFoundError):
        codes = []
    return first_documented(candidates, codes, candidates[0])


def denial(record: Record, action: str) -> tuple[tuple[str, ...], str] | None:
    """Why ``action`` may not run on ``record`` now: (candidate codes, message), or None."""
    rule = RULES[action]
    iid = record["InstanceId"]
    state = record["InstanceState"]
    if state == "PENDING":
        return (
            ("OperationDenied.InstanceCreating", "UnsupportedOperation.InvalidInstanceState"),
            f"The instance `{iid}` is still being created (PENDING); wait until it is RUNNING.",
        )
    if rule.idle and record.get("LatestOperationState") == "OPERATING":
        return (
            (
                "OperationDenied.InstanceOperationInProgress",
                "UnsupportedOperation.LatestOperationUnfinished",
            ),
            f"The instance `{iid}` has an operation in progress "
            f"({record.get('LatestOperation')}); retry when LatestOperationState is SUCCESS.",
        )
    if state not in rule.states:
        allowed = " or ".join(sorted(rule.states))
        return (
            ("UnsupportedOperation.InvalidInstanceState",),
            f"The instance `{iid}` is {state}; {action} requires it to be {allowed}.",
        )
    if rule.linux_only and record.get("PlatformType") == WINDOWS:
        return (
            (
                "UnsupportedOperation.WindowsNotAllowToAssociateKeyPair",
                "UnsupportedOperation.WindowsNotSupportKeyPair",
                "UnsupportedOperation.InvalidInstanceState",
            ),
            f"The instance `{iid}` runs Windows; key pairs are supported on LINUX_UNIX only.",
        )
    return None


def instances(ctx: Ctx) -> dict[str, Record]:
    return ctx.state.table("instances")


def lookup(ctx: Ctx, iid: str, field: str = "InstanceId") -> Record:
    """The instance ``iid`` (format, then existence checked with the documented codes).

    A TERMINATING instance is still found (its actions then answer with its state); a
    DELETING one is not.
    """
    live = {k: r for k, r in instances(ctx).items() if r["InstanceState"] != "DELETING"}
    return lookup_id(
        ctx,
        live,
        iid,
        field=field,
        pattern=INSTANCE_ID,
        malformed=INSTANCE_ID_MALFORMED,
        not_found=INSTANCE_NOT_FOUND,
        kind="instance",
    )


def lookup_many(
    ctx: Ctx, ids: Sequence[str], field: str = "InstanceIds", maximum: int = 100
) -> list[Record]:
    """Batch form of :func:`lookup`: the whole batch is checked before anything changes."""
    check_ids(ctx, ids, field, INSTANCE_ID, INSTANCE_ID_MALFORMED, maximum=maximum)
    return [lookup(ctx, iid, field) for iid in ids]


def require(ctx: Ctx, records: Iterable[Record], action: str | None = None) -> None:
    """Raise the documented error if ``action`` (default: this request's) may not run."""
    name = action or ctx.action
    for record in records:
        found = denial(record, name)
        if found is not None:
            codes, message = found
            raise ctx.fail(codes[0], message, also=codes[1:])


def require_many(
    ctx: Ctx, ids: Sequence[str], field: str = "InstanceIds", maximum: int = 100
) -> list[Record]:
    """Look up and state-check a batch of instances for this request's action."""
    records = lookup_many(ctx, ids, field, maximum)
    require(ctx, records)
    return records


def begin_operation(
    ctx: Ctx,
    record: Record,
    *,
    transient: str | None,
    final: Mapping[str, Any],
    operation: str | None = None,
    after: float | None = None,
    fail: bool = False,
) -> None:
    """Start ``operation`` on ``record`` now and let it complete after the sandbox delay.

    The record shows ``transient`` (if any) and ``LatestOperationState=OPERATING`` until
    the scheduled transition merges ``final`` with ``LatestOperationState=SUCCESS``.
    An instance whose ``_fail_operations`` lists the operation (a test fault hook) ends
    with ``FAILED`` and its previous state instead; so does ``fail=True``.
    """
    op = operation or ctx.action
    previous = record["InstanceState"]
    record.update(
        LatestOperation=op,
        LatestOperationState="OPERATING",
        LatestOperationRequestId=ctx.request_id,
        LatestOperationStartedTime=ctx.iso(),
    )
    if transient is not None:
        record["InstanceState"] = transient
    if fail or op in (record.get("_fail_operations") or []):
        outcome: dict[str, Any] = {"InstanceState": previous, "LatestOperationState": "FAILED"}
    else:
        outcome = {**final, "LatestOperationState": "SUCCESS"}
    ctx.schedule("instances", record["InstanceId"], set=outcome, after=after)


# -- seed data: bundles and zones are the static catalogue, blueprints a table -----------


def bundle(ctx: Ctx, bundle_id: str) -> Record | None:
    return seed.bundle(bundle_id)


def bundle_change_problem(ctx: Ctx, record: Record, target: Record) -> str | None:
    """Why ``record`` cannot move to bundle ``target`` (upgrade-only, same type), or None."""
    current = bundle(ctx, record["BundleId"]) or {}
    if target["BundleId"] == record["BundleId"]:
        return f"The instance already uses the bundle `{target['BundleId']}`."
    if current and target.get("BundleType") != current.get("BundleType"):
        return (
            f"The bundle `{target['BundleId']}` is {target.get('BundleType')}; the instance "
            f"can only change within {current.get('BundleType')}."
        )
    if int(target.get("SystemDiskSize") or 0) < int(record["SystemDisk"]["DiskSize"]):
        return (
            f"The bundle `{target['BundleId']}` has a smaller system disk "
            f"({target.get('SystemDiskSize')} GB) than the instance "
            f"({record['SystemDisk']['DiskSize']} GB); disks cannot shrink."
        )
    platform = record.get("PlatformType")
    if (platform == WINDOWS and not target.get("SupportWindowsPlatform", True)) or (
        platform == LINUX and not target.get("SupportLinuxUnixPlatform", True)
    ):
        return f"The bundle `{target['BundleId']}` does not support {platform} instances."
    return None


def all_bundles(ctx: Ctx) -> list[Record]:
    return seed.bundles()


def blueprint(ctx: Ctx, blueprint_id: str) -> Record | None:
    return ctx.state.table("blueprints").get(blueprint_id)


def zones(ctx: Ctx) -> list[str]:
    return [z["Zone"] for z in seed.zones(ctx.region)]


def lookup_blueprint(
    ctx: Ctx,
    blueprint_id: str,
    field: str = "BlueprintId",
    not_found: Sequence[str] = BLUEPRINT_NOT_FOUND,
) -> Record:
    """A blueprint visible to this account in this region, with the documented codes."""
    listed = {k: r for k, r in ctx.state.table("blueprints").items() if not r.get("_making")}
    return lookup_id(
        ctx,
        listed,
        blueprint_id,
        field=field,
        pattern=BLUEPRINT_ID,
        malformed=BLUEPRINT_ID_MALFORMED,
        not_found=not_found,
        kind="blueprint",
    )


def blueprint_fit(bundle_record: Record, blueprint_record: Record) -> str | None:
    """Why ``blueprint_record`` cannot run on ``bundle_record``, or None if it can."""
    platform = blueprint_record.get("PlatformType")
    if platform == WINDOWS and not bundle_record.get("SupportWindowsPlatform", True):
        return f"The bundle `{bundle_record['BundleId']}` does not support WINDOWS blueprints."
    if platform == LINUX and not bundle_record.get("SupportLinuxUnixPlatform", True):
        return f"The bundle `{bundle_record['BundleId']}` does not support LINUX_UNIX blueprints."
    need_disk = int(blueprint_record.get("RequiredSystemDiskSize") or 0)
    if need_disk > int(bundle_record.get("SystemDiskSize") or 0):
        return (
            f"The blueprint `{blueprint_record['BlueprintId']}` needs a {need_disk} GB system "
            f"disk; the bundle `{bundle_record['BundleId']}` has "
            f"{bundle_record.get('SystemDiskSize')} GB."
        )
    need_memory = int(blueprint_record.get("RequiredMemorySize") or 0)
    if need_memory > int(bundle_record.get("Memory") or 0):
        return (
            f"The blueprint `{blueprint_record['BlueprintId']}` needs {need_memory} GB of "
            f"memory; the bundle `{bundle_record['BundleId']}` has "
            f"{bundle_record.get('Memory')} GB."
        )
    return None


# -- building records ---------------------------------------------------------------------


def apply_blueprint(record: Record, blueprint_record: Record) -> None:
    """Copy the OS identity of ``blueprint_record`` into an instance record."""
    record.update(
        BlueprintId=blueprint_record["BlueprintId"],
        PlatformType=blueprint_record.get("PlatformType", LINUX),
        Platform=blueprint_record.get("Platform", ""),
        OsName=blueprint_record.get("OsName", ""),
    )


def apply_bundle(record: Record, bundle_record: Record) -> None:
    """Copy the sizes of ``bundle_record`` into an instance record (CPU, memory, disk, net)."""
    record.update(
        BundleId=bundle_record["BundleId"],
        CPU=bundle_record.get("CPU", 1),
        Memory=bundle_record.get("Memory", 1),
    )
    disk = dict(record.get("SystemDisk") or {})
    disk.update(
        DiskType=bundle_record.get("SystemDiskType", "CLOUD_SSD"),
        DiskSize=bundle_record.get("SystemDiskSize", 40),
    )
    record["SystemDisk"] = disk
    record["InternetAccessible"] = {
        "InternetChargeType": bundle_record.get("InternetChargeType", "TRAFFIC_POSTPAID_BY_HOUR"),
        "InternetMaxBandwidthOut": bundle_record.get("InternetMaxBandwidthOut", 3),
        "PublicIpAssigned": True,
    }


def new_instance(
    ctx: Ctx,
    *,
    bundle_record: Record,
    blueprint_record: Record,
    name: str,
    zone: str,
    period: int,
    renew_flag: str,
    key_ids: Sequence[str],
    tags: Sequence[Mapping[str, str]],
) -> Record:
    """A fresh ``Instance`` record in PENDING (built by the seed helper, so created
    and seeded instances look alike), expiring ``period`` calendar months from now."""
    now = ctx.now()
    record = seed.instance_record(
        ctx.new_id("lhins"),
        bundle_id=bundle_record["BundleId"],
        blueprint=blueprint_record,
        zone=zone,
        name=name,
        now=now,
        rng=ctx.rng,
        disk_id=ctx.new_id("lhdisk"),
        state="PENDING",
        period_months=period,
        renew_flag=renew_flag,
        key_ids=list(key_ids),
        tags=[{"Key": t["Key"], "Value": t["Value"]} for t in tags],
        request_id=ctx.request_id,
        operation="CreateInstances",
    )
    record["ExpiredTime"] = ctx.iso(add_months(now, period))
    return record


# -- passwords ----------------------------------------------------------------------------

_SPECIALS = set("()`~!@#$%^&*-+=_|{}[]:;' <>,.?/")


def password_problem(password: str, platform: str) -> str | None:
    """What the documented complexity rules reject about ``password`` (never echoing it).

    LINUX_UNIX: 8-30 characters; WINDOWS: 12-30; never starting with ``/``; at least
    three of lower case, upper case, digits and the documented special characters.
    """
    low = 12 if platform == WINDOWS else 8
    if not low <= len(password) <= 30:
        return f"the password must be {low}-30 characters long for {platform} instances"
    if password.startswith("/"):
        return "the password must not start with `/`"
    if any(not (c.isascii() and (c.isalnum() or c in _SPECIALS)) for c in password):
        return "the password may contain only letters, digits and ()`~!@#$%^&*-+=_|{}[]:;' <>,.?/"
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in _SPECIALS for c in password),
        )
    )
    if classes < 3:
        return (
            "the password must mix at least three of: lower case, upper case, digits, "
            "special characters"
        )
    return None
