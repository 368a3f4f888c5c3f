"""Which wait observes each asynchronous action: every documented async action has one,
and every recipe names IDs, states and parameters that exist in the catalog."""

from __future__ import annotations

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.descriptions import async_hint
from lighthouse_mcp.tools.followups import asynchronous_actions, recipe, wait_arguments
from lighthouse_mcp.tools.resource_kinds import OPERATION
from lighthouse_mcp.tools.waits import KINDS


def test_every_documented_async_action_names_a_wait() -> None:
    flagged = [a for a in catalog.action_names() if catalog.action(a)["asynchronous"]]
    assert flagged and all(recipe(a) is not None for a in flagged)
    assert set(flagged) <= set(asynchronous_actions())


@pytest.mark.parametrize("action", asynchronous_actions())
def test_recipe_agrees_with_the_catalog(action: str) -> None:
    r = recipe(action)
    assert r is not None
    spec = KINDS[r.kind]
    act = catalog.action(action)
    names = {p["name"] for p in act["inputs"]} | {p["name"] for p in act["outputs"]}
    assert r.ids in names, f"{action}: {r.ids} is neither an input nor an output"
    assert set(r.context) <= {p["name"] for p in act["inputs"]}
    if r.target == OPERATION:
        assert spec.has_latest_operation, action
    else:
        assert r.target in spec.states, (action, r.target)
    hint = async_hint(action)
    if hint is not None and hint.poller is not None:
        assert hint.poller == spec.describe, f"{action}: the docs poll {hint.poller}"


def test_synchronous_actions_have_no_wait() -> None:
    for action in ("DescribeInstances", "ModifyInstancesAttribute", "CreateKeyPair"):
        assert recipe(action) is None
        assert wait_arguments(action, {}, {"RequestId": "r"}) is None


def test_operation_wait_uses_the_calls_request_id_and_region() -> None:
    args = wait_arguments(
        "StopInstances",
        {"InstanceIds": ["lhins-a", "lhins-b"]},
        {"RequestId": "req-9"},
        region="ap-beijing",
    )
    assert args == {
        "resource": "instance",
        "ids": ["lhins-a", "lhins-b"],
        "operation_request_id": "req-9",
        "Region": "ap-beijing",
    }


def test_single_id_inputs_and_creations_read_their_ids() -> None:
    assert wait_arguments("ResetInstance", {"InstanceId": "lhins-a"}, {"RequestId": "r"}) == {
        "resource": "instance",
        "ids": ["lhins-a"],
        "operation_request_id": "r",
    }
    assert wait_arguments(
        "CreateInstances",
        {"BundleId": "b"},
        {"InstanceIdSet": ["lhins-n1", "lhins-n2"], "RequestId": "r"},
    ) == {"resource": "instance", "ids": ["lhins-n1", "lhins-n2"], "target_state": "RUNNING"}
    assert (
        wait_arguments(
            "CreateInstanceSnapshot", {"InstanceId": "lhins-a"}, {"SnapshotId": "lhsnap-1"}
        )["target_state"]
        == "NORMAL"
    )  # type: ignore[index]
    assert wait_arguments("TerminateInstances", {"InstanceIds": ["lhins-a"]}, {}) == {
        "resource": "instance",
        "ids": ["lhins-a"],
        "target_state": "GONE",
    }
    detach = wait_arguments("DetachDisks", {"DiskIds": ["lhdisk-1"]}, {})
    assert detach is not None and detach["target_state"] == "UNATTACHED"


def test_docker_waits_carry_the_instance() -> None:
    args = wait_arguments(
        "RunDockerContainers",
        {"InstanceId": "lhins-a"},
        {"DockerActivitySet": ["lhda-1", "lhda-2"], "RequestId": "r"},
    )
    assert args == {
        "resource": "docker_activity",
        "ids": ["lhda-1", "lhda-2"],
        "target_state": "SUCCESS",
        "instance_id": "lhins-a",
    }
    one = wait_arguments(
        "StopDockerContainers", {"InstanceId": "lhins-a"}, {"DockerActivityId": "lhda-3"}
    )
    assert one is not None and one["ids"] == ["lhda-3"]


def test_missing_ids_or_request_id_give_no_arguments() -> None:
    assert wait_arguments("CreateInstances", {}, {"RequestId": "r"}) is None
    assert wait_arguments("StartInstances", {"InstanceIds": ["lhins-a"]}, {}) is None
    assert wait_arguments("RunDockerContainers", {}, {"DockerActivitySet": ["lhda-1"]}) is None


def test_template_apply_wait_carries_the_template() -> None:
    args = wait_arguments(
        "ApplyFirewallTemplate", {"TemplateId": "lhft-1"}, {"TaskId": "lgtk-1", "RequestId": "r"}
    )
    assert args == {
        "resource": "firewall_template_apply",
        "ids": ["lgtk-1"],
        "target_state": "SUCCESS",
        "template_id": "lhft-1",
    }
