"""Which resources a call acts on, and what they look like right now (by ID, live)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lighthouse_mcp.tools.lookup import Call, records_by_id
from lighthouse_mcp.tools.resource_kinds import CONTEXT_ONLY, ID_ARGUMENTS, KINDS, ResourceKind


class LookupFailed(RuntimeError):
    """A target could not be looked up (not a "not found"): what the call would act on is
    unknown, so the gate asks nobody and runs nothing."""


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def targets(action: str, arguments: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, id) pairs the call acts on, in argument order, without duplicates."""
    skip = CONTEXT_ONLY.get(action, frozenset())
    found: list[tuple[str, str]] = []
    plural_kinds = {
        ID_ARGUMENTS[name] for name in arguments if name in ID_ARGUMENTS and name.endswith("Ids")
    }
    for name, value in arguments.items():
        kind = ID_ARGUMENTS.get(name)
        if kind is None or name in skip:
            continue
        if not name.endswith("Ids") and kind in plural_kinds:
            continue  # e.g. InstanceId given as context next to ContainerIds
        if kind == "instance" and "ContainerIds" in arguments:
            continue  # the instance only locates the containers
        for rid in _ids(value):
            if (kind, rid) not in found:
                found.append((kind, rid))
    return found


def confirm_phrase(action: str, ids: Sequence[str]) -> str:
    """What a person types for a destructive call: the ID for one resource, else a count."""
    if len(ids) == 1:
        return ids[0]
    if ids:
        return f"{action} {len(ids)}"
    return action


async def describe(
    call: Call, kind: ResourceKind, ids: list[str], arguments: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Records by ID (an ID the API calls not found is absent). Any other failure raises
    LookupFailed: a lookup that failed says nothing about whether the target exists, so
    the preview is not built and nobody is asked (fail closed)."""
    params = {name: arguments[name] for name in kind.context if name in arguments}
    try:
        return await records_by_id(
            call,
            kind.describe,
            params,
            ids_param=kind.ids_param,
            ids=ids,
            set_field=kind.set_field,
            id_field=kind.id_field,
        )
    except Exception as error:
        code = str(getattr(error, "code", "")) or type(error).__name__
        if not code.startswith("InvalidParameter"):
            raise LookupFailed(f"{kind.describe} failed ({code})") from None
    # The API refused the IDs themselves: an ID it calls invalid names nothing, so find
    # out which one, one at a time (each invalid one is then shown as not existing).
    if len(ids) == 1:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for rid in ids:
        found.update(await describe(call, kind, [rid], arguments))
    return found


async def changed_targets(
    call: Call,
    action: str,
    arguments: Mapping[str, Any],
    shown: Sequence[str],
    missing: Sequence[str],
) -> list[str]:
    """Why the call's targets are no longer what the person was shown (empty: unchanged).

    Run right before a confirmed call goes out: a resource shown may have been deleted
    (or replaced under a reused name) since, or an ID shown as not found may exist now;
    either way the person approved something else, so the gate refuses.
    """
    by_kind: dict[str, list[str]] = {}
    for kind_name, rid in targets(action, arguments):
        by_kind.setdefault(kind_name, []).append(rid)
    was_shown, was_missing = set(shown), set(missing)
    changes: list[str] = []
    for kind_name, ids in by_kind.items():
        try:
            found = await describe(call, KINDS[kind_name], ids, arguments)
        except LookupFailed as exc:
            changes.append(f"{', '.join(ids)} could not be re-checked: {exc}")
            continue
        for rid in ids:
            if rid in was_shown and rid not in found:
                changes.append(f"{rid} is no longer found")
            elif rid in was_missing and rid in found:
                changes.append(f"{rid} was not found when previewed but exists now")
            elif rid not in was_shown and rid not in was_missing:
                changes.append(f"{rid} was not part of the preview")
    return changes
