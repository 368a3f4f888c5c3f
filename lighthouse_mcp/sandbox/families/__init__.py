"""The resource families: one module per family of actions, joined here into one registry.

How to write a family module
============================

A family module (``families/instances.py``, ``families/disks.py``, ...) makes one
:class:`~lighthouse_mcp.sandbox.engine.registry.Family` and registers one function per
action with ``@family.handler``. A handler receives a
:class:`~lighthouse_mcp.sandbox.engine.context.Ctx` and the request parameters (already
checked against the catalog: required present, types and enums right, no unknown names)
and returns the ``Response`` body *without* ``RequestId``. It raises
:class:`~lighthouse_mcp.sandbox.engine.errors.SandboxError` (via ``err`` or ``ctx.fail``)
for documented errors. Records live in ``ctx.state.table(kind)``, keyed by resource id,
stored in the documented output structure (e.g. ``Instance``) plus internal fields whose
names start with ``_`` (stripped by :func:`~lighthouse_mcp.sandbox.engine.state.public`)::

    from typing import Any

    from ..engine.context import Ctx
    from ..engine.registry import Family
    from ..engine.state import public

    family = Family("instances")

    @family.handler("StopInstances")
    def stop_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        table = ctx.state.table("instances")
        for iid in params["InstanceIds"]:
            if iid not in table:
                raise ctx.fail("ResourceNotFound.InstanceIdNotFound",
                               f"The instance `{iid}` does not exist.",
                               also=("ResourceNotFound.InstanceNotFound",))
        for iid in params["InstanceIds"]:
            table[iid].update(InstanceState="STOPPING", LatestOperation="StopInstances",
                              LatestOperationState="OPERATING",
                              LatestOperationRequestId=ctx.request_id)
            ctx.schedule("instances", iid, set={"InstanceState": "STOPPED",
                                                "LatestOperationState": "SUCCESS"})
        return {}

    @family.handler("DescribeInstances")
    def describe(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rows = [public(r) for r in ctx.state.table("instances").values()]
        return {"TotalCount": len(rows), "InstanceSet": rows}

Then import the module below and add its ``family`` to :data:`FAMILIES`; an action no
family handles answers with its documented example (``engine/fallback.py``). Notes:

* ``Family(name, coverage="seed")`` when the handlers read no account state (regions,
  bundles); ``@family.handler(action, coverage="seed")`` for one action. COVERAGE.md
  shows it (``scripts/sandbox_coverage.py`` regenerates the file; a test compares).
* ``ctx.schedule(kind, id, set={...}, after=s)`` queues a transition; ``after`` defaults
  to ``ctx.delay``; ``remove=True`` deletes the record instead (e.g. a terminated
  instance disappearing). Due transitions are applied before every request, in time order.
* ``ctx.new_id("lhins")`` gives ``lhins-`` + 8 lowercase alphanumerics, unique in the account.
* ``ctx.world.region(name)`` reaches another region (SyncBlueprint); ``ctx.world.regions``
  lists the regions that have state.
* ``ctx.now()`` is the sandbox clock (injectable in tests); ``ctx.rng`` is seeded.
* ``ctx.iso(t)`` formats a timestamp the way the API does (``2020-09-22T00:00:00Z``).
* Tables hold only JSON types (str, int, float, bool, None, list, dict).
* Describe plumbing (paging, Filters, id lookups with their documented codes) is in
  ``engine/listing.py``; the static catalogue (bundles, zones, blueprints, prices) in
  ``engine/seed.py``; quota arithmetic in ``quotas.py``; price quotes in ``prices.py``.
  Modules named ``*_model.py`` hold a family's records and rules without handlers, for
  the families that share them; ``hosts.py`` is what storage families read of instances.
"""

from __future__ import annotations

from ..engine.registry import Family, Registry
from . import (
    blueprint_queries,
    blueprints,
    bundles,
    ccn,
    disk_backups,
    disks,
    docker,
    firewall,
    firewall_templates,
    image_sharing,
    instance_queries,
    instances,
    keypairs,
    mcp_servers,
    prices,
    quotas,
    regions,
    scenes,
    snapshots,
)

#: Every family the sandbox answers with, static catalogue first.
FAMILIES: tuple[Family, ...] = (
    regions.family,
    bundles.family,
    scenes.family,
    quotas.family,
    prices.family,
    instances.family,
    instance_queries.family,
    firewall.family,
    firewall_templates.family,
    keypairs.family,
    snapshots.family,
    blueprints.family,
    disks.family,
    disk_backups.family,
    docker.family,
    ccn.family,
    mcp_servers.family,
    blueprint_queries.family,
    image_sharing.family,
)


def registry() -> Registry:
    """A registry of every family's handlers (raises if two families claim one action)."""
    return Registry(FAMILIES)
