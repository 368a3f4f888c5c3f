"""Live previews of gated calls: what a person must see before saying yes.

A preview names the action in plain words, the region, every affected resource as it is
right now (read live through Describe* calls, never from the model's arguments), what
else goes with it (attached disks, snapshots, firewall rules that disappear), whether it
can be undone, and for billing actions the price quoted by the matching InquirePrice*
action. Which argument names identify which resources, and how each kind is looked up
and shown, is the resource-kind table (tools/resource_kinds.py); the few
action-specific extras are keyed by action name.

- previews/targets.py: which resources a call acts on, and looking them up live;
- previews/extras.py: what else goes with them;
- previews/prices.py: the price quote and the dry run of billing calls;
- previews/render.py: the Preview a person reads (text) and the data beside it;
- previews/build.py: `build_preview`, which assembles them.

Transport-agnostic: everything takes an async ``call(action, params)`` bound to a
region, so the gate wires it to the shared client and tests wire it to the sandbox.
"""

from __future__ import annotations

from lighthouse_mcp.tools.previews.build import build_preview
from lighthouse_mcp.tools.previews.render import Preview
from lighthouse_mcp.tools.previews.targets import (
    LookupFailed,
    changed_targets,
    confirm_phrase,
    targets,
)

__all__ = [
    "LookupFailed",
    "Preview",
    "build_preview",
    "changed_targets",
    "confirm_phrase",
    "targets",
]
