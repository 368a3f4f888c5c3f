"""Which wait observes each asynchronous action: the follow-up a result should name.

An asynchronous call returns while the work goes on, so its result must say so and
name the exact ``wait_for`` call that sees it finish. Most of that is read from the
docs: the catalog flags the actions whose docs say "异步接口" and
:func:`tools.descriptions.async_hint` parses which Describe* to poll and for what
(``LatestOperationState`` SUCCESS, or a state such as UNATTACHED). The resource-kind
table's follow-ups (tools/resources.json) add what those notes do not say in a
parseable way: creations whose new resources pass
through a documented transitional state (PENDING, CREATING, SYNCING), TerminateInstances
("the instance is no longer listed") and ApplyFirewallTemplate (its apply record's state).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.descriptions import async_hint
from lighthouse_mcp.tools.resource_kinds import FOLLOW_UPS, OPERATION, FollowUp
from lighthouse_mcp.tools.waits import KIND_BY_DESCRIBE, KINDS, context_arg

#: Output fields that carry the IDs a docker action's activities are listed by.
_DOCKER_IDS = ("DockerActivityId", "DockerActivitySet")


def _derived(action: str) -> FollowUp | None:
    """The recipe the docs' async note implies, or None when it names no known wait."""
    hint = async_hint(action)
    if hint is None or hint.poller not in KIND_BY_DESCRIBE:
        return None
    kind = KIND_BY_DESCRIBE[hint.poller]
    spec = KINDS[kind]
    act = catalog.action(action)
    inputs = {p["name"] for p in act["inputs"]}
    outputs = {p["name"] for p in act["outputs"]}
    if kind == "docker_activity":
        field = next((f for f in _DOCKER_IDS if f in outputs), None)
        return None if field is None else FollowUp(kind, field, "SUCCESS", spec.context)
    single = spec.ids_param.removesuffix("s")
    ids = spec.ids_param if spec.ids_param in inputs else single if single in inputs else None
    if ids is None:
        return None
    if hint.field == "LatestOperationState" and spec.has_latest_operation:
        return FollowUp(kind, ids, OPERATION)
    if hint.value in spec.states:
        return FollowUp(kind, ids, hint.value)
    return None


@cache
def recipe(action: str) -> FollowUp | None:
    """How to wait for ``action``, or None when it completes with the call."""
    return FOLLOW_UPS.get(action) or _derived(action)


def asynchronous_actions() -> list[str]:
    """Every action whose result names a wait."""
    return [a for a in catalog.action_names() if recipe(a) is not None]


def _ids(value: Any) -> list[str]:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def wait_arguments(
    action: str,
    arguments: Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    region: str | None = None,
) -> dict[str, Any] | None:
    """The ``wait_for`` arguments that observe this call's work, or None when the action is
    synchronous or the IDs cannot be found in the call or its result."""
    r = recipe(action)
    if r is None:
        return None
    ids = _ids(arguments.get(r.ids)) or _ids(response.get(r.ids))
    if not ids:
        return None
    out: dict[str, Any] = {"resource": r.kind, "ids": ids}
    if r.target == OPERATION:
        request_id = response.get("RequestId")
        if not isinstance(request_id, str) or not request_id:
            return None
        out["operation_request_id"] = request_id
    else:
        out["target_state"] = r.target
    for name in r.context:
        value = arguments.get(name)
        if not isinstance(value, str) or not value:
            return None
        out[context_arg(name)] = value
    if region:
        out["Region"] = region
    return out
