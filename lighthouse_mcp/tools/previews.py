"""Live previews of gated calls: what a person must see before saying yes.

A preview names the action in plain words, the region, every affected resource as it is
right now (read live through Describe* calls, never from the model's arguments), what
else goes with it (attached disks, snapshots, firewall rules that disappear), whether it
can be undone, and for billing actions the price quoted by the matching InquirePrice*
action. Which argument names identify which resources, and how each kind is described,
is data below; the few action-specific extras are keyed by action name.

The module is transport-agnostic: it takes an async ``call(action, params)`` bound to a
region, so the gate wires it to the shared client and tests wire it to the sandbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lighthouse_mcp.catalog import action as catalog_action
from lighthouse_mcp.catalog import load_overlay
from lighthouse_mcp.catalog.secrets import redact
from lighthouse_mcp.tools.lookup import records_by_id
from lighthouse_mcp.tools.quoting import one_line, quote

Call = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Kind:
    """How to look up one kind of resource by ID, and which fields a person needs."""

    label: str
    describe: str
    ids_param: str
    set_field: str
    id_field: str
    fields: tuple[str, ...]
    context: tuple[str, ...] = ()  # other arguments the Describe* call needs


KINDS: dict[str, Kind] = {
    "instance": Kind(
        "instance",
        "DescribeInstances",
        "InstanceIds",
        "InstanceSet",
        "InstanceId",
        (
            "InstanceName",
            "InstanceState",
            "PublicAddresses",
            "BundleId",
            "Zone",
            "InstanceChargeType",
            "ExpiredTime",
            "RenewFlag",
        ),
    ),
    "disk": Kind(
        "disk",
        "DescribeDisks",
        "DiskIds",
        "DiskSet",
        "DiskId",
        ("DiskName", "DiskState", "DiskUsage", "DiskSize", "DiskType", "InstanceId", "ExpiredTime"),
    ),
    "snapshot": Kind(
        "snapshot",
        "DescribeSnapshots",
        "SnapshotIds",
        "SnapshotSet",
        "SnapshotId",
        ("SnapshotName", "SnapshotState", "InstanceId", "DiskUsage", "CreatedTime"),
    ),
    "blueprint": Kind(
        "image",
        "DescribeBlueprints",
        "BlueprintIds",
        "BlueprintSet",
        "BlueprintId",
        ("BlueprintName", "BlueprintState", "BlueprintType", "OsName"),
    ),
    "keypair": Kind(
        "key pair",
        "DescribeKeyPairs",
        "KeyIds",
        "KeyPairSet",
        "KeyId",
        ("KeyName", "AssociatedInstanceIds", "CreatedTime"),
    ),
    "disk_backup": Kind(
        "disk backup",
        "DescribeDiskBackups",
        "DiskBackupIds",
        "DiskBackupSet",
        "DiskBackupId",
        ("DiskBackupName", "DiskBackupState", "DiskId", "CreatedTime"),
    ),
    "container": Kind(
        "container",
        "DescribeDockerContainers",
        "ContainerIds",
        "DockerContainerSet",
        "ContainerId",
        ("ContainerName", "Image", "State", "PublishPortSet"),
        context=("InstanceId",),
    ),
    "firewall_template": Kind(
        "firewall template",
        "DescribeFirewallTemplates",
        "TemplateIds",
        "TemplateSet",
        "TemplateId",
        ("TemplateName", "TemplateType", "TemplateState", "CreatedTime"),
    ),
}

#: Argument name -> kind. Singular names hold one ID, plural names a list.
ID_ARGUMENTS: dict[str, str] = {
    "InstanceIds": "instance",
    "InstanceId": "instance",
    "DiskIds": "disk",
    "DiskId": "disk",
    "SnapshotIds": "snapshot",
    "SnapshotId": "snapshot",
    "BlueprintIds": "blueprint",
    "BlueprintId": "blueprint",
    "KeyIds": "keypair",
    "KeyId": "keypair",
    "DiskBackupIds": "disk_backup",
    "DiskBackupId": "disk_backup",
    "ContainerIds": "container",
    "ContainerId": "container",
    "TemplateId": "firewall_template",
}

#: Actions whose target is named by an argument that also appears as context elsewhere:
#: for these the instance is context, not the thing being changed.
CONTEXT_ONLY: dict[str, frozenset[str]] = {
    "RemoveDockerContainers": frozenset({"InstanceId"}),
    "StopDockerContainers": frozenset({"InstanceId"}),
    "CreateInstances": frozenset({"BlueprintId"}),
    "ResetInstance": frozenset({"BlueprintId"}),
    "ApplyInstanceSnapshot": frozenset(),
}

#: Billing action -> the InquirePrice* action that quotes it (same argument names).
PRICE_QUOTES: dict[str, str] = {
    "CreateInstances": "InquirePriceCreateInstances",
    "RenewInstances": "InquirePriceRenewInstances",
    "CreateDisks": "InquirePriceCreateDisks",
    "RenewDisks": "InquirePriceRenewDisks",
    "CreateBlueprint": "InquirePriceCreateBlueprint",
}

#: What is lost with an instance, per action: these also list its disks and snapshots.
INSTANCE_DATA_AT_RISK = {
    "TerminateInstances": "destroyed with the instance",
    "IsolateInstances": "unavailable while the instance is isolated; destroyed if it is terminated",
    "ResetInstance": "the system disk is reinstalled; its data is lost",
    "ApplyInstanceSnapshot": "the system disk is overwritten by the snapshot",
}

UNDO: dict[str, str] = {
    "read": "Changes nothing.",
    "write": "Reversible.",
    "disruptive": "Causes downtime; no data is lost.",
    "destructive": "CANNOT BE UNDONE: data or access is lost for good.",
    "billing": "Spends money; charges are not refunded automatically.",
}


@dataclass
class Preview:
    """Everything a person sees before confirming, plus what the gate re-checks later."""

    action: str
    region: str
    safety: str
    title: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    price: dict[str, Any] | None = None
    price_note: str | None = None
    dry_run: str | None = None
    phrase: str | None = None
    #: The call's own arguments, secrets blanked: what will be sent, word for word.
    request: dict[str, Any] = field(default_factory=dict)

    def target_ids(self) -> list[str]:
        """The IDs shown, in order: the gate checks they are unchanged before running."""
        return [str(r["Id"]) for r in self.resources]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Action": self.action,
            "Region": self.region,
            "Class": self.safety,
            "Undo": UNDO[self.safety],
            "Request": self.request,
            "Resources": self.resources,
        }
        if self.missing:
            out["NotFound"] = self.missing
        if self.extras:
            out["AlsoAffected"] = self.extras
        if self.price is not None:
            out["Price"] = self.price
        if self.price_note:
            out["PriceNote"] = self.price_note
        if self.dry_run:
            out["DryRun"] = self.dry_run
        if self.phrase:
            out["ConfirmPhrase"] = self.phrase
        return out

    def text(self) -> str:
        """The message a person reads; ends with the exact phrase to type when one is needed."""
        lines = [f"{self.title} ({self.action}) in {self.region}.", UNDO[self.safety]]
        if self.request:
            lines.append(
                "Request: " + ", ".join(f"{k}={_short(quote(v))}" for k, v in self.request.items())
            )
        for res in self.resources:
            details = ", ".join(
                f"{k}={_short(quote(v))}"
                for k, v in res.items()
                if k not in ("Id", "Kind") and v not in (None, "", [])
            )
            head = f"- {res['Kind']} {one_line(str(res['Id']))}"
            lines.append(head + (f": {details}" if details else ""))
        lines += [f"- not found now: {rid}" for rid in self.missing]
        lines += [f"- {one_line(extra)}" for extra in self.extras]
        if self.price is not None:
            lines += [
                f"Price{'' if not path else ' (' + path + ')'}: {fields}"
                for path, fields in _price_lines(self.price)
            ]
        if self.price_note:
            lines.append(self.price_note)
        if self.dry_run:
            lines.append(f"Dry run: {self.dry_run}")
        if self.phrase:
            lines.append(f"To confirm, type exactly: `{self.phrase}`")
        return "\n".join(lines)


def _price_lines(price: Mapping[str, Any], path: str = "") -> list[tuple[str, str]]:
    """One line per priced object: the quote's nested structures (Price.InstancePrice,
    DiskPrice, ...) flattened so every figure and its currency stay readable."""
    scalars = [f"{k}={v}" for k, v in price.items() if not isinstance(v, (dict, list))]
    lines = [(path, ", ".join(scalars))] if scalars else []
    for key, value in price.items():
        sub = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            lines += _price_lines(value, sub)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    lines += _price_lines(item, f"{sub}[{index}]")
    return lines


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


async def _describe(
    call: Call, kind: Kind, ids: list[str], arguments: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Records by ID; anything unreadable is shown as not found rather than failing."""
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
    except Exception:
        return {}


async def _instance_extras(call: Call, action: str, ids: list[str]) -> list[str]:
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


async def _firewall_extras(call: Call, action: str, arguments: Mapping[str, Any]) -> list[str]:
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


def _applied_to(arguments: Mapping[str, Any]) -> list[str]:
    """ApplyFirewallTemplate names instances across regions; each one's rules are
    replaced by the template's, so list them all with their regions."""
    items = [i for i in arguments.get("ApplyInstances") or [] if isinstance(i, Mapping)]
    named = ", ".join(f"{i.get('InstanceId')} ({i.get('Region')})" for i in items)
    return [f"the firewall rules of these instances are replaced by the template's: {named}"]


async def _price(call: Call, action: str, arguments: Mapping[str, Any], preview: Preview) -> None:
    quote = PRICE_QUOTES.get(action)
    if quote is None:
        preview.price_note = "No price quote is available from the API for this action."
        return
    accepted = {p["name"] for p in catalog_action(quote)["inputs"]}
    params = {k: v for k, v in arguments.items() if k in accepted}
    try:
        response = await call(quote, params)
    except Exception as error:
        code = getattr(error, "code", type(error).__name__)
        preview.price_note = f"The price could not be quoted ({code})."
        return
    preview.price = {k: v for k, v in response.items() if k != "RequestId"}


async def _dry_run(call: Call, action: str, arguments: Mapping[str, Any]) -> str | None:
    if "DryRun" not in {p["name"] for p in catalog_action(action)["inputs"]}:
        return None
    try:
        await call(action, {**arguments, "DryRun": True})
    except Exception as error:
        code = str(getattr(error, "code", ""))
        if code == "DryRunOperation":
            return "the API says the request would succeed"
        return f"the API says the request would fail: {code or type(error).__name__}"
    return "the API accepted the dry run"


async def build_preview(
    call: Call, action: str, region: str, arguments: Mapping[str, Any]
) -> Preview:
    """Resolve the call's targets live and assemble the preview; never sends the call."""
    overlay = load_overlay()["actions"][action]
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
        found = await _describe(call, kind, ids, arguments)
        for rid in ids:
            record = found.get(rid)
            if record is None:
                preview.missing.append(rid)
                continue
            entry: dict[str, Any] = {"Kind": kind.label, "Id": rid}
            entry.update({f: record.get(f) for f in kind.fields if f in record})
            preview.resources.append(entry)
    instance_ids = [r["Id"] for r in preview.resources if r["Kind"] == "instance"]
    if action in INSTANCE_DATA_AT_RISK and instance_ids:
        preview.extras += await _instance_extras(call, action, instance_ids)
    if action in ("DeleteFirewallRules", "ModifyFirewallRules"):
        preview.extras += await _firewall_extras(call, action, arguments)
    if action == "ApplyFirewallTemplate":
        preview.extras += _applied_to(arguments)
    if overlay.get("secret_output"):
        preview.extras.append(f"the result is a credential: {overlay['reason']}")
    if safety == "billing":
        await _price(call, action, arguments, preview)
        preview.dry_run = await _dry_run(call, action, arguments)
    if safety == "destructive":
        preview.phrase = confirm_phrase(
            action, preview.target_ids() or [rid for _, rid in targets(action, arguments)]
        )
    return preview


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
        found = await _describe(call, KINDS[kind_name], ids, arguments)
        for rid in ids:
            if rid in was_shown and rid not in found:
                changes.append(f"{rid} is no longer found")
            elif rid in was_missing and rid in found:
                changes.append(f"{rid} was not found when previewed but exists now")
            elif rid not in was_shown and rid not in was_missing:
                changes.append(f"{rid} was not part of the preview")
    return changes
