"""Refuse before asking: what the server can know will fail, found before a person is
asked to approve it.

Asking someone to approve a call that is certain to fail wastes their attention and
teaches them to click yes. So before the gate asks, the preview's own lookups are
judged: a target that does not exist; a target in a state the action does not run in
(the rule table tools/state_rules.json, from the docs' 接口描述, with the fix to name);
the API's own Describe*DeniedActions where the kind has one; the dry run of a billing
call (quota, balance, sold out), or for a creation without one its quota
(DescribeGeneralResourceQuotas). Each problem is one sentence that names the fix, e.g.
"TerminateInstances needs SHUTDOWN: IsolateInstances first (lhins-… is RUNNING)".
The gate's re-check right before sending stays: this only spares the person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.quoting import one_line
from lighthouse_mcp.tools.resource_kinds import KINDS


@dataclass(frozen=True)
class StateRule:
    """An action runs on a target of ``kind`` only when ``field`` is one of ``allowed``."""

    action: str
    kind: str
    field: str
    allowed: tuple[str, ...]
    fix: Mapping[str, str]

    def problem(self, rid: str, record: Mapping[str, Any]) -> str | None:
        value = record.get(self.field)
        if value is None or value in self.allowed:
            return None
        fix = self.fix.get(str(value)) or self.fix.get("*") or "see the docs"
        needs = " or ".join(self.allowed)
        return f"{self.action} needs {needs}: {fix} ({rid} is {value})"


@cache
def _table() -> dict[str, Any]:
    text = resources.files("lighthouse_mcp.tools").joinpath("state_rules.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def state_rules() -> dict[tuple[str, str], tuple[StateRule, ...]]:
    """(action, kind) -> its rules, from tools/state_rules.json."""
    out: dict[tuple[str, str], list[StateRule]] = {}
    for row in _table()["rules"]:
        rule = StateRule(
            row["action"], row["kind"], row["field"], tuple(row["allowed"]), dict(row["fix"])
        )
        out.setdefault((rule.action, rule.kind), []).append(rule)
    return {key: tuple(rules) for key, rules in out.items()}


def dry_run_fix(code: str) -> str | None:
    """What to do when a billing call's dry run fails with ``code`` (None: unknown)."""
    fixes: dict[str, str] = _table()["dry_run_fixes"]
    return fixes.get(code)


def missing_problem(action: str, kind_name: str, rid: str, region: str) -> str:
    kind = KINDS[kind_name]
    return (
        f"{action} cannot run: the {kind.label} {rid} does not exist in {region} "
        f"({kind.describe} does not list it); check the ID"
    )


def state_problems(action: str, kind_name: str, rid: str, record: Mapping[str, Any]) -> list[str]:
    """Why ``action`` cannot run on this target in its current state (empty: it can)."""
    found = (rule.problem(rid, record) for rule in state_rules().get((action, kind_name), ()))
    return [p for p in found if p]


async def denied_problems(call: Call, action: str, kind_name: str, ids: Sequence[str]) -> list[str]:
    """What the API's own Describe*DeniedActions says about ``action`` on these targets.

    A failed lookup adds nothing: this only spares the person a certain failure, and
    the API still refuses the call itself if it must.
    """
    kind = KINDS[kind_name]
    if kind.denied_actions is None or not ids:
        return []
    describe, set_field = kind.denied_actions
    try:
        response = await call(describe, {kind.ids_param: list(ids)})
    except Exception:
        return []
    problems: list[str] = []
    for row in response.get(set_field) or []:
        for denied in row.get("DeniedActions") or []:
            if denied.get("Action") == action:
                message = one_line(str(denied.get("Message") or "").strip())
                code = denied.get("Code") or "denied"
                problems.append(
                    f"the API denies {action} on {row.get(kind.id_field)} now ({code})"
                    + (f": {message}" if message else "")
                )
    return problems


async def quota_problem(call: Call, action: str, arguments: Mapping[str, Any]) -> str | None:
    """Whether a creation without a dry run exceeds what its quota has left (None: it
    fits, or the quota could not be read; the API still refuses the call if it must)."""
    spec = _table()["quotas"].get(action)
    if spec is None:
        return None
    wanted = arguments.get(spec.get("count", ""), 1)
    try:
        found = await call("DescribeGeneralResourceQuotas", {"ResourceNames": [spec["resource"]]})
    except Exception:
        return None
    for row in found.get("GeneralResourceQuotaSet") or []:
        left = row.get("ResourceQuotaAvailable")
        if isinstance(left, int) and isinstance(wanted, int) and wanted > left:
            return (
                f"{action} needs {wanted} of the {spec['resource']} quota but "
                f"{left} of {row.get('ResourceQuotaTotal')} are left: free some or ask "
                "Tencent Cloud to raise it (DescribeGeneralResourceQuotas shows it)"
            )
    return None


def dry_run_problem(action: str, code: str) -> str:
    fix = dry_run_fix(code)
    said = f"{action}'s dry run says the API would refuse it ({code})"
    return f"{said}: {fix}" if fix else said
