"""What else a gated call affects beyond its targets: firewall rules that disappear or are
replaced, the instances a template is applied to. (What is lost with an instance is in
the consequence table: previews/consequences.py.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.previews.targets import LookupFailed


async def firewall_extras(call: Call, action: str, arguments: Mapping[str, Any]) -> list[str]:
    instance = arguments.get("InstanceId")
    if not isinstance(instance, str):
        return []
    try:
        current = await call("DescribeFirewallRules", {"InstanceId": instance, "Limit": 100})
    except Exception:
        raise LookupFailed(f"the current firewall rules of {instance} could not be read") from None
    rules = current.get("FirewallRuleSet") or []

    def show(rule: Mapping[str, Any]) -> str:
        src = rule.get("CidrBlock") or rule.get("Ipv6CidrBlock") or "any"
        verb = rule.get("Action", "ACCEPT")
        return f"{verb} {rule.get('Protocol')} {rule.get('Port')} from {src}"

    if action == "ModifyFirewallRules":
        gone = [show(r) for r in rules]
        new = [show(r) for r in arguments.get("FirewallRules") or []]
        return [
            f"The {len(gone)} current rules are all replaced: " + "; ".join(gone or ["none"]),
            "The new rule set: " + "; ".join(new or ["EMPTY (all traffic blocked)"]),
        ]
    removed = [show(r) for r in arguments.get("FirewallRules") or []]
    return ["The rules that disappear: " + "; ".join(removed)]


def applied_to(arguments: Mapping[str, Any]) -> list[str]:
    """ApplyFirewallTemplate names instances across regions; each one's rules are
    replaced by the template's, so list them all with their regions."""
    items = [i for i in arguments.get("ApplyInstances") or [] if isinstance(i, Mapping)]
    named = ", ".join(f"{i.get('InstanceId')} ({i.get('Region')})" for i in items)
    return [f"The firewall rules of these instances are replaced by the template's: {named}"]
