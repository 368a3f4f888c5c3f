"""What else a gated call affects beyond its targets: disks and snapshots lost with an
instance, firewall rules that disappear or are replaced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lighthouse_mcp.tools import commands
from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.quoting import quote

#: What is lost with an instance, per action: these also list its disks and snapshots.
INSTANCE_DATA_AT_RISK = {
    "TerminateInstances": "destroyed with the instance",
    "IsolateInstances": "unavailable while the instance is isolated; destroyed if it is terminated",
    "ResetInstance": "the system disk is reinstalled; its data is lost",
    "ApplyInstanceSnapshot": "the system disk is overwritten by the snapshot",
}


async def instance_extras(call: Call, action: str, ids: list[str]) -> list[str]:
    extras: list[str] = []
    consequence = INSTANCE_DATA_AT_RISK[action]
    for rid in ids:
        filters = [{"Name": "instance-id", "Values": [rid]}]
        try:
            disks = (await call("DescribeDisks", {"Filters": filters})).get("DiskSet") or []
            snaps = (await call("DescribeSnapshots", {"Filters": filters})).get("SnapshotSet") or []
        except Exception:
            extras.append(f"{rid}: its disks and snapshots could not be listed")
            continue
        data_disks = [d for d in disks if d.get("DiskUsage") != "SYSTEM_DISK"]
        if data_disks:
            names = ", ".join(f"{d.get('DiskId')} ({d.get('DiskSize')} GB)" for d in data_disks)
            extras.append(f"{rid} data disks: {names}")
        if snaps and action == "TerminateInstances":
            names = ", ".join(str(s.get("SnapshotId")) for s in snaps)
            extras.append(f"{rid} snapshots that will be lost: {names}")
        extras.append(f"{rid}: {consequence}")
    return extras


async def firewall_extras(call: Call, action: str, arguments: Mapping[str, Any]) -> list[str]:
    instance = arguments.get("InstanceId")
    if not isinstance(instance, str):
        return []
    try:
        current = await call("DescribeFirewallRules", {"InstanceId": instance, "Limit": 100})
    except Exception:
        return [f"the current firewall rules of {instance} could not be read"]
    rules = current.get("FirewallRuleSet") or []

    def show(rule: Mapping[str, Any]) -> str:
        src = rule.get("CidrBlock") or rule.get("Ipv6CidrBlock") or "any"
        verb = rule.get("Action", "ACCEPT")
        return f"{verb} {rule.get('Protocol')} {rule.get('Port')} from {src}"

    if action == "ModifyFirewallRules":
        gone = [show(r) for r in rules]
        new = [show(r) for r in arguments.get("FirewallRules") or []]
        return [
            f"all {len(gone)} current rules are replaced: " + "; ".join(gone or ["none"]),
            "new rule set: " + "; ".join(new or ["EMPTY (all traffic blocked)"]),
        ]
    removed = [show(r) for r in arguments.get("FirewallRules") or []]
    return ["rules that will disappear: " + "; ".join(removed)]


def applied_to(arguments: Mapping[str, Any]) -> list[str]:
    """ApplyFirewallTemplate names instances across regions; each one's rules are
    replaced by the template's, so list them all with their regions."""
    items = [i for i in arguments.get("ApplyInstances") or [] if isinstance(i, Mapping)]
    named = ", ".join(f"{i.get('InstanceId')} ({i.get('Region')})" for i in items)
    return [f"the firewall rules of these instances are replaced by the template's: {named}"]


#: Actions that run a script on instances: the preview shows the decoded script.
COMMAND_ACTIONS = frozenset({"tat_RunCommand"})


def command_extras(arguments: Mapping[str, Any]) -> list[str]:
    """The command exactly as it will run (decoded from its base64), and as whom, where
    and for how long: the person approves the text, not an opaque Content string."""
    windows = arguments.get("CommandType") in ("POWERSHELL", "BAT")
    user = arguments.get("Username") or ("System" if windows else "root")
    where = arguments.get("WorkingDirectory") or (
        "C:\\Program Files\\qcloud\\tat_agent\\workdir" if windows else "/root"
    )
    timeout = arguments.get("Timeout") or 60
    text = commands.decode(str(arguments.get("Content") or ""))
    return [
        f"runs as user {user} in {where}, {arguments.get('CommandType') or 'SHELL'}, "
        f"stopped after {timeout} s",
        f"command: {quote(text)}",
    ]
