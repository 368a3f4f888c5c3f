"""MCP resources: the catalog (regions, every action's full documentation) and live views.

A tool description carries one or two sentences, because the whole tool list is paid for
on every turn; the full documentation of an action (every parameter in Chinese and
English, structures, errors, the async wait) is one ``resources/read`` away instead:
``lighthouse://actions/{Action}``. Live views (``lighthouse://instances/{Region}/
{InstanceId}``) read through the same shared client and read-only pipeline as the tools.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from lighthouse_mcp import catalog
from lighthouse_mcp.client.errors import LighthouseError
from lighthouse_mcp.server.execute import Pipeline, Services
from lighthouse_mcp.server.registry import Registry, ResourceSpec, ResourceTemplateSpec
from lighthouse_mcp.server.results import drop_nulls
from lighthouse_mcp.tools.descriptions import tool_title
from lighthouse_mcp.tools.docs import render_action
from lighthouse_mcp.tools.followups import recipe
from lighthouse_mcp.tools.whole_lists import TRUNCATED, all_pages

SCHEME = "lighthouse://"
REGIONS_URI = f"{SCHEME}regions"
ACTIONS_URI = f"{SCHEME}actions"
ACTION_TEMPLATE = f"{SCHEME}actions/{{Action}}"
INSTANCE_TEMPLATE = f"{SCHEME}instances/{{Region}}/{{InstanceId}}"
INSTANCES_TEMPLATE = f"{SCHEME}instances/{{Region}}"

_ACTION_URI = re.compile(r"^lighthouse://actions/([^/]+)$")
_INSTANCE_URI = re.compile(r"^lighthouse://instances/([a-z0-9-]+)/([^/]+)$")
_INSTANCES_URI = re.compile(r"^lighthouse://instances/([a-z0-9-]+)$")

#: Instance fields the live summary keeps (the rest is in DescribeInstances).
INSTANCE_FIELDS = (
    "InstanceId",
    "InstanceName",
    "InstanceState",
    "Zone",
    "BundleId",
    "BlueprintId",
    "CPU",
    "Memory",
    "SystemDisk",
    "PublicAddresses",
    "PrivateAddresses",
    "PlatformType",
    "OsName",
    "LoginSettings",
    "InstanceChargeType",
    "RenewFlag",
    "CreatedTime",
    "ExpiredTime",
    "IsolatedTime",
    "LatestOperation",
    "LatestOperationState",
    "LatestOperationRequestId",
    "Tags",
)
#: The fields of one row of the region's instance list.
LIST_FIELDS = (
    "InstanceId",
    "InstanceName",
    "InstanceState",
    "Zone",
    "BundleId",
    "PublicAddresses",
    "ExpiredTime",
    "RenewFlag",
    "LatestOperationState",
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def _invalid(message: str) -> Exception:
    return MCPError(code=types.INVALID_PARAMS, message=message)


def regions_json() -> str:
    """Every region the catalog knows (the docs' region table)."""
    rows = []
    for r in catalog.load_catalog()["regions"]:
        row: dict[str, Any] = {
            "Region": r["region"],
            "RegionName": r["name"],
            "Financial": r["financial"],
        }
        if "endpoint" in r:
            row["Endpoint"] = r["endpoint"]
        rows.append(row)
    return _dumps(
        {"Regions": rows, "Note": "DescribeRegions lists the regions open to the account now."}
    )


def actions_index(exposed: tuple[str, ...]) -> str:
    """One line per action: name, group, safety class, English and Chinese titles."""
    lines = [
        f"# Lighthouse API {catalog.API_VERSION} actions",
        f"Full documentation of one: {ACTION_TEMPLATE}. `*` = not exposed by this server.",
        "",
    ]
    shown = set(exposed)
    for name in catalog.action_names():
        act = catalog.action(name)
        mark = "" if name in shown else " *"
        lines.append(
            f"- {name}{mark} [{act['group_id']}, {catalog.safety_class(name)}]: "
            f"{tool_title(name, 'en')} / {act['title_zh']}"
        )
    return "\n".join(lines) + "\n"


def action_document(name: str) -> str:
    """Everything known about one action: the English overlay (title, description, safety
    class and reason, parameter notes, the wait that observes it), then the docs' full
    Chinese text as `lighthouse-mcp catalog NAME` prints it."""
    overlay: Mapping[str, Any] = catalog.load_overlay()["actions"].get(name) or {}
    act = catalog.action(name)
    lines = [f"# {name}", ""]
    if overlay.get("title"):
        lines.append(f"**{overlay['title']}** — {act['title_zh']}")
    if overlay.get("description"):
        lines += ["", overlay["description"]]
    lines += [
        "",
        f"Safety: {catalog.safety_class(name)}"
        + (f" — {overlay['reason']}" if overlay.get("reason") else ""),
    ]
    if overlay.get("secret_output"):
        lines.append("Returns a credential (secret output).")
    wait = recipe(name)
    if wait is not None:
        how = (
            "its operation (operation_request_id = the call's RequestId)"
            if wait.target == "operation"
            else f"target_state {wait.target}"
        )
        lines.append(
            f"Asynchronous: wait_for resource={wait.kind} with the IDs from "
            f"{wait.ids} and {how}; the result's Next gives the exact arguments."
        )
    params = {k: v for k, v in (overlay.get("params") or {}).items() if v}
    if params:
        lines += ["", "## Parameters (English notes)"]
        lines += [f"- {k}: {v}" for k, v in params.items()]
    lines += [
        "",
        "## Documentation (Chinese, from the API docs)",
        "",
        "```text",
        _without_examples_line(render_action(act, catalog.load_catalog())),
        "```",
    ]
    if act["examples"]:
        lines += ["", "## Examples"]
        for ex in act["examples"]:
            lines += [
                "",
                f"### {ex['title']}",
                "Input:",
                "```json",
                _dumps(ex["input"]) if not isinstance(ex["input"], str) else ex["input"],
                "```",
                "Output:",
                "```json",
                _dumps(ex["output"]) if not isinstance(ex["output"], str) else ex["output"],
                "```",
            ]
    return "\n".join(lines) + "\n"


def _without_examples_line(text: str) -> str:
    """The CLI's text ends with "Examples: N (...) — see --json"; here they follow in full."""
    return "\n".join(line for line in text.split("\n") if not line.startswith("Examples: "))


async def read_action(uri: str) -> str:
    match = _ACTION_URI.match(uri)
    if match is None:
        raise KeyError(uri)
    name = match.group(1)
    if name not in catalog.action_names():
        close = difflib.get_close_matches(name, catalog.action_names(), n=3, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise _invalid(f"no Lighthouse action named {name!r} (list: {ACTIONS_URI}).{hint}")
    return action_document(name)


def _region(region: str) -> str:
    if region not in catalog.region_ids():
        raise _invalid(f"Region {region!r} is not a Lighthouse region (see {REGIONS_URI}).")
    return region


def instances_reader(pipeline: Pipeline) -> Callable[[str], Any]:
    """The region's instances, one short row each, every page (tools.whole_lists' caps,
    counted over the short rows)."""
    fields = [f"InstanceSet.{k}" for k in LIST_FIELDS] + ["TotalCount"]

    async def read(uri: str) -> str:
        match = _INSTANCES_URI.match(uri)
        if match is None:
            raise KeyError(uri)
        region = _region(match.group(1))

        async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            return await pipeline.read(action, params, region=region)

        try:
            listed = await all_pages(call, "DescribeInstances", {}, fields=fields)
        except LighthouseError as exc:  # its str is safe by the client's contract
            raise _invalid(f"instances in {region}: {exc}") from None
        rows = [
            {k: r[k] for k in LIST_FIELDS if r.get(k) is not None} for r in listed["InstanceSet"]
        ]
        out: dict[str, Any] = {
            "Region": region,
            "TotalCount": listed.get("TotalCount"),
            "Instances": rows,
            "Details": f"{SCHEME}instances/{region}/{{InstanceId}}",
        }
        if TRUNCATED in listed:
            out["Note"] = listed[TRUNCATED]["hint"]
        return _dumps(out)

    return read


def instance_reader(pipeline: Pipeline) -> Callable[[str], Any]:
    async def read(uri: str) -> str:
        match = _INSTANCE_URI.match(uri)
        if match is None:
            raise KeyError(uri)
        region, instance_id = _region(match.group(1)), match.group(2)
        try:
            found = await pipeline.read(
                "DescribeInstances", {"InstanceIds": [instance_id]}, region=region
            )
            records = found.get("InstanceSet") or []
            if not records:
                raise _invalid(f"no instance {instance_id} in {region}")
            rules = await pipeline.read(
                "DescribeFirewallRules", {"InstanceId": instance_id, "Limit": 100}, region=region
            )
        except LighthouseError as exc:  # its str is safe by the client's contract
            raise _invalid(f"{instance_id} in {region}: {exc}") from None
        return _dumps(instance_summary(records[0], rules))

    return read


def instance_summary(record: Mapping[str, Any], rules: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that answer "what is this instance and can I reach it"."""
    out = {k: record[k] for k in INSTANCE_FIELDS if record.get(k) is not None}
    out["Firewall"] = drop_nulls(
        {
            "FirewallVersion": rules.get("FirewallVersion"),
            "TotalCount": rules.get("TotalCount"),
            "Rules": rules.get("FirewallRuleSet") or [],
        }
    )
    return out


def install(registry: Registry, services: Services) -> None:
    """Add the catalog resources and the live views (read through the pipeline). A live
    view whose reads the exposure flags leave out is not offered (Registry.outside_bounds);
    the catalog's documentation is offered whatever the flags."""
    exposed = registry.exposed_actions

    async def read_regions(uri: str) -> str:
        return regions_json()

    async def read_index(uri: str) -> str:
        return actions_index(exposed)

    registry.add_resource(
        ResourceSpec(
            types.Resource(
                uri=REGIONS_URI,
                name="regions",
                title="Lighthouse regions",
                description="Every region of the API docs: ID, name, financial-zone endpoint.",
                mime_type="application/json",
            ),
            read_regions,
        )
    )
    registry.add_resource(
        ResourceSpec(
            types.Resource(
                uri=ACTIONS_URI,
                name="actions",
                title="Lighthouse actions",
                description="Index of every API action with group, safety class and titles.",
                mime_type="text/markdown",
            ),
            read_index,
        )
    )
    registry.add_resource_template(
        ResourceTemplateSpec(
            types.ResourceTemplate(
                uri_template=ACTION_TEMPLATE,
                name="action",
                title="Lighthouse action documentation",
                description="One action's full documentation: English overlay, the Chinese docs "
                "(every parameter, structure, error, example), its async wait.",
                mime_type="text/markdown",
            ),
            read_action,
        )
    )
    pipeline = services.pipeline
    registry.add_resource_template(
        ResourceTemplateSpec(
            types.ResourceTemplate(
                uri_template=INSTANCE_TEMPLATE,
                name="instance",
                title="Lighthouse instance (live)",
                description="Live summary of one instance: state, addresses, bundle, expiry, "
                "latest operation, firewall rules.",
                mime_type="application/json",
            ),
            instance_reader(pipeline),
            needs=("DescribeInstances", "DescribeFirewallRules"),
            matches=lambda uri: _INSTANCE_URI.match(uri) is not None,
        )
    )
    registry.add_resource_template(
        ResourceTemplateSpec(
            types.ResourceTemplate(
                uri_template=INSTANCES_TEMPLATE,
                name="instances",
                title="Lighthouse instances in a region (live)",
                description="Every instance of a region, one row each: ID, name, state, zone, "
                "bundle, public IPs, expiry, renew flag.",
                mime_type="application/json",
            ),
            instances_reader(pipeline),
            needs=("DescribeInstances",),
            matches=lambda uri: _INSTANCES_URI.match(uri) is not None,
        )
    )
