"""The resource-kind table (tools/resources.json) as typed Python: one row per kind.

The table is data, as botocore keeps its waiters: per kind the Describe action that
reads it by ID, the arguments of other actions that name it, what a confirmation
preview shows of it and how ``wait_for`` observes it; per action the follow-up wait,
the arguments that are context only, and the InquirePrice action that quotes it.
Previews (tools/previews/), waits (tools/waits.py) and follow-ups
(tools/followups.py) read it from here. What the docs already say (a kind's states,
whether its records carry LatestOperation*, how many IDs one call takes) is read from
the catalog instead, so it cannot drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lighthouse_mcp import catalog

#: The target of a wait that is gone: the resource is no longer listed.
GONE = "GONE"
#: A follow-up that waits for LatestOperationState of the call's own RequestId.
OPERATION = "operation"


@dataclass(frozen=True)
class Wait:
    """How ``wait_for`` observes a kind: its state member, the states that mean failure,
    the states where the catalog keeps no enum, and what a record says beyond its state
    (a named detail function in tools/waits.py)."""

    state_field: str
    failed_states: frozenset[str] = frozenset()
    documented_states: tuple[str, ...] = ()
    detail: str | None = None


@dataclass(frozen=True)
class ResourceKind:
    """One kind of resource, looked up by ID through its Describe action."""

    name: str
    label: str
    describe: str
    ids_param: str
    set_field: str
    id_field: str
    #: other Describe parameters the lookup needs (e.g. InstanceId for containers)
    context: tuple[str, ...] = ()
    #: argument names of other actions that hold IDs of this kind
    id_arguments: tuple[str, ...] = ()
    #: the record's members a confirmation preview shows
    preview_fields: tuple[str, ...] = ()
    wait: Wait | None = None
    #: (Describe*DeniedActions action, its record set): which actions the API refuses now
    denied_actions: tuple[str, str] | None = None

    @property
    def states(self) -> tuple[str, ...]:
        """Every documented state, plus GONE (the resource is no longer listed)."""
        if self.wait is None:
            return (GONE,)
        enum = record_members(self.describe, self.set_field)[self.wait.state_field].get("enum")
        return (*(str(v) for v in enum or self.wait.documented_states), GONE)

    @property
    def has_latest_operation(self) -> bool:
        """Whether records carry LatestOperation / LatestOperationState / ...RequestId."""
        return "LatestOperationRequestId" in record_members(self.describe, self.set_field)

    @property
    def max_ids(self) -> int:
        """How many IDs one Describe call takes."""
        param = next(
            p for p in catalog.action(self.describe)["inputs"] if p["name"] == self.ids_param
        )
        return int(param.get("max_items") or 100)

    @property
    def takes_limit(self) -> bool:
        return any(p["name"] == "Limit" for p in catalog.action(self.describe)["inputs"])


@dataclass(frozen=True)
class FollowUp:
    """How to wait for one asynchronous action: the kind, where its IDs are (an input
    parameter, or a creation's output field), the target (a state, GONE, or
    :data:`OPERATION`) and the Describe parameters the wait needs too."""

    kind: str
    ids: str
    target: str
    context: tuple[str, ...] = ()


@cache
def record_members(describe: str, set_field: str) -> dict[str, catalog.Param]:
    """The members of the record structure that ``describe`` lists in ``set_field``."""
    output = next(p for p in catalog.action(describe)["outputs"] if p["name"] == set_field)
    return {m["name"]: m for m in catalog.structure(output["type"])["members"]}


def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("resources.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _kind(name: str, row: dict[str, Any]) -> ResourceKind:
    wait = row.get("wait")
    denied = row.get("denied_actions")
    return ResourceKind(
        name=name,
        label=row["label"],
        describe=row["describe"],
        ids_param=row["ids_param"],
        set_field=row["set_field"],
        id_field=row["id_field"],
        context=tuple(row.get("context", ())),
        id_arguments=tuple(row.get("id_arguments", ())),
        preview_fields=tuple(row.get("preview_fields", ())),
        denied_actions=None if denied is None else (denied["describe"], denied["set_field"]),
        wait=None
        if wait is None
        else Wait(
            state_field=wait["state_field"],
            failed_states=frozenset(wait.get("failed_states", ())),
            documented_states=tuple(wait.get("documented_states", ())),
            detail=wait.get("detail"),
        ),
    )


_DATA = _load()

#: Every kind, in table order.
KINDS: dict[str, ResourceKind] = {name: _kind(name, row) for name, row in _DATA["kinds"].items()}
#: Argument name -> the kind whose IDs it holds. Singular names hold one ID, plural a list.
ID_ARGUMENTS: dict[str, str] = {
    arg: kind.name for kind in KINDS.values() for arg in kind.id_arguments
}
#: Hand-kept follow-up waits (the rest is derived from the docs' async notes).
FOLLOW_UPS: dict[str, FollowUp] = {
    action: FollowUp(row["kind"], row["ids"], row["target"], tuple(row.get("context", ())))
    for action, row in _DATA["follow_ups"].items()
}
#: Action -> ID arguments that only locate its target (not shown as targets).
CONTEXT_ONLY: dict[str, frozenset[str]] = {
    action: frozenset(names) for action, names in _DATA["context_only"].items()
}
#: Billing action -> the InquirePrice action that quotes it (same argument names).
PRICE_QUOTES: dict[str, str] = dict(_DATA["price_quotes"])
