"""Assembles the live preview of one gated call from its targets, extras and price."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lighthouse_mcp.catalog import action_overlay
from lighthouse_mcp.catalog.secrets import redact
from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.previews.extras import (
    COMMAND_ACTIONS,
    INSTANCE_DATA_AT_RISK,
    applied_to,
    command_extras,
    firewall_extras,
    instance_extras,
)
from lighthouse_mcp.tools.previews.prices import dry_run, quote_price
from lighthouse_mcp.tools.previews.render import Preview
from lighthouse_mcp.tools.previews.targets import confirm_phrase, describe, targets
from lighthouse_mcp.tools.resource_kinds import KINDS


async def build_preview(
    call: Call, action: str, region: str, arguments: Mapping[str, Any]
) -> Preview:
    """Resolve the call's targets live and assemble the preview; never sends the call."""
    overlay = action_overlay(action)
    safety = overlay["safety"]
    preview = Preview(
        action=action,
        region=region,
        safety=safety,
        title=overlay["title"],
        request=redact(dict(arguments)),
    )
    by_kind: dict[str, list[str]] = {}
    for kind_name, rid in targets(action, arguments):
        by_kind.setdefault(kind_name, []).append(rid)
    for kind_name, ids in by_kind.items():
        kind = KINDS[kind_name]
        found = await describe(call, kind, ids, arguments)
        for rid in ids:
            record = found.get(rid)
            if record is None:
                preview.missing.append(rid)
                continue
            entry: dict[str, Any] = {"Kind": kind.label, "Id": rid}
            entry.update({f: record.get(f) for f in kind.preview_fields if f in record})
            preview.resources.append(entry)
    instance_ids = [r["Id"] for r in preview.resources if r["Kind"] == "instance"]
    if action in INSTANCE_DATA_AT_RISK and instance_ids:
        preview.extras += await instance_extras(call, action, instance_ids)
    if action in ("DeleteFirewallRules", "ModifyFirewallRules"):
        preview.extras += await firewall_extras(call, action, arguments)
    if action == "ApplyFirewallTemplate":
        preview.extras += applied_to(arguments)
    if action in COMMAND_ACTIONS:
        preview.extras += command_extras(arguments)
    if overlay.get("secret_output"):
        preview.extras.append(f"the result is a credential: {overlay['reason']}")
    if safety == "billing":
        await quote_price(call, action, arguments, preview)
        preview.dry_run = await dry_run(call, action, arguments)
    if safety == "destructive":
        preview.phrase = confirm_phrase(
            action, preview.target_ids() or [rid for _, rid in targets(action, arguments)]
        )
    return preview
