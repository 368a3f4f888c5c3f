"""Assemble the catalog dict (the shape of lighthouse_mcp.catalog.Catalog).

Reads the sections found by ``sections``, the tables by ``tables``, the examples by
``examples`` and the constraints stated in descriptions by ``facts``, and checks the result
against itself (every action of the overview documented, every referenced structure
defined) so a docs change that the parser misreads fails the build instead of shipping.
"""

from __future__ import annotations

import re
from typing import Any

from . import facts
from .examples import parse_examples
from .furniture import PageTitle, clean_lines
from .sections import (
    ACTION_START,
    DocsFormatError,
    OverviewRow,
    action_spans,
    common_params,
    endpoints,
    error_tables,
    index_of,
    overview,
    regions,
    structure_spans,
)
from .tables import SCALARS, Layout, RawParam, parse_errors, parse_params
from .text import join_wrapped

SERVICE = "lighthouse"
VERSION = "2020-03-24"
GROUP_IDS = {
    "镜像": "blueprint",
    "备份点": "disk-backup",
    "防火墙": "firewall",
    "快照": "snapshot",
    "密钥": "keypair",
    "实例": "instance",
    "云联网": "ccn",
    "云硬盘": "disk",
    "其他": "other",
    "使用场景": "scene",
    "套餐": "bundle",
    "Docker容器": "docker",
    "配额": "quota",
    "地域": "region",
}
_ACTION_ROW = re.compile(r"^Action 是 String 公共参数，本接口取值：([A-Za-z]+)。$")
_RATE = re.compile(r"默认接口请求频率限制：(\d+)次/秒。")
_DESCRIPTION_NOISE = (
    re.compile(r"接口请求域名：\s*\S+\s*。"),
    _RATE,
    re.compile(r"API Explorer 提供了在线调用[^。]*。(您可查看[^。]*。)?"),
)
_COMMON_INPUTS = ("Action", "Version", "Region")


def build_catalog(text: str, source_sha256: str) -> dict[str, Any]:
    lines, titles = clean_lines(text)
    rows = overview(lines)
    structures = structure_spans(lines)
    struct_names = frozenset(s.name for s in structures)
    parsed_structs: dict[str, dict[str, Any]] = {
        s.name: {
            "name": s.name,
            "description": s.description,
            "referenced_by": s.referenced_by,
            "members": [
                param_dict(p)
                for p in parse_params(
                    lines[s.body[0] : s.body[1]],
                    Layout.REQUIRED_LAST if s.has_required else Layout.NO_REQUIRED,
                    struct_names,
                )
            ],
        }
        for s in structures
    }
    for struct in parsed_structs.values():
        rules = facts.constraints(struct["members"])
        if rules:
            struct["constraints"] = rules
    by_name = {row.name: row for row in rows}
    actions: dict[str, Any] = {}
    for start, stop in action_spans(lines, structures[0].start):
        spanned = [t for t in titles if start < t.index < stop]
        act = _action(lines[start:stop], spanned, by_name, struct_names, parsed_structs)
        if act["name"] in actions:
            raise DocsFormatError(f"action {act['name']} is documented twice")
        actions[act["name"]] = act
    missing = sorted(set(by_name) - set(actions))
    extra = sorted(set(actions) - set(by_name))
    if missing or extra:
        raise DocsFormatError(f"overview and action documents disagree: {missing=} {extra=}")
    common, business = error_tables(lines)
    catalog = {
        "service": SERVICE,
        "version": VERSION,
        "source_sha256": source_sha256,
        "endpoints": {},
        "regions": [],
        "groups": _groups(rows),
        "common_params": [
            {"name": n, "type": t, "required": r, "description": d}
            for n, t, r, d in common_params(lines)
        ],
        "common_errors": [{"code": c, "description": d} for c, d in common],
        "business_errors": [{"code": c, "description": d} for c, d in business],
        "actions": dict(sorted(actions.items())),
        "structures": dict(sorted(parsed_structs.items())),
    }
    catalog["endpoints"], catalog["regions"] = _endpoints_and_regions(lines)
    _check_types(catalog)
    return catalog


def _groups(rows: list[OverviewRow]) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row.name)
    unknown = sorted(set(groups) - set(GROUP_IDS))
    if unknown:
        raise DocsFormatError(f"overview groups without an id: {unknown}")
    return [
        {"id": GROUP_IDS[g], "name": g, "actions": sorted(names)} for g, names in groups.items()
    ]


def _endpoints_and_regions(lines: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    ep = endpoints(lines)
    template = None
    for domain in ep.regional.values():
        region = domain.removeprefix(f"{SERVICE}.").removesuffix(".tencentcloudapi.com")
        candidate = domain.replace(region, "{region}")
        if template not in (None, candidate):
            raise DocsFormatError(f"regional domains do not share one pattern: {domain}")
        template = candidate
    financial = {
        domain.removeprefix(f"{SERVICE}.").removesuffix(".tencentcloudapi.com"): (name, domain)
        for name, domain in ep.financial.items()
    }
    region_list: list[dict[str, Any]] = [
        {"region": rid, "name": name, "financial": False} for rid, name in regions(lines)
    ]
    # The endpoint table names regions the region table lacks (ap-chongqing): both count.
    listed = {r["region"] for r in region_list}
    for name, domain in ep.regional.items():
        rid = domain.removeprefix(f"{SERVICE}.").removesuffix(".tencentcloudapi.com")
        if rid not in listed:
            region_list.append({"region": rid, "name": name, "financial": False})
            listed.add(rid)
    region_list += [
        {"region": rid, "name": name, "financial": True, "endpoint": domain}
        for rid, (name, domain) in financial.items()
    ]
    endpoint_info = {
        "default": ep.default,
        "regional": template or "",
        "financial": {rid: domain for rid, (_, domain) in sorted(financial.items())},
    }
    return endpoint_info, region_list


def _section(lines: list[str], heading: str, name: str) -> int:
    try:
        return lines.index(heading)
    except ValueError:
        raise DocsFormatError(f"action {name} has no section {heading!r}") from None


def _action(
    lines: list[str],
    titles: list[PageTitle],
    overview_rows: dict[str, OverviewRow],
    struct_names: frozenset[str],
    structures: dict[str, Any],
) -> dict[str, Any]:
    if lines[0] != ACTION_START:
        raise DocsFormatError(f"action document starts with {lines[0]!r}")
    name = next((m.group(1) for ln in lines if (m := _ACTION_ROW.match(ln))), None)
    if name is None:
        raise DocsFormatError(f"action document without an Action row near {lines[1]!r}")
    if name not in overview_rows:
        raise DocsFormatError(f"action {name} is not in the API overview")
    row = overview_rows[name]
    _check_page_titles(name, row, titles)
    i_in = _section(lines, "2. 输入参数", name)
    i_out = _section(lines, "3. 输出参数", name)
    i_ex = _section(lines, "4. 示例", name)
    i_dev = _section(lines, "5. 开发者资源", name)
    i_err = _section(lines, "6. 错误码", name)
    intro = join_wrapped(lines[1:i_in])
    rate = _RATE.search(intro)
    description = intro
    for noise in _DESCRIPTION_NOISE:
        description = noise.sub("", description)
    description = re.sub(r"\n{2,}", "\n", description).strip()
    all_inputs = parse_params(lines[i_in + 1 : i_out], Layout.REQUIRED_FIRST, struct_names)
    inputs = [
        p
        for p in all_inputs
        if not (p.name in _COMMON_INPUTS and p.description.startswith("公共参数"))
    ]
    # A few actions (the firewall-template family) are account-wide: their Region row
    # reads "本接口不需要传递此参数", so tools must not ask for one.
    region_required = not any(
        p.name == "Region" and "不需要传递" in p.description for p in all_inputs
    )
    outputs = parse_params(lines[i_out + 1 : i_ex], Layout.NO_REQUIRED, struct_names)
    for p in outputs:
        p.required = None
    act: dict[str, Any] = {
        "name": name,
        "group": row.group,
        "group_id": GROUP_IDS[row.group],
        "title_zh": row.title,
        "description": description,
        "rate_limit": int(rate.group(1)) if rate else row.rate_limit,
        "region_required": region_required,
        "asynchronous": False,
        "inputs": [],
        "outputs": [param_dict(p) for p in outputs],
        "constraints": [],
        "errors": [{"code": c, "description": d} for c, d in parse_errors(lines[i_err + 1 :])],
        "examples": [],
    }
    note = facts.async_note(description)
    if note is not None:
        act["asynchronous"] = True
        act["async_note"] = note
    act["inputs"] = [param_dict(p) for p in inputs]
    facts.apply_batch_limits(description, act["inputs"])
    filter_spec = facts.filter_spec(act["inputs"], inputs)
    if filter_spec is not None:
        act["filters"] = filter_spec
    act["constraints"] = facts.constraints(act["inputs"])
    act["examples"] = parse_examples(lines[i_ex + 1 : i_dev], coercer(act["inputs"], structures))
    return act


def _check_page_titles(name: str, row: OverviewRow, titles: list[PageTitle]) -> None:
    """The title (and group heading) printed on the action's page must be the overview's:
    a mismatch means the overview table or the section split was misread."""
    for title in titles:
        if title.title and title.title != row.title:
            raise DocsFormatError(f"{name}: page title {title.title!r}, overview {row.title!r}")
        heading = title.group_heading
        if heading and heading.removesuffix("相关接口").removesuffix("接口") != row.group:
            raise DocsFormatError(f"{name}: page group {heading!r}, overview {row.group!r}")


def param_dict(raw: RawParam) -> dict[str, Any]:
    """A table row as the catalog's Param, with the facts its description states."""
    param: dict[str, Any] = {
        "name": raw.name,
        "type": raw.type,
        "array": raw.array,
        "required": raw.required,
        "description": raw.description,
    }
    if raw.example is not None:
        param["example"] = raw.example
    param.update(facts.param_facts(param))
    return param


def coercer(inputs: list[dict[str, Any]], structures: dict[str, Any]) -> facts.Coerce:
    """Types query-string example values by following the parameter path through structures."""

    def coerce(path: list[str], raw: str) -> Any:
        members = inputs
        type_ = "String"
        for step in path:
            found = next((m for m in members if m["name"] == step), None)
            if found is None:
                return raw
            type_ = found["type"]
            members = structures.get(type_, {}).get("members", [])
        return facts.typed_value(type_, raw)

    return coerce


def _check_types(catalog: dict[str, Any]) -> None:
    known = set(catalog["structures"]) | SCALARS | {"Timestamp ISO8601"}
    for owner, params in [
        *((f"action {n}", a["inputs"] + a["outputs"]) for n, a in catalog["actions"].items()),
        *((f"structure {n}", s["members"]) for n, s in catalog["structures"].items()),
    ]:
        for p in params:
            if p["type"] not in known:
                raise DocsFormatError(f"{owner}: {p['name']} has unknown type {p['type']!r}")


__all__ = ["build_catalog", "coercer", "index_of", "param_dict"]
