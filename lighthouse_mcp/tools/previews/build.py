"""Assembles the live preview of one gated call from its targets, consequences, extras and
price, and judges whether the call is certain to fail (then nobody is asked)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lighthouse_mcp.catalog import load_overlay
from lighthouse_mcp.catalog.secrets import redact
from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.previews.consequences import (
    CertainFailure,
    consequence_lines,
    priced_here,
    undo_line,
)
from lighthouse_mcp.tools.previews.extras import applied_to, firewall_extras
from lighthouse_mcp.tools.previews.prices import dry_run, quote_price
from lighthouse_mcp.tools.previews.refusals import (
    denied_problems,
    dry_run_problem,
    missing_problem,
    quota_problem,
    state_problems,
)
from lighthouse_mcp.tools.previews.render import Preview
from lighthouse_mcp.tools.previews.targets import confirm_phrase, describe, targets
from lighthouse_mcp.tools.resource_kinds import KINDS


async def build_preview(
    call: Call,
    action: str,
    region: str,
    arguments: Mapping[str, Any],
    *,
    why: Sequence[str] = (),
) -> Preview:
    """Resolve the call's targets live and assemble the preview; never sends the call.

    ``why``: the reasons argument rules gave for asking (shown first). When the call is
    certain to fail, ``preview.refusals`` says why and how to fix it; the gate then
    refuses without asking anyone.
    """
    overlay = load_overlay()["actions"][action]
    safety = overlay["safety"]
    preview = Preview(
        action=action,
        region=region,
        safety=safety,
        title=overlay["title"],
        request=redact(dict(arguments)),
        why=list(why),
        undo=undo_line(action),
    )
    by_kind: dict[str, list[str]] = {}
    for kind_name, rid in targets(action, arguments):
        by_kind.setdefault(kind_name, []).append(rid)
    found: list[tuple[str, str, Mapping[str, Any]]] = []
    for kind_name, ids in by_kind.items():
        kind = KINDS[kind_name]
        records = await describe(call, kind, ids, arguments)
        for rid in ids:
            record = records.get(rid)
            if record is None:
                preview.missing.append(rid)
                preview.refusals.append(missing_problem(action, kind_name, rid, region))
                continue
            entry: dict[str, Any] = {"Kind": kind.label, "Id": rid}
            entry.update({f: record.get(f) for f in kind.preview_fields if f in record})
            preview.resources.append(entry)
            preview.refusals += state_problems(action, kind_name, rid, record)
            found.append((kind_name, rid, record))
        if not preview.refusals:
            present = [rid for rid in ids if rid in records]
            preview.refusals += await denied_problems(call, action, kind_name, present)
    if preview.refusals:
        return preview  # certain to fail: nothing more to look up, nobody is asked
    try:
        preview.consequences = await consequence_lines(call, action, arguments, found)
    except CertainFailure as missing:
        preview.refusals.append(f"{action} cannot run: {missing}")
        return preview
    if action in ("DeleteFirewallRules", "ModifyFirewallRules"):
        preview.extras += await firewall_extras(call, action, arguments)
    if action == "ApplyFirewallTemplate":
        preview.extras += applied_to(arguments)
    if overlay.get("secret_output"):
        preview.extras.append(f"The result is a credential: {overlay['reason']}")
    if safety == "billing":
        if not priced_here(action):
            await quote_price(call, action, arguments, preview)
        preview.dry_run, failed = await dry_run(call, action, arguments)
        if failed:
            preview.refusals.append(dry_run_problem(action, failed))
        over = await quota_problem(call, action, arguments)
        if over:
            preview.refusals.append(over)
    if safety == "destructive":
        preview.phrase = confirm_phrase(
            action, preview.target_ids() or [rid for _, rid in targets(action, arguments)]
        )
    return preview
