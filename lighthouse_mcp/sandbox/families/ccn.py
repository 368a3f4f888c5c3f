"""The 云联网 (Cloud Connect Network) family: linking a region's Lighthouse network to a CCN.

Lighthouse attaches the whole private network of a region (all its instances) to one CCN
at a time, so table ``ccn`` holds at most one live ``CcnAttachedInstance`` record per
account and region, keyed by CcnId. Its life::

    AttachCcn       ATTACHING → ACTIVE          (the CCN owner accepts; same account here)
    DetachCcn       DETACHING → gone
    ResetAttachCcn  EXPIRED / REJECTED / FAILED → ATTACHING → ACTIVE  (re-apply)

Attaching needs at least one instance in the region
(``UnsupportedOperation.AttachCcnConditionUnsatisfied``); a second attach while one exists
is ``UnsupportedOperation.CcnAlreadyAttached``; detaching or re-applying an id that is not
attached is ``UnsupportedOperation.CcnNotAttached``.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import Ctx
from ..engine.periods import format_local
from ..engine.registry import Family
from ..engine.state import Record, public
from .hosts import INSTANCES

family = Family("ccn")

CCN = "ccn"
#: States a re-application (ResetAttachCcn) starts from.
RESETTABLE = frozenset({"EXPIRED", "REJECTED", "FAILED"})
#: States in which a detach is refused because another change is in flight.
_CHANGING = frozenset({"ATTACHING", "DETACHING"})
_GONE_INSTANCES = frozenset({"SHUTDOWN", "TERMINATING", "DELETING", "LAUNCH_FAILED"})
DESCRIPTION = "Lighthouse attach ccn instance"


def _cidr_blocks(ctx: Ctx) -> list[str]:
    """The /16 networks the region's instances live in (what the CCN learns routes for)."""
    blocks = set()
    for instance in ctx.state.table(INSTANCES).values():
        for address in instance.get("PrivateAddresses") or ():
            a, b, *_ = str(address).split(".")
            blocks.add(f"{a}.{b}.0.0/16")
    return sorted(blocks) or ["10.0.0.0/16"]


def _attached(ctx: Ctx, ccn_id: str) -> Record:
    record = ctx.state.table(CCN).get(ccn_id)
    if record is None:
        attached = ", ".join(ctx.state.table(CCN)) or "none"
        raise ctx.fail(
            "UnsupportedOperation.CcnNotAttached",
            f"The CCN `{ccn_id}` is not attached in {ctx.region} (attached: {attached}).",
        )
    return record


def _apply(ctx: Ctx, record: Record) -> None:
    record.update(State="ATTACHING", AttachedTime=format_local(ctx.now()))
    ctx.schedule(CCN, str(record["CcnId"]), set={"State": "ACTIVE"})


@family.handler("AttachCcn")
def attach_ccn(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ccn_id = params["CcnId"]
    table = ctx.state.table(CCN)
    if table:
        current = next(iter(table.values()))
        raise ctx.fail(
            "UnsupportedOperation.CcnAlreadyAttached",
            f"{ctx.region} is already attached to CCN `{current['CcnId']}` "
            f"({current['State']}); detach it first.",
        )
    live = [
        i
        for i in ctx.state.table(INSTANCES).values()
        if i.get("InstanceState") not in _GONE_INSTANCES
    ]
    if not live:
        raise ctx.fail(
            "UnsupportedOperation.AttachCcnConditionUnsatisfied",
            f"{ctx.region} has no instances; create one before attaching a CCN.",
        )
    record = table[ccn_id] = {
        "CcnId": ccn_id,
        "CidrBlock": _cidr_blocks(ctx),
        "State": "ATTACHING",
        "AttachedTime": None,
        "Description": DESCRIPTION,
    }
    _apply(ctx, record)
    return {}


@family.handler("DetachCcn")
def detach_ccn(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = _attached(ctx, params["CcnId"])
    if record["State"] in _CHANGING:
        raise ctx.fail(
            "UnsupportedOperation.DetachCcnFailed",
            f"The CCN `{record['CcnId']}` is {record['State']}; retry when that finishes.",
            also=("UnsupportedOperation",),
        )
    record["State"] = "DETACHING"
    ctx.schedule(CCN, str(record["CcnId"]), remove=True)
    return {}


@family.handler("ResetAttachCcn")
def reset_attach_ccn(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = _attached(ctx, params["CcnId"])
    if record["State"] not in RESETTABLE:
        raise ctx.fail(
            "UnsupportedOperation.ResetAttachCcnFailed",
            f"The CCN `{record['CcnId']}` is {record['State']}; only an application that is "
            f"{', '.join(sorted(RESETTABLE))} can be re-applied.",
            also=("UnsupportedOperation",),
        )
    _apply(ctx, record)
    return {}


@family.handler("DescribeCcnAttachedInstances")
def describe_ccn_attached_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return {"CcnAttachedInstanceSet": [public(r) for r in ctx.state.table(CCN).values()]}
