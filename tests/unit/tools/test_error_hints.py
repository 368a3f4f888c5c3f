"""Error hints per code: the data fits the catalog, and the hints the issue names point
to the step that fixes the error."""

from __future__ import annotations

import re

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.error_hints import error_hint, load_hints, named_actions


def _documented() -> set[str]:
    cat = catalog.load_catalog()
    codes = {e["code"] for a in cat["actions"].values() for e in a["errors"]}
    return codes | {e["code"] for e in cat["common_errors"] + cat["business_errors"]}


def test_every_code_and_action_in_the_data_is_documented() -> None:
    data = load_hints()
    documented = _documented()
    assert set(data["codes"]) <= documented, set(data["codes"]) - documented
    for action, codes in data["actions"].items():
        documented_here = {e["code"] for e in catalog.action(action)["errors"]}
        assert set(codes) <= documented_here, (action, set(codes) - documented_here)
    families = {c.split(".", 1)[0] for c in documented}
    assert set(data["families"]) <= families


def test_every_action_named_in_a_hint_exists() -> None:
    data = load_hints()
    texts = list(data["codes"].values()) + list(data["families"].values())
    texts += [t for codes in data["actions"].values() for t in codes.values()]
    known = set(catalog.action_names())
    cat = catalog.load_catalog()
    members = {p["name"] for a in cat["actions"].values() for p in a["inputs"] + a["outputs"]}
    members |= {m["name"] for s in cat["structures"].values() for m in s["members"]}
    for text in texts:
        for word in re.findall(
            r"\b(?:Describe|Create|Delete|Modify|Inquire|Reset|Terminate|"
            r"Isolate|Attach|Detach|Start|Stop|Reboot|Renew)[A-Za-z]+",
            text,
        ):
            assert word in known or word in members or word == "InquirePrice", (word, text)


def test_terminate_running_points_to_isolate_first() -> None:
    hint = error_hint("UnsupportedOperation.InvalidInstanceState", "TerminateInstances")
    assert hint is not None and hint.source == "action"
    assert hint.next_actions[0] == "IsolateInstances"
    assert "TerminateInstances" not in hint.next_actions
    assert "retry once it has settled" not in hint.text


def test_system_disk_resize_says_it_cannot_work_and_what_to_do() -> None:
    hint = error_hint("OperationDenied.DiskUsageNotSupportOperation", "ResizeDisks")
    assert hint is not None and "cannot be resized" in hint.text
    assert {"ModifyInstancesBundle", "CreateDisks"} <= set(hint.next_actions)


def test_firewall_version_mismatch_reads_the_current_version() -> None:
    for action in ("CreateFirewallRules", "ModifyFirewallRules", None):
        hint = error_hint("UnsupportedOperation.FirewallVersionMismatch", action)
        assert hint is not None and hint.source == "code"
        assert hint.next_actions[0] == "DescribeFirewallRules"


def test_fallbacks() -> None:
    same_code = error_hint("UnsupportedOperation.InvalidInstanceState", "RebootInstances")
    generic = error_hint("UnsupportedOperation.InvalidInstanceState", "ResetInstancesPassword")
    assert same_code is not None and generic is not None
    assert same_code.source == "action" and generic.source == "code"
    family = error_hint("ResourceNotFound.SomethingNew", "DescribeDisks")
    assert family is not None and family.source == "family"
    assert error_hint("InvalidParameter.SomethingNew") is None


def test_named_actions_in_order() -> None:
    assert named_actions("Run StopInstances, then StartInstances, not Foo.") == (
        "StopInstances",
        "StartInstances",
    )
