"""True consequences: what a gated call loses, keeps, costs and how it is undone, in
sentences a person reads at a glance, with names rather than bare IDs.

The sentences are data (tools/consequences.json), per action and, where it matters, per
argument (IsolateDataDisk, LoginConfiguration, RenewFlag); this module finds the facts
they name (a target's data disks, bound key pairs, image and bundle names, the price of
a plan change) through read-only Describe calls and fills them in. A fact that cannot be
read raises LookupFailed: a preview that would leave out what is lost is not shown.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from lighthouse_mcp.tools.lookup import Call, is_not_found
from lighthouse_mcp.tools.previews.targets import LookupFailed
from lighthouse_mcp.tools.resource_kinds import KINDS


@cache
def table() -> dict[str, Any]:
    """Action -> {undo, defaults, lines} (tools/consequences.json)."""
    text = resources.files("lighthouse_mcp.tools").joinpath("consequences.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)["actions"]
    return data


@dataclass
class Target:
    """One target of the call as it is now, and the call it belongs to."""

    call: Call
    action: str
    arguments: Mapping[str, Any]
    kind: str
    rid: str
    record: Mapping[str, Any]
    cache: dict[str, Any] = field(default_factory=dict)


class CertainFailure(LookupError):
    """What the facts show will fail: a resource the call names (an image, a bundle) does
    not exist, or the API lists the change as unavailable. The preview turns it into a
    refusal before anyone is asked."""


async def _read(call: Call, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return await call(action, params)
    except Exception as error:
        code = str(getattr(error, "code", "")) or type(error).__name__
        if is_not_found(error) or code.endswith(("Malformed", "NotFound")):
            named = ", ".join(str(v) for v in params.values() if isinstance(v, (str, list)))
            raise CertainFailure(f"{action} does not list {named} ({code}); check the ID") from None
        raise LookupFailed(f"{action} failed ({code})") from None


def _named(kind: str, rid: str, name: Any, detail: str = "") -> str:
    label = KINDS[kind].label if kind in KINDS else kind
    inside = ", ".join(x for x in (rid, detail) if x)
    return f'{label} "{name}" ({inside})' if name else f"{label} {inside}"


async def _target(t: Target) -> str:
    record = t.record
    if t.kind == "instance":
        return _named("instance", t.rid, record.get("InstanceName"))
    if t.kind == "disk":
        size = record.get("DiskSize")
        usage = "system disk" if record.get("DiskUsage") == "SYSTEM_DISK" else "data disk"
        label = f'{usage} "{record.get("DiskName")}"' if record.get("DiskName") else usage
        return f"{label} ({t.rid}{f', {size} GB' if size else ''})"
    name_field = {"snapshot": "SnapshotName", "disk_backup": "DiskBackupName"}.get(t.kind, "")
    return _named(t.kind, t.rid, record.get(name_field))


async def _disks(t: Target) -> list[dict[str, Any]]:
    if "disks" not in t.cache:
        filters = [{"Name": "instance-id", "Values": [t.rid]}]
        found = await _read(t.call, "DescribeDisks", {"Filters": filters})
        t.cache["disks"] = found.get("DiskSet") or []
    disks: list[dict[str, Any]] = t.cache["disks"]
    return disks


async def _data_disks(t: Target) -> str:
    disks = [d for d in await _disks(t) if d.get("DiskUsage") != "SYSTEM_DISK"]
    return ", ".join(
        (f'"{d["DiskName"]}" ' if d.get("DiskName") else "")
        + f"({d.get('DiskId')}, {d.get('DiskSize')} GB)"
        for d in disks
    )


async def _snapshots(t: Target) -> str:
    filters = [{"Name": "instance-id", "Values": [t.rid]}]
    found = (await _read(t.call, "DescribeSnapshots", {"Filters": filters})).get("SnapshotSet")
    return ", ".join(
        (f'"{s["SnapshotName"]}" ' if s.get("SnapshotName") else "") + f"({s.get('SnapshotId')})"
        for s in found or []
    )


async def _key_pairs(t: Target) -> str:
    ids = list((t.record.get("LoginSettings") or {}).get("KeyIds") or [])
    if not ids:
        return ""
    found = (await _read(t.call, "DescribeKeyPairs", {"KeyIds": ids})).get("KeyPairSet") or []
    names = {k.get("KeyId"): k.get("KeyName") for k in found}
    return ", ".join(f'"{names[k]}" ({k})' if names.get(k) else k for k in ids)


async def _blueprint_name(t: Target, blueprint_id: Any) -> str:
    if not isinstance(blueprint_id, str) or not blueprint_id:
        return "an unknown image"
    found = await _read(t.call, "DescribeBlueprints", {"BlueprintIds": [blueprint_id]})
    for bp in found.get("BlueprintSet") or []:
        os_name = str(bp.get("OsName") or "")
        app = " ".join(str(bp[k]) for k in ("DisplayTitle", "DisplayVersion") if bp.get(k))
        if bp.get("BlueprintType") == "PURE_OS" and os_name:
            title = os_name  # "Ubuntu Server 22.04 LTS 64bit"
        elif bp.get("BlueprintType") == "PRIVATE":
            title = f'custom image "{bp.get("BlueprintName")}"' + (
                f" of {os_name}" if os_name else ""
            )
        else:  # an application image: the app and the OS under it
            title = f"{app or bp.get('BlueprintName')}" + (f" on {os_name}" if os_name else "")
        return f"{title} ({blueprint_id})"
    raise CertainFailure(
        f"the image {blueprint_id} does not exist; check the ID (DescribeBlueprints)"
    )


async def _image(t: Target) -> str:
    return await _blueprint_name(t, t.record.get("BlueprintId"))


async def _new_image(t: Target) -> str:
    wanted = t.arguments.get("BlueprintId") or t.record.get("BlueprintId")
    return await _blueprint_name(t, wanted)


async def _bundle_spec(t: Target, bundle_id: Any) -> str:
    if not isinstance(bundle_id, str) or not bundle_id:
        return "an unknown bundle"
    found = await _read(t.call, "DescribeBundles", {"BundleIds": [bundle_id]})
    for b in found.get("BundleSet") or []:
        return (
            f"{b.get('CPU')} vCPU, {b.get('Memory')} GB RAM, {b.get('SystemDiskSize')} GB "
            f"{b.get('SystemDiskType', '')} system disk, {b.get('InternetMaxBandwidthOut')} Mbps, "
            f"{b.get('MonthlyTraffic')} GB traffic/month ({bundle_id})"
        ).replace("  ", " ")
    raise CertainFailure(f"the bundle {bundle_id} does not exist; check the ID (DescribeBundles)")


async def _bundle(t: Target) -> str:
    return await _bundle_spec(t, t.record.get("BundleId"))


async def _new_bundle(t: Target) -> str:
    return await _bundle_spec(t, t.arguments.get("BundleId"))


async def _modify_price(t: Target) -> str:
    """DescribeModifyInstanceBundles' ModifyPrice of the chosen bundle for this instance."""
    bundle_id = t.arguments.get("BundleId")
    filters = [{"Name": "bundle-id", "Values": [bundle_id]}]
    found = await _read(
        t.call, "DescribeModifyInstanceBundles", {"InstanceId": t.rid, "Filters": filters}
    )
    for row in found.get("ModifyBundleSet") or []:
        if (row.get("Bundle") or {}).get("BundleId") != bundle_id:
            continue
        state = row.get("ModifyBundleState")
        if state not in (None, "AVAILABLE"):
            why = str(row.get("NotSupportModifyMessage") or "").strip()
            raise CertainFailure(
                f"{t.rid} cannot move to bundle {bundle_id}: DescribeModifyInstanceBundles "
                f"lists it as {state}"
                + (f" ({why})" if why else "")
                + "; choose an AVAILABLE bundle from DescribeModifyInstanceBundles"
            )
        price = (row.get("ModifyPrice") or {}).get("InstancePrice") or {}
        if "DiscountPrice" not in price:
            continue
        cur = price.get("Currency", "")
        text = f"{price['DiscountPrice']} {cur}".strip()
        if price.get("OriginalPrice") not in (None, price["DiscountPrice"]):
            text += f" (list price {price['OriginalPrice']} {cur})".replace(" )", ")")
        return text
    return ""


async def _resize_price(t: Target) -> str:
    """An estimate: the API has no resize quote, so the monthly price of the new size
    minus that of the old (InquirePriceCreateDisks) times the months left."""
    record, new_size = t.record, t.arguments.get("DiskSize")
    expires = str(record.get("ExpiredTime") or "")
    try:
        end = datetime.fromisoformat(expires.replace("Z", "+00:00"))
    except ValueError:
        return ""
    months = max(1, math.ceil((end - datetime.now(UTC)).total_seconds() / (30 * 86400)))

    async def monthly(size: Any) -> tuple[float, str]:
        params = {
            "DiskSize": size,
            "DiskType": record.get("DiskType") or "CLOUD_PREMIUM",
            "DiskChargePrepaid": {"Period": 1},
            "DiskCount": 1,
        }
        price = (await _read(t.call, "InquirePriceCreateDisks", params)).get("DiskPrice") or {}
        return float(price.get("DiscountPrice") or 0), str(price.get("Currency") or "")

    if not isinstance(new_size, int) or not record.get("DiskSize"):
        return ""
    new, currency = await monthly(new_size)
    old, _ = await monthly(record["DiskSize"])
    total = round(max(0.0, new - old) * months, 2)
    per_month = round(max(0.0, new - old), 2)
    money = f"{total} {currency}".strip()
    return f"about {money} for the {months} month(s) left ({per_month} a month more)"


async def _new_size(t: Target) -> str:
    return f"{t.arguments.get('DiskSize')} GB (from {t.record.get('DiskSize')} GB)"


FACTS: dict[str, Callable[[Target], Awaitable[str]]] = {
    "target": _target,
    "data_disks": _data_disks,
    "snapshots": _snapshots,
    "key_pairs": _key_pairs,
    "image": _image,
    "new_image": _new_image,
    "bundle": _bundle,
    "new_bundle": _new_bundle,
    "modify_price": _modify_price,
    "new_size": _new_size,
    "resize_price": _resize_price,
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _args_match(
    conditions: Mapping[str, Any], arguments: Mapping[str, Any], defaults: Mapping[str, Any]
) -> bool:
    for name, want in conditions.items():
        present = name in arguments and arguments[name] is not None
        value = arguments[name] if present else defaults.get(name)
        if isinstance(want, Mapping):
            if "present" in want and present != bool(want["present"]):
                return False
            if "in" in want and value not in want["in"]:
                return False
        elif value != want:
            return False
    return True


def priced_here(action: str) -> bool:
    """Whether the action's lines carry its price (no InquirePrice action quotes it)."""
    return bool(table().get(action, {}).get("priced"))


def undo_line(action: str) -> str | None:
    """The action's own "can it be undone" sentence, when the table has one."""
    row = table().get(action)
    return None if row is None else str(row["undo"])


async def consequence_lines(
    call: Call,
    action: str,
    arguments: Mapping[str, Any],
    found: list[tuple[str, str, Mapping[str, Any]]],
) -> list[str]:
    """The action's sentences for its targets ``found`` as (kind, id, record): lines
    naming {target} once per target, the others once."""
    row = table().get(action)
    if row is None:
        return []
    defaults = row.get("defaults", {})
    lines: list[str] = []
    # the lines speak of the action's main target: the table's kind (the instance of
    # ApplyInstanceSnapshot, not the snapshot), else the first kind the call names
    main = row.get("kind") or (found[0][0] if found else "")
    per_call = [(k, r, rec) for k, r, rec in found if k == main] or [("", "", {})]
    once_done: set[str] = set()
    for kind, rid, record in per_call:
        target = Target(call, action, arguments, kind, rid, record)
        facts: dict[str, str] = {}
        for spec in row["lines"]:
            text = str(spec["text"])
            if not _args_match(spec.get("args", {}), arguments, defaults):
                continue
            names = _PLACEHOLDER.findall(text) + [spec[k] for k in ("if", "unless") if k in spec]
            if "target" not in names and text in once_done:
                continue
            if names and not rid:
                continue
            for name in names:
                if name not in facts:
                    facts[name] = await FACTS[name](target)
            if "if" in spec and not facts[spec["if"]]:
                continue
            if "unless" in spec and facts[spec["unless"]]:
                continue
            for name in _PLACEHOLDER.findall(text):
                text = text.replace("{" + name + "}", facts[name])
            lines.append(text[:1].upper() + text[1:])
            if "target" not in names:
                once_done.add(text)
    return lines
