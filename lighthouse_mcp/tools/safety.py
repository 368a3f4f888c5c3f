"""Safety classes → MCP tool annotations, gating defaults, and selection of actions.

The overlay holds one class per action (read, write, disruptive, destructive, billing);
everything a client or the gate needs follows from it here, so a class changed in the
overlay changes the hints, the gate and the ``--read-only`` selection together.
Annotations are stated explicitly (``destructiveHint: false`` on every non-destructive
write) because the MCP defaults assume the worst: an absent destructiveHint means true.

No ``from __future__ import annotations`` here: it would shadow :func:`annotations`, the
name the contract gives the hints function (all hints below evaluate fine at runtime).
"""

from collections.abc import Collection, Iterable
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import SafetyClass
from lighthouse_mcp.tools.descriptions import tool_title
from lighthouse_mcp.tools.schema import Lang

SAFETY_CLASSES: tuple[SafetyClass, ...] = ("read", "write", "disruptive", "destructive", "billing")
#: Classes that need a confirmation before the call goes out, unless configured otherwise.
GATED_BY_DEFAULT: frozenset[SafetyClass] = frozenset({"destructive", "billing"})


def annotations(action: str, lang: Lang = "en") -> dict[str, Any]:
    """MCP ToolAnnotations (wire names) for ``action``.

    Read tools: readOnlyHint only (the other hints are meaningless for them per the spec).
    Writes: readOnlyHint false, destructiveHint true only for the destructive class,
    idempotentHint as the overlay says (false when it says nothing). Every Lighthouse
    tool talks to a cloud account, hence openWorldHint true.
    """
    cls = catalog.safety_class(action)
    hints: dict[str, Any] = {"title": tool_title(action, lang)}
    if cls == "read":
        hints["readOnlyHint"] = True
    else:
        overlay = catalog.action_overlay(action)
        hints["readOnlyHint"] = False
        hints["destructiveHint"] = cls == "destructive"
        hints["idempotentHint"] = bool(overlay.get("idempotent", False))
    hints["openWorldHint"] = True
    return hints


def is_gated(action: str, gated: Collection[str] = GATED_BY_DEFAULT) -> bool:
    """Whether a call needs confirmation under the configured set of gated classes."""
    return catalog.safety_class(action) in gated


def returns_secret(action: str) -> bool:
    """True when the result carries a credential (private key, login URL): never log it."""
    return bool(catalog.action_overlay(action).get("secret_output", False))


def actions_by_class(classes: Iterable[str]) -> list[str]:
    """Action names whose safety class is in ``classes`` (sorted)."""
    wanted = set(classes)
    unknown = wanted - set(SAFETY_CLASSES)
    if unknown:
        raise ValueError(
            f"unknown safety class(es) {sorted(unknown)}; known: {', '.join(SAFETY_CLASSES)}"
        )
    return [a for a in catalog.action_names() if catalog.safety_class(a) in wanted]


def group_ids() -> list[str]:
    """The toolset ids (``instance``, ``firewall``, …) in catalog order."""
    return [g["id"] for g in catalog.load_catalog()["groups"]]


def actions_in_groups(groups: Iterable[str]) -> list[str]:
    """Action names in the given toolsets (group ids), sorted; unknown ids are an error."""
    wanted = set(groups)
    unknown = wanted - set(group_ids())
    if unknown:
        raise ValueError(f"unknown toolset(s) {sorted(unknown)}; known: {', '.join(group_ids())}")
    return [a for a in catalog.action_names() if catalog.action(a)["group_id"] in wanted]
