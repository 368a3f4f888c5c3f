"""Firewall templates: named rule sets applied to instances in any region.

Templates belong to the account, not a region (their actions take no ``Region``), so
they live in the account-global pseudo-region whatever region a request names.
A template record is the documented ``FirewallTemplate`` plus ``_rules``
(``FirewallTemplateRuleInfo`` entries) and ``_tasks`` (``FirewallTemplateApplyRecord``).
ApplyFirewallTemplate replaces each target instance's rules (through :mod:`.firewall`,
so versions bump) and records a task that shows ``RUNNING`` until the sandbox delay has
passed, then ``SUCCESS``; instances that cannot take the template are recorded as
``FAILED`` with the reason, as the real apply records do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from lighthouse_mcp import catalog

from ..engine.context import Ctx
from ..engine.errors import SandboxError
from ..engine.listing import lookup_id, page, select
from ..engine.registry import Family
from ..engine.state import GLOBAL_REGION, Record, public
from .firewall import identity, normalise_all, replace_rules
from .instance_model import FIREWALL_TEMPLATE_ID, GONE_STATES

family = Family("firewall_templates")

TEMPLATE_QUOTA = 50
RULE_QUOTA = 100
MAX_TEMPLATE_NAME = 60
DUPLICATE_RULE = "InvalidParameterValue.DuplicatedFirewallTemplateRule"
#: Template actions document no *Malformed code; they answer ``InvalidParameterValue.Length``
#: where documented, else the code CreateInstances documents for the same mistake.
TEMPLATE_ID_MALFORMED = "InvalidParameterValue.FirewallTemplateIdMalformed"


def templates(ctx: Ctx) -> dict[str, Record]:
    return ctx.world.region(GLOBAL_REGION).table("firewall_templates")


def lookup_template(ctx: Ctx, template_id: str, field: str = "TemplateId") -> Record:
    """The template ``template_id`` (format, then existence checked)."""
    return lookup_id(
        ctx,
        templates(ctx),
        template_id,
        field=field,
        pattern=FIREWALL_TEMPLATE_ID,
        malformed=(TEMPLATE_ID_MALFORMED, "InvalidParameterValue.Length"),
        not_found=("ResourceNotFound.FirewallTemplateNotFound",),
        kind="firewall template",
    )


def _rules_in(ctx: Ctx, rules: Sequence[Mapping[str, Any]], field: str) -> list[Record]:
    return normalise_all(ctx, rules, field, DUPLICATE_RULE)


def _rule_entries(ctx: Ctx, infos: Sequence[Record]) -> list[Record]:
    return [{"TemplateRuleId": _new_rule_id(ctx), "FirewallRuleInfo": info} for info in infos]


def _new_rule_id(ctx: Ctx) -> str:
    """``lhftr-`` + 10 lowercase alphanumerics, the documented form (lhftr-gexf7cmvpq)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "lhftr-" + "".join(ctx.rng.choices(alphabet, k=10))


def _check_rule_quota(ctx: Ctx, count: int) -> None:
    if count > RULE_QUOTA:
        raise ctx.fail(
            "LimitExceeded.FirewallTemplateRuleQuotaLimitExceeded",
            f"The template would have {count} rules; at most {RULE_QUOTA}.",
            also=("InvalidParameterValue.TooLarge",),
        )


def _check_name(ctx: Ctx, name: str) -> None:
    if not name or len(name) > MAX_TEMPLATE_NAME:
        raise ctx.fail(
            "InvalidParameterValue.Length",
            f"`TemplateName` must be 1-{MAX_TEMPLATE_NAME} characters (got {len(name)}).",
            also=("InvalidParameterValue.TooLarge", "InvalidParameterValue"),
        )


@family.handler("CreateFirewallTemplate")
def create_firewall_template(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _check_name(ctx, params["TemplateName"])
    infos = _rules_in(ctx, params.get("TemplateRules") or [], "TemplateRules")
    _check_rule_quota(ctx, len(infos))
    if len(templates(ctx)) >= TEMPLATE_QUOTA:
        # The page lists no quota code of its own: the common quota code, not TooLarge
        # (which is about a value in the request).
        raise ctx.fail(
            "LimitExceeded",
            f"The firewall template quota of {TEMPLATE_QUOTA} is used up; delete a template first.",
        )
    template_id = ctx.new_id("lhft")
    templates(ctx)[template_id] = {
        "TemplateId": template_id,
        "TemplateName": params["TemplateName"],
        "TemplateType": "PRIVATE",
        "TemplateState": "NORMAL",
        "CreatedTime": ctx.iso(),
        "_rules": _rule_entries(ctx, infos),
        "_tasks": [],
    }
    return {"TemplateId": template_id}


@family.handler("DeleteFirewallTemplate")
def delete_firewall_template(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    lookup_template(ctx, params["TemplateId"])
    del templates(ctx)[params["TemplateId"]]
    return {}


@family.handler("ModifyFirewallTemplate")
def modify_firewall_template(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    if params.get("TemplateName") is not None:
        _check_name(ctx, params["TemplateName"])
        record["TemplateName"] = params["TemplateName"]
    return {}


TEMPLATE_FILTERS = {
    "template-id": lambda r: [r["TemplateId"]],
    "template-name": lambda r: [r["TemplateName"]],
    "template-type": lambda r: [r["TemplateType"]],
}


@family.handler("DescribeFirewallTemplates")
def describe_firewall_templates(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    oldest_first = sorted(
        templates(ctx).values(), key=lambda r: (r["CreatedTime"], r["TemplateId"])
    )
    rows = select(
        ctx,
        params,
        oldest_first,
        ids_param="TemplateIds",
        id_key="TemplateId",
        pattern=FIREWALL_TEMPLATE_ID,
        malformed=TEMPLATE_ID_MALFORMED,
        accessors=TEMPLATE_FILTERS,
    )
    return {"TotalCount": len(rows), "TemplateSet": [public(r) for r in page(ctx, rows, params)]}


@family.handler("DescribeFirewallTemplateQuota")
def describe_firewall_template_quota(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return {"Available": TEMPLATE_QUOTA - len(templates(ctx)), "Total": TEMPLATE_QUOTA}


@family.handler("DescribeFirewallTemplateRuleQuota")
def describe_firewall_template_rule_quota(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    return {"Available": RULE_QUOTA - len(record["_rules"]), "Total": RULE_QUOTA}


# -- template rules -----------------------------------------------------------------------


@family.handler("CreateFirewallTemplateRules")
def create_firewall_template_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    infos = _rules_in(ctx, params["TemplateRules"], "TemplateRules")
    existing = {identity(e["FirewallRuleInfo"]) for e in record["_rules"]}
    for index, info in enumerate(infos):
        if identity(info) in existing:
            raise ctx.fail(
                DUPLICATE_RULE,
                f"`TemplateRules[{index}]` ({info['Protocol']} "
                f"{info['Port']}) is already a rule of the template.",
            )
    _check_rule_quota(ctx, len(record["_rules"]) + len(infos))
    entries = _rule_entries(ctx, infos)
    record["_rules"].extend(entries)
    return {"TemplateRuleIdSet": [e["TemplateRuleId"] for e in entries]}


def _rule_index(ctx: Ctx, record: Record, rule_id: str) -> int:
    for index, entry in enumerate(record["_rules"]):
        if entry["TemplateRuleId"] == rule_id:
            return index
    raise ctx.fail(
        "ResourceNotFound.FirewallTemplateRuleNotFound",
        f"The template `{record['TemplateId']}` has no rule `{rule_id}`.",
        also=("InvalidParameterValue.Length", "InvalidParameterValue"),
    )


@family.handler("DeleteFirewallTemplateRules")
def delete_firewall_template_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    doomed = {
        record["_rules"][_rule_index(ctx, record, rid)]["TemplateRuleId"]
        for rid in params["TemplateRuleIds"]
    }
    record["_rules"] = [e for e in record["_rules"] if e["TemplateRuleId"] not in doomed]
    return {}


@family.handler("ReplaceFirewallTemplateRule")
def replace_firewall_template_rule(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    index = _rule_index(ctx, record, params["TemplateRuleId"])
    [info] = _rules_in(ctx, [params["TemplateRule"]], "TemplateRule")
    for other, entry in enumerate(record["_rules"]):
        if other != index and identity(entry["FirewallRuleInfo"]) == identity(info):
            raise ctx.fail(
                DUPLICATE_RULE,
                f"`TemplateRule` duplicates the rule `{entry['TemplateRuleId']}` of the template.",
            )
    record["_rules"][index] = {"TemplateRuleId": params["TemplateRuleId"], "FirewallRuleInfo": info}
    return {}


@family.handler("ResetFirewallTemplateRules")
def reset_firewall_template_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    _check_rule_quota(ctx, len(params["TemplateRules"]))
    infos = _rules_in(ctx, params["TemplateRules"], "TemplateRules")
    record["_rules"] = _rule_entries(ctx, infos)
    return {"TemplateRuleIdSet": [e["TemplateRuleId"] for e in record["_rules"]]}


@family.handler("DescribeFirewallTemplateRules")
def describe_firewall_template_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    rows = record["_rules"]
    wanted = params.get("TemplateRuleIds") or []
    if wanted:
        rows = [e for e in rows if e["TemplateRuleId"] in set(wanted)]
    return {
        "TotalCount": len(rows),
        "TemplateRuleSet": [public(e) for e in page(ctx, list(rows), params)],
    }


# -- applying -----------------------------------------------------------------------------


def _firewall_rule(info: Mapping[str, Any]) -> Record:
    """``FirewallRuleInfo`` -> ``FirewallRule`` (the input shape, without AppType)."""
    return {k: v for k, v in info.items() if k != "AppType"}


def _settle(ctx: Ctx, record: Record) -> None:
    """Finish apply tasks whose time has come (RUNNING details become SUCCESS)."""
    now = ctx.now()
    for task in record["_tasks"]:
        if task["ApplyState"] == "RUNNING" and now >= float(task["_done_at"]):
            for detail in task["ApplyDetailSet"]:
                if detail["ApplyState"] == "RUNNING":
                    detail["ApplyState"] = "SUCCESS"
            _count(task)


def _count(task: Record) -> None:
    states = [d["ApplyState"] for d in task["ApplyDetailSet"]]
    task.update(
        SuccessCount=states.count("SUCCESS"),
        FailedCount=states.count("FAILED"),
        RunningCount=states.count("RUNNING"),
    )
    if task["RunningCount"]:
        task["ApplyState"] = "RUNNING"
    else:
        task["ApplyState"] = (
            "FAILED" if task["FailedCount"] and not task["SuccessCount"] else "SUCCESS"
        )


def _apply_to(ctx: Ctx, target: Mapping[str, Any], rules: list[Record]) -> str:
    """Apply ``rules`` to one instance; returns "" or why it failed."""
    region = str(target.get("Region") or ctx.region)
    iid = str(target.get("InstanceId"))
    if region not in catalog.region_ids():
        return f"region {region} is not a Lighthouse region"
    there = dataclasses.replace(ctx, region=region, state=ctx.world.region(region))
    instance = there.state.table("instances").get(iid)
    if instance is None or instance["InstanceState"] in GONE_STATES:
        return f"instance {iid} does not exist in {region}"
    try:
        replace_rules(there, iid, [dict(r) for r in rules])
    except SandboxError as problem:
        return problem.message
    return ""


@family.handler("ApplyFirewallTemplate")
def apply_firewall_template(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    _settle(ctx, record)
    if not record["_rules"]:
        raise ctx.fail(
            "ResourceUnavailable.CannotApplyEmptyFirewallTemplate",
            f"The template `{record['TemplateId']}` has no rules; add rules first.",
        )
    if any(t["ApplyState"] == "RUNNING" for t in record["_tasks"]):
        raise ctx.fail(
            "ResourceUnavailable.FirewallTemplateInUse",
            f"The template `{record['TemplateId']}` is still being applied; "
            "retry when its apply record shows SUCCESS.",
        )
    targets = params["ApplyInstances"]
    if len(targets) > 100:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`ApplyInstances` has {len(targets)} items; at most 100.",
        )
    rules = [dict(e["FirewallRuleInfo"]) for e in record["_rules"]]
    details = []
    for target in targets:
        problem = _apply_to(ctx, target, rules)
        details.append(
            {
                "Instance": {
                    "InstanceId": target.get("InstanceId"),
                    "Region": target.get("Region") or ctx.region,
                },
                "ApplyState": "FAILED" if problem else "RUNNING",
                "ErrorMessage": problem,
            }
        )
    task: Record = {
        "TaskId": ctx.new_id("lgtk"),
        "ApplyTime": ctx.iso(),
        "TemplateRuleSet": [
            {
                "TemplateRuleId": e["TemplateRuleId"],
                "FirewallRule": _firewall_rule(e["FirewallRuleInfo"]),
            }
            for e in record["_rules"]
        ],
        "ApplyState": "RUNNING",
        "ApplyDetailSet": details,
        "_done_at": ctx.now() + ctx.delay,
    }
    _count(task)
    record["_tasks"].append(task)
    return {"TaskId": task["TaskId"]}


@family.handler("DescribeFirewallTemplateApplyRecords")
def describe_firewall_template_apply_records(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    record = lookup_template(ctx, params["TemplateId"])
    _settle(ctx, record)
    tasks = record["_tasks"]
    wanted = params.get("TaskIds") or []
    if wanted:
        tasks = [t for t in tasks if t["TaskId"] in set(wanted)]
    newest_first = sorted(tasks, key=lambda t: t["ApplyTime"], reverse=True)
    return {"ApplyRecordSet": [public(t) for t in newest_first]}
