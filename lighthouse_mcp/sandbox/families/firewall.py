"""Per-instance firewall rules: create, delete, replace, describe, re-describe.

Each instance has one firewall (``state.table("firewall")[instance_id]`` =
``{"version": int, "rules": [FirewallRuleInfo, ...]}``) created with the instance. Every
change bumps ``version``; a request that names a ``FirewallVersion`` other than the
current one is refused with ``UnsupportedOperation.FirewallVersionMismatch`` — that is
the API's optimistic lock, and the reason clients read the version first. Rules are
normalised once (:func:`normalise`) so duplicates are detected however they are spelled,
and template rules (:mod:`.firewall_templates`) share the same checks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..engine import seed
from ..engine.context import Ctx
from ..engine.listing import page
from ..engine.registry import Family
from ..engine.state import Record
from .instance_model import lookup

family = Family("firewall")

PROTOCOLS = ("TCP", "UDP", "ICMP", "ICMPv6", "ALL")
ACTIONS = ("ACCEPT", "DROP")
MAX_RULES = 100
MAX_DESCRIPTION = 64
MAX_PORT_TEXT = 64

_WELL_KNOWN = {
    ("TCP", "80"): "HTTP(80)",
    ("TCP", "443"): "HTTPS(443)",
    ("TCP", "22"): "Linux登录(22)",
    ("TCP", "3389"): "Windows登录(3389)",
    ("TCP", "3306"): "MySQL(3306)",
    ("TCP", "1433"): "SQL Server(1433)",
    ("TCP", "21"): "FTP (21)",
    ("TCP", "1-65535"): "全部TCP",
    ("TCP", "ALL"): "全部TCP",
    ("UDP", "1-65535"): "全部UDP",
    ("UDP", "ALL"): "全部UDP",
    ("ICMP", "ALL"): "Ping-ICMP",
    ("ICMPv6", "ALL"): "Ping (IPv6)",
    ("ALL", "ALL"): "ALL",
}


def _info(protocol: str, port: str, description: str) -> Record:
    return {
        "AppType": _WELL_KNOWN.get((protocol, port), "自定义"),
        "Protocol": protocol,
        "Port": port,
        "CidrBlock": "0.0.0.0/0",
        "Ipv6CidrBlock": "",
        "Action": "ACCEPT",
        "FirewallRuleDescription": description,
    }


#: DescribeFirewallRulesTemplate: the rule templates the console offers (docs' example).
RULE_TEMPLATES: tuple[Record, ...] = (
    _info("TCP", "3389", "放通Windows远程登录"),
    _info("TCP", "22", "放通Linux SSH登录"),
    _info("TCP", "80", "放通Web服务HTTP(80)，如 Apache、Nginx"),
    _info("TCP", "443", "放通Web服务HTTPS(443)，如 Apache、Nginx"),
    _info("TCP", "3306", "放通MySQL服务(3306)"),
    _info("TCP", "1433", "放通SQL Server服务(1433)"),
    _info("TCP", "1-65535", "放通全部TCP"),
    _info("UDP", "1-65535", "放通全部UDP"),
    _info("ICMP", "ALL", "放通Ping"),
    _info("ALL", "ALL", "放通全部TCP、UDP、ICMP(Ping)以及GRE"),
)


class RuleProblem(ValueError):
    """A rule breaks the documented format: ``code`` is the error to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _check_port(port: str, where: str) -> None:
    if len(port) > MAX_PORT_TEXT:
        raise RuleProblem(
            "InvalidParameterValue", f"`{where}.Port` is longer than {MAX_PORT_TEXT} characters."
        )
    if port == "ALL":
        return
    expected = (
        f"`{where}.Port` is `{port}`; expected ALL, a port (1-65535), ports "
        "separated by commas, or a range like 8000-8080"
    )
    if "," in port and "-" in port:
        raise RuleProblem("InvalidParameterValue", expected + " (not both).")
    parts = port.split("-") if "-" in port else port.split(",")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise RuleProblem("InvalidParameterValue", expected + ".") from None
    if any(not 1 <= n <= 65535 for n in numbers) or (
        "-" in port and (len(numbers) != 2 or numbers[0] >= numbers[1])
    ):
        raise RuleProblem("InvalidParameterValue", expected + ".")


def _check_cidr(value: str, version: int, where: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        network = None
    if network is None or network.version != version:
        kind = "IPv4" if version == 4 else "IPv6"
        raise RuleProblem(
            "InvalidParameterValue",
            f"`{where}` is `{value}`; expected an {kind} address or CIDR block.",
        )
    return value


def normalise(rule: Mapping[str, Any], where: str) -> Record:
    """A ``FirewallRule`` input as a complete ``FirewallRuleInfo`` (defaults filled in).

    Raises :class:`RuleProblem` naming the field; callers turn it into the action's code.
    """
    protocol = str(rule.get("Protocol", ""))
    matched = next((p for p in PROTOCOLS if p.upper() == protocol.upper()), None)
    if matched is None:
        raise RuleProblem(
            "InvalidParameterValue",
            f"`{where}.Protocol` is `{protocol}`; expected one of {', '.join(PROTOCOLS)}.",
        )
    port = str(rule.get("Port") or "ALL").strip()
    if matched in ("TCP", "UDP"):
        _check_port(port, where)
    elif port != "ALL":
        raise RuleProblem(
            "InvalidParameter.ParameterConflict",
            f"`{where}.Port` must be empty or ALL when Protocol is {matched}.",
        )
    cidr = rule.get("CidrBlock") or ""
    cidr6 = rule.get("Ipv6CidrBlock") or ""
    if cidr and cidr6:
        raise RuleProblem(
            "InvalidParameter.ParameterConflict",
            f"`{where}` sets both CidrBlock and Ipv6CidrBlock; they are mutually exclusive.",
        )
    if matched == "ICMP" and cidr6:
        raise RuleProblem(
            "InvalidParameter.ParameterConflict",
            f"`{where}`: ICMP rules take CidrBlock, not Ipv6CidrBlock.",
        )
    if matched == "ICMPv6" and cidr:
        raise RuleProblem(
            "InvalidParameter.ParameterConflict",
            f"`{where}`: ICMPv6 rules take Ipv6CidrBlock, not CidrBlock.",
        )
    if not cidr and not cidr6:
        if matched == "ICMPv6":
            cidr6 = "::/0"
        else:
            cidr = "0.0.0.0/0"
    if cidr:
        _check_cidr(cidr, 4, f"{where}.CidrBlock")
    if cidr6:
        _check_cidr(cidr6, 6, f"{where}.Ipv6CidrBlock")
    action = str(rule.get("Action") or "ACCEPT").upper()
    if action not in ACTIONS:
        raise RuleProblem(
            "InvalidParameterValue",
            f"`{where}.Action` is `{rule.get('Action')}`; expected ACCEPT or DROP.",
        )
    description = str(rule.get("FirewallRuleDescription") or "")
    if len(description) > MAX_DESCRIPTION:
        raise RuleProblem(
            "InvalidParameterValue.FirewallRuleDescriptionTooLong",
            f"`{where}.FirewallRuleDescription` has {len(description)} "
            f"characters; at most {MAX_DESCRIPTION}.",
        )
    return {
        "AppType": _WELL_KNOWN.get((matched, port), "自定义"),
        "Protocol": matched,
        "Port": port,
        "CidrBlock": cidr,
        "Ipv6CidrBlock": cidr6,
        "Action": action,
        "FirewallRuleDescription": description,
    }


def identity(rule: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """What makes two rules the same rule (the description does not)."""
    return (
        rule["Protocol"],
        rule["Port"],
        rule["CidrBlock"],
        rule["Ipv6CidrBlock"],
        rule["Action"],
    )


def normalise_all(
    ctx: Ctx, rules: Sequence[Mapping[str, Any]], field: str, duplicate_code: str
) -> list[Record]:
    """Normalise a rule list and refuse duplicates inside it with ``duplicate_code``."""
    out: list[Record] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for index, rule in enumerate(rules):
        where = f"{field}[{index}]"
        try:
            clean = normalise(rule, where)
        except RuleProblem as problem:
            raise ctx.fail(problem.code, str(problem), also=("InvalidParameterValue",)) from None
        key = identity(clean)
        if key in seen:
            raise ctx.fail(
                duplicate_code,
                f"`{where}` repeats an earlier rule of the request "
                f"({clean['Protocol']} {clean['Port']} "
                f"{clean['CidrBlock'] or clean['Ipv6CidrBlock']} {clean['Action']}).",
                also=("InvalidParameterValue.Duplicated",),
            )
        seen.add(key)
        out.append(clean)
    return out


# -- state --------------------------------------------------------------------------------


def init_firewall(ctx: Ctx, iid: str, rules: Iterable[Mapping[str, Any]] | None = None) -> None:
    """Give a new instance its firewall: ``rules`` (a template's) or the platform defaults."""
    platform = ctx.state.table("instances")[iid].get("PlatformType", "LINUX_UNIX")
    source = seed.default_firewall_rules(platform) if rules is None else rules
    ctx.state.table("firewall")[iid] = {
        "version": 1,
        "rules": [normalise(r, "FirewallRules") for r in source],
    }


def drop_firewall(ctx: Ctx, iid: str) -> None:
    ctx.state.table("firewall").pop(iid, None)


def firewall_of(ctx: Ctx, iid: str) -> Record:
    """The firewall of instance ``iid`` (checked); instances seeded without one get defaults."""
    lookup(ctx, iid)
    table = ctx.state.table("firewall")
    if iid not in table:
        init_firewall(ctx, iid)
    return table[iid]


def _check_version(ctx: Ctx, fw: Record, params: Mapping[str, Any]) -> None:
    wanted = params.get("FirewallVersion")
    if wanted is not None and int(wanted) != int(fw["version"]):
        raise ctx.fail(
            "UnsupportedOperation.FirewallVersionMismatch",
            f"`FirewallVersion` is {wanted} but the firewall is at version "
            f"{fw['version']}; read it again with DescribeFirewallRules.",
        )


def replace_rules(ctx: Ctx, iid: str, rules: list[Record]) -> None:
    """Set an instance's rules and bump the version (also used by firewall templates)."""
    fw = firewall_of(ctx, iid)
    fw["rules"] = rules
    fw["version"] = int(fw["version"]) + 1


def _editable(ctx: Ctx, params: Mapping[str, Any]) -> Record:
    fw = firewall_of(ctx, params["InstanceId"])
    _check_version(ctx, fw, params)
    return fw


# -- handlers -----------------------------------------------------------------------------


@family.handler("CreateFirewallRules")
def create_firewall_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    fw = _editable(ctx, params)
    new = normalise_all(
        ctx, params["FirewallRules"], "FirewallRules", "InvalidParameter.FirewallRulesDuplicated"
    )
    existing = {identity(r) for r in fw["rules"]}
    for index, rule in enumerate(new):
        if identity(rule) in existing:
            raise ctx.fail(
                "InvalidParameter.FirewallRulesExist",
                f"`FirewallRules[{index}]` ({rule['Protocol']} {rule['Port']}) "
                "already exists on the instance.",
            )
    if len(fw["rules"]) + len(new) > MAX_RULES:
        raise ctx.fail(
            "LimitExceeded.FirewallRulesLimitExceeded",
            f"The firewall would have {len(fw['rules']) + len(new)} rules; "
            f"at most {MAX_RULES} are allowed.",
        )
    replace_rules(ctx, params["InstanceId"], [*fw["rules"], *new])
    return {}


@family.handler("DeleteFirewallRules")
def delete_firewall_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    fw = _editable(ctx, params)
    doomed = normalise_all(
        ctx, params["FirewallRules"], "FirewallRules", "InvalidParameter.FirewallRulesDuplicated"
    )
    existing = {identity(r) for r in fw["rules"]}
    for index, rule in enumerate(doomed):
        if identity(rule) not in existing:
            raise ctx.fail(
                "ResourceNotFound.FirewallRulesNotFound",
                f"`FirewallRules[{index}]` ({rule['Protocol']} {rule['Port']} "
                f"{rule['CidrBlock'] or rule['Ipv6CidrBlock']} {rule['Action']}) "
                "is not a rule of the instance.",
            )
    gone = {identity(r) for r in doomed}
    replace_rules(ctx, params["InstanceId"], [r for r in fw["rules"] if identity(r) not in gone])
    return {}


@family.handler("ModifyFirewallRules")
def modify_firewall_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Replace every rule of the instance with ``FirewallRules`` (docs: delete then add)."""
    _editable(ctx, params)
    rules = params["FirewallRules"]
    if len(rules) > MAX_RULES:
        raise ctx.fail(
            "InvalidParameterValue.LimitExceeded",
            f"`FirewallRules` has {len(rules)} rules; at most {MAX_RULES}.",
        )
    new = normalise_all(ctx, rules, "FirewallRules", "InvalidParameter.FirewallRulesDuplicated")
    replace_rules(ctx, params["InstanceId"], new)
    return {}


@family.handler("ModifyFirewallRuleDescription")
def modify_firewall_rule_description(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    fw = _editable(ctx, params)
    [target] = normalise_all(
        ctx, [params["FirewallRule"]], "FirewallRule", "InvalidParameter.FirewallRulesDuplicated"
    )
    key = identity(target)
    if not any(identity(rule) == key for rule in fw["rules"]):
        raise ctx.fail(
            "ResourceNotFound.FirewallRulesNotFound",
            f"No rule of the instance matches `FirewallRule` ({target['Protocol']} "
            f"{target['Port']} {target['CidrBlock'] or target['Ipv6CidrBlock']} "
            f"{target['Action']}).",
        )
    updated = [
        {**rule, "FirewallRuleDescription": target["FirewallRuleDescription"]}
        if identity(rule) == key
        else dict(rule)
        for rule in fw["rules"]
    ]
    replace_rules(ctx, params["InstanceId"], updated)
    return {}


@family.handler("DescribeFirewallRules")
def describe_firewall_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    fw = firewall_of(ctx, params["InstanceId"])
    rules = [dict(r) for r in fw["rules"]]
    return {
        "TotalCount": len(rules),
        "FirewallRuleSet": page(ctx, rules, params),
        "FirewallVersion": fw["version"],
    }


@family.handler("DescribeFirewallRulesTemplate")
def describe_firewall_rules_template(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return {"TotalCount": len(RULE_TEMPLATES), "FirewallRuleSet": [dict(r) for r in RULE_TEMPLATES]}
