"""One service's catalog: the spec's actions and structures, plus the docs' facts.

The spec (api.json, examples.json) is the source of every action, parameter, structure,
description and example. Facts the spec lacks come from the documentation text where a
service has one (Lighthouse): per-action error codes, rate limits, action groups, the
actions that take no Region, the endpoint and region tables, the common parameters and
error codes. An action the docs do not cover gets the service's stated defaults, and
names the fields that are defaults in its ``defaults`` list, so nobody mistakes them for
documented facts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from catalog_parse.assemble import build_catalog as build_docs_catalog

from . import spec

#: Stated defaults for what the docs do not say about an action.
DEFAULT_RATE_LIMIT = 20  # the rate most documented Lighthouse actions have (80 of 108)
DEFAULTS_TEXT = (
    "Actions missing from the documentation text get these defaults: rate_limit "
    f"{DEFAULT_RATE_LIMIT} requests/second (the most common documented rate), no "
    "action-specific error codes (the common ones apply), the group named in the "
    "generator's table (or one group per service), and a Region unless the spec says "
    "the action takes none. Each such action lists the defaulted fields in 'defaults'."
)


@dataclass(frozen=True)
class Service:
    name: str
    version: str  # e.g. "2020-03-24"
    title: str  # English group name when the service has no docs groups
    actions: tuple[str, ...] | None = None  # the subset to build; None = every action
    #: action -> (group id, group name) for actions the docs do not group
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return f"{self.name}/v{self.version.replace('-', '')}"

    @property
    def catalog_file(self) -> str:
        return f"{self.name}-{self.version}.json"


_MCP = ("mcp-server", "MCP Server")
_BLUEPRINT = ("blueprint", "镜像")
SERVICES = {
    "lighthouse": Service(
        "lighthouse",
        "2020-03-24",
        "Lighthouse",
        groups={
            "CreateMcpServer": _MCP,
            "DescribeMcpServers": _MCP,
            "DescribeMcpServerTemplates": _MCP,
            "ModifyMcpServer": _MCP,
            "RemoveMcpServers": _MCP,
            "RestartMcpServers": _MCP,
            "StartMcpServers": _MCP,
            "StopMcpServers": _MCP,
            "DescribeImagesToShare": _BLUEPRINT,
            "ModifyImageSharePermission": _BLUEPRINT,
            "DescribeBlueprintsShareAcrossAccountInfos": _BLUEPRINT,
            "DescribeBlueprintBundles": ("bundle", "套餐"),
        },
    ),
    "tat": Service("tat", "2020-10-28", "TencentCloud Automation Tools"),
    "monitor": Service(
        "monitor",
        "2018-07-24",
        "Cloud Monitor",
        actions=(
            "DescribeAlarmHistories",
            "DescribeAlarmNotices",
            "DescribeAlarmPolicies",
            "DescribeAlarmPolicy",
            "DescribeBaseMetrics",
            "DescribeStatisticData",
            "GetMonitorData",
        ),
    ),
}


def sha256(*texts: str) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()


def build(
    service: Service,
    api: dict[str, Any],
    examples: dict[str, Any],
    spec_package: dict[str, str],
    docs_text: str | None,
    source_sha256: str,
) -> dict[str, Any]:
    if api["metadata"]["apiVersion"] != service.version:
        raise spec.SpecFormatError(
            f"{service.name}: spec version {api['metadata']['apiVersion']}, "
            f"expected {service.version}"
        )
    names = sorted(api["actions"]) if service.actions is None else list(service.actions)
    unknown = sorted(set(names) - set(api["actions"]))
    if unknown:
        raise spec.SpecFormatError(f"{service.name}: actions not in the spec: {unknown}")
    structs = spec.structures(api)
    docs = build_docs_catalog(docs_text, "") if docs_text is not None else None
    actions = {
        name: _action(service, api, name, examples["actions"].get(name, []), structs, docs)
        for name in names
    }
    used = _used_structures(actions, structs)
    structures = {n: s for n, s in structs.items() if n in used}
    for struct in structures.values():
        struct["referenced_by"] = [a for a in struct["referenced_by"] if a in actions]
    return {
        "service": service.name,
        "version": service.version,
        "source_sha256": source_sha256,
        "spec": {**spec_package, "path": f"specs/{service.folder}"},
        "stated_defaults": {
            "rate_limit": DEFAULT_RATE_LIMIT,
            "errors": [],
            "text": DEFAULTS_TEXT,
        },
        "endpoints": docs["endpoints"] if docs else _endpoints(service.name),
        "regions": docs["regions"] if docs else [],
        "groups": _groups(actions),
        "common_params": docs["common_params"] if docs else [],
        "common_errors": docs["common_errors"] if docs else [],
        "business_errors": docs["business_errors"] if docs else [],
        "actions": actions,
        "structures": structures,
    }


def _action(
    service: Service,
    api: dict[str, Any],
    name: str,
    examples: list[dict[str, Any]],
    structs: dict[str, dict[str, Any]],
    docs: dict[str, Any] | None,
) -> dict[str, Any]:
    act = spec.action(api, name, examples, structs)
    documented = docs["actions"].get(name) if docs else None
    if documented is not None:
        act.update(
            group=documented["group"],
            group_id=documented["group_id"],
            rate_limit=documented["rate_limit"],
            region_required=documented["region_required"],
            errors=documented["errors"],
        )
    else:
        group_id, group = service.groups.get(name, (service.name, service.title))
        act.update(
            group=group,
            group_id=group_id,
            rate_limit=DEFAULT_RATE_LIMIT,
            region_required=not spec.region_free(api, name),
            errors=[],
            defaults=["errors", "group", "rate_limit"],
        )
    return act


def _used_structures(
    actions: dict[str, dict[str, Any]], structs: dict[str, dict[str, Any]]
) -> set[str]:
    stack = [p["type"] for a in actions.values() for p in a["inputs"] + a["outputs"]]
    used: set[str] = set()
    while stack:
        name = stack.pop()
        if name in structs and name not in used:
            used.add(name)
            stack += [m["type"] for m in structs[name]["members"]]
    return used


def _groups(actions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for name, act in actions.items():
        group = groups.setdefault(
            act["group_id"], {"id": act["group_id"], "name": act["group"], "actions": []}
        )
        group["actions"].append(name)
    return [groups[k] for k in sorted(groups)]


def _endpoints(name: str) -> dict[str, Any]:
    return {
        "default": f"{name}.tencentcloudapi.com",
        "regional": f"{name}.{{region}}.tencentcloudapi.com",
        "financial": {},
    }
