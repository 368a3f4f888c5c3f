"""Rules over a call's arguments (tools/risk.py): the default rules decide per call, a
policy file adds rules, deny wins, defaults are lifted only by name, and a policy that
does not say what it means is refused with the line or field that is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lighthouse_mcp.tools.risk import PolicyError, default_rules, judge, load_policy


def _decide(action: str, arguments: dict[str, Any]) -> str | None:
    return judge(default_rules(), action, arguments).decision


def _fw(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"InstanceId": "lhins-1", "FirewallRules": list(rules)}


@pytest.mark.parametrize(
    "rule",
    [
        {"Protocol": "TCP", "Port": "ALL"},
        {"Protocol": "ALL"},
        {"Protocol": "TCP", "Port": "22"},
        {"Protocol": "tcp", "Port": "3306", "CidrBlock": "0.0.0.0/0"},
        {"Protocol": "TCP", "Port": "6000-6400"},  # covers Redis 6379
        {"Protocol": "TCP", "Port": "80,5432"},
        {"Protocol": "UDP", "Port": "3389", "Ipv6CidrBlock": "::/0"},
        {"Protocol": "TCP", "Port": "27017", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT"},
    ],
)
def test_opening_admin_or_all_ports_to_the_world_asks(rule: dict[str, Any]) -> None:
    assert _decide("CreateFirewallRules", _fw({"Protocol": "TCP", "Port": "443"}, rule)) == "ask"
    assert _decide("ModifyFirewallRules", _fw(rule)) == "ask"
    assert _decide("CreateFirewallTemplateRules", {"TemplateRules": [rule]}) == "ask"
    assert _decide("ReplaceFirewallTemplateRule", {"TemplateRule": rule}) == "ask"


@pytest.mark.parametrize(
    "rule",
    [
        {"Protocol": "TCP", "Port": "80"},
        {"Protocol": "TCP", "Port": "443"},
        {"Protocol": "TCP", "Port": "8443"},
        {"Protocol": "TCP", "Port": "80,443,8080"},
        {"Protocol": "TCP", "Port": "22", "CidrBlock": "203.0.113.0/24"},
        {"Protocol": "TCP", "Port": "ALL", "CidrBlock": "10.0.0.0/8"},
        {"Protocol": "TCP", "Port": "22", "Action": "DROP"},
        {"Protocol": "ICMP", "Port": "ALL"},
    ],
)
def test_web_ports_narrow_sources_and_drops_do_not_ask(rule: dict[str, Any]) -> None:
    assert _decide("CreateFirewallRules", _fw(rule)) is None


def test_host_mounts_of_system_paths_ask() -> None:
    def run(host: str) -> str | None:
        volume = {"HostPath": host, "ContainerPath": "/mnt"}
        return _decide(
            "RunDockerContainers",
            {"InstanceId": "i", "Containers": [{"ContainerImage": "a", "Volumes": [volume]}]},
        )

    for host in ("/", "//", "/etc", "/etc/", "/var/run/docker.sock", "/root/.ssh", "/proc/1"):
        assert run(host) == "ask", host
    for host in ("/data", "/srv/www", "/opt/app", "/etcetera"):
        assert run(host) is None, host
    mount_root = {"Volumes": [{"HostPath": "/", "ContainerPath": "/h"}]}
    assert _decide("ModifyDockerContainer", mount_root) == "ask"
    assert _decide("RerunDockerContainer", {"ContainerConfiguration": mount_root}) == "ask"


def test_logins_and_renewal_ask() -> None:
    assert _decide("AssociateInstancesKeyPairs", {"KeyIds": ["k"], "InstanceIds": ["i"]}) == "ask"
    assert _decide("DisassociateInstancesKeyPairs", {"KeyIds": ["k"]}) == "ask"
    assert _decide("ResetInstancesPassword", {"InstanceIds": ["i"]}) == "ask"
    for flag in ("NOTIFY_AND_MANUAL_RENEW", "DISABLE_NOTIFY_AND_MANUAL_RENEW"):
        assert _decide("ModifyInstancesRenewFlag", {"RenewFlag": flag}) == "ask"
        assert _decide("ModifyDisksRenewFlag", {"RenewFlag": flag}) == "ask"
    assert _decide("ModifyInstancesRenewFlag", {"RenewFlag": "NOTIFY_AND_AUTO_RENEW"}) is None


def _policy(*rules: dict[str, Any]) -> str:
    return json.dumps({"rules": list(rules)}, indent=2)


def test_deny_wins_and_allow_lifts_only_what_it_names() -> None:
    rules = load_policy(
        "p.json",
        _policy(
            {
                "id": "bastion",
                "actions": ["CreateFirewallRules"],
                "decision": "allow",
                "reason": "bastion takes SSH",
                "when": {"InstanceId": {"equals": "lhins-1"}},
                "overrides": ["firewall-admin-port-to-world"],
            },
            {
                "id": "no-rdp",
                "actions": ["CreateFirewallRules"],
                "decision": "deny",
                "reason": "no RDP anywhere",
                "each": ["FirewallRules"],
                "when": {"Port": {"equals": "3389"}},
            },
        ),
    )
    ssh = {"Protocol": "TCP", "Port": "22"}
    assert judge(rules, "CreateFirewallRules", _fw(ssh)).decision == "allow"
    other = {"InstanceId": "lhins-2", "FirewallRules": [ssh]}
    assert judge(rules, "CreateFirewallRules", other).decision == "ask"
    everything = _fw({"Protocol": "TCP", "Port": "ALL"})  # another default still asks
    assert judge(rules, "CreateFirewallRules", everything).rules == ("firewall-all-ports-to-world",)
    rdp = judge(rules, "CreateFirewallRules", _fw(ssh, {"Protocol": "TCP", "Port": "3389"}))
    assert rdp.decision == "deny" and rdp.reasons == ("no RDP anywhere",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"rules": [\n  {"id": "x",\n  }\n]}', "p.json line 3 column 3"),
        ("[]", 'expected an object {"rules": [...]}'),
        (_policy({"id": "x", "actions": ["StopInstances"], "reason": "r"}), "rules[0].decision"),
        (
            _policy({"id": "x", "actions": ["StopInstance"], "decision": "ask", "reason": "r"}),
            "rules[0].actions[0]: 'StopInstance' is not a Lighthouse action",
        ),
        (
            _policy({"id": "x", "actions": ["StopInstances"], "decision": "permit", "reason": "r"}),
            "rules[0].decision: 'permit' is not one of allow, ask, deny",
        ),
        (
            _policy(
                {
                    "id": "x",
                    "actions": ["StopInstances"],
                    "decision": "ask",
                    "reason": "r",
                    "when": {"InstanceIds": {"like": "a"}},
                }
            ),
            "rules[0].when.InstanceIds.like: unknown operator",
        ),
        (
            _policy({"id": "x", "actions": ["StopInstances"], "decision": "allow", "reason": "r"}),
            "rules[0].overrides: an allow rule names the ask rules it lifts",
        ),
        (
            _policy(
                {
                    "id": "x",
                    "actions": ["StopInstances"],
                    "decision": "allow",
                    "reason": "r",
                    "overrides": ["no-such-rule"],
                }
            ),
            "rules[0].overrides: no rule has the id 'no-such-rule'",
        ),
        (
            _policy(
                {
                    "id": "login-key-pairs",
                    "actions": ["AssociateInstancesKeyPairs"],
                    "decision": "ask",
                    "reason": "replaces the default",
                }
            ),
            "rules[0].id: 'login-key-pairs' is already a rule id",
        ),
        (
            _policy(
                {"id": "x", "actions": ["StopInstances"], "decision": "ask", "reason": "r", "on": 1}
            ),
            "rules[0].on: unknown field",
        ),
    ],
)
def test_a_policy_that_does_not_parse_names_the_line_or_field(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy("p.json", text)
    assert message in str(caught.value)
