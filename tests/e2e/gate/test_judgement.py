"""The gate's judgement, through the official MCP client against the sandbox: calls
certain to fail are refused before anyone is asked; the person reads the true
consequences (what is lost, kept, costs, how it is undone, by name); and the arguments,
not only the action, decide whether a person is asked (default rules and a policy file).
The sandbox's request log and state prove what ran; the audit log is read back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lighthouse_mcp.sandbox import Sandbox
from tests.e2e.gate.helpers import (
    Person,
    audit,
    connect,
    error_code,
    mutations,
    never_asked,
)
from tests.support.sandbox_api import Api, Clock

pytestmark = pytest.mark.anyio

INSTANCE = "lhins-demo0001"  # RUNNING, CentOS 7.6 (lhbp-5e8807lo), bundle2022_gen_02
STOPPED = "lhins-demo0002"
WORDPRESS = "lhbp-wp6h5n2c"  # WordPress 6.4 on OpenCloudOS 9


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    """Signed requests straight to the sandbox, bypassing the gate: sets the scene."""
    api = Api(Sandbox(delay=0), Clock())
    try:
        yield api
    finally:
        await api.http.aclose()


async def _do(api: Api, action: str, params: dict[str, Any]) -> dict[str, Any]:
    result = await api.ok(action, params)
    await api.ok("DescribeInstances", {})  # lets the sandbox apply the transition
    return result


def _state(sb: Sandbox) -> Any:
    state = sb.backend.to_json()
    state.pop("saved_at", None)
    return state


def _text(result: Any) -> str:
    return str(result.content[0].text)


# -- refuse before asking ------------------------------------------------------------------

REFUSED = [
    pytest.param(
        "TerminateInstances",
        {"InstanceIds": [INSTANCE]},
        f"TerminateInstances needs SHUTDOWN: IsolateInstances first (it moves the instance "
        f"to SHUTDOWN) ({INSTANCE} is RUNNING)",
        id="terminate-running",
    ),
    pytest.param(
        "IsolateInstances",
        {"InstanceIds": ["lhins-nope0001"]},
        "the instance lhins-nope0001 does not exist in ap-guangzhou",
        id="no-such-instance",
    ),
    pytest.param(
        "ResizeDisks",
        {"DiskIds": ["lhdisk-demo0001"], "DiskSize": 100},
        "ResizeDisks needs DATA_DISK: ResizeDisks grows data disks only; a system disk grows "
        "with a larger bundle (ModifyInstancesBundle) (lhdisk-demo0001 is SYSTEM_DISK)",
        id="resize-system-disk",
    ),
    pytest.param(
        "ResetInstance",
        {"InstanceId": INSTANCE, "BlueprintId": "lhbp-nope0000"},
        "ResetInstance cannot run: the image lhbp-nope0000 does not exist",
        id="no-such-image",
    ),
    pytest.param(
        "ModifyInstancesBundle",
        {"InstanceIds": [INSTANCE], "BundleId": "bundle_bw_small1_1"},
        f"{INSTANCE} cannot move to bundle bundle_bw_small1_1: DescribeModifyInstanceBundles "
        "lists it as SOLD_OUT",
        id="sold-out-bundle",
    ),
    pytest.param(
        "CreateInstances",
        {
            "BundleId": "bundle2022_gen_02",
            "BlueprintId": "lhbp-uh2t0ifo",
            "InstanceChargePrepaid": {"Period": 1},
            "InstanceCount": 25,
        },
        "dry run says the API would refuse it (LimitExceeded.InstanceQuotaLimitExceeded): "
        "the account's instance quota is used up",
        id="create-over-quota",
    ),
    pytest.param(
        "CreateDisks",
        {
            "Zone": "ap-guangzhou-3",
            "DiskSize": 20,
            "DiskType": "CLOUD_PREMIUM",
            "DiskChargePrepaid": {"Period": 1},
            "DiskCount": 21,
        },
        "CreateDisks needs 21 of the DATA_DISK quota but 20 of 20 are left",
        id="disks-over-quota",
    ),
]


@pytest.mark.parametrize(("action", "arguments", "why"), REFUSED)
@pytest.mark.parametrize("elicits", [True, False], ids=["elicitation", "token"])
async def test_certain_failures_are_refused_before_anyone_is_asked(
    tmp_path: Path, action: str, arguments: dict[str, Any], why: str, elicits: bool
) -> None:
    sb = Sandbox(delay=0)
    callback = never_asked if elicits else None
    # without elicitation the person is reached through model-relayed tokens (opt-in)
    mode = {} if elicits else {"confirm_mode": "token"}
    async with connect(sb, tmp_path, callback, **mode) as c:
        await c.call_tool("DescribeInstances", {})  # the region's state exists from here
        before = _state(sb)
        result = await c.call_tool(action, arguments)
    assert result.is_error and error_code(result) == "WouldFail", result.content
    text = _text(result)
    assert why in text and "nobody was asked" in text
    assert "confirm_token" not in json.dumps(result.structured_content)
    assert mutations(sb) == []
    assert _state(sb) == before  # the sandbox's state is unchanged
    (record,) = [r for r in audit(tmp_path) if r["action"] == action]
    assert record["decision"] == "refused" and record["reason"].startswith("will-fail: ")
    assert why in record["reason"]


async def test_the_api_s_denied_actions_refuse_before_asking(tmp_path: Path) -> None:
    """ModifyDisksBackupQuota on a system disk: the state table has no row for it, the
    API's DescribeDisksDeniedActions does."""
    sb = Sandbox(delay=0)
    async with connect(sb, tmp_path, never_asked) as c:
        result = await c.call_tool(
            "ModifyDisksBackupQuota", {"DiskIds": ["lhdisk-demo0001"], "DiskBackupQuota": 2}
        )
    assert error_code(result) == "WouldFail"
    assert "the API denies ModifyDisksBackupQuota on lhdisk-demo0001 now" in _text(result)
    assert "DescribeDisksDeniedActions" in [r.action for r in sb.requests]
    assert mutations(sb) == []


async def test_a_failed_lookup_asks_nobody_and_says_why(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    sb.faults.add("internal_error", action="DescribeInstances")
    async with connect(sb, tmp_path, never_asked) as c:
        result = await c.call_tool("IsolateInstances", {"InstanceIds": [INSTANCE]})
    assert error_code(result) == "PreviewFailed"
    assert "DescribeInstances failed (InternalError)" in _text(result)
    assert "not found" not in _text(result) and mutations(sb) == []


# -- true consequences -----------------------------------------------------------------------


async def _asked(
    sb: Sandbox, tmp_path: Path, action: str, arguments: dict[str, Any], how: str = "decline"
) -> tuple[str, Any]:
    person = Person(how)
    async with connect(sb, tmp_path, person) as c:
        result = await c.call_tool(action, arguments)
    (asked,) = person.seen
    return asked.message, result


async def _data_disk(api: Api, name: str) -> str:
    made = await _do(
        api,
        "CreateDisks",
        {
            "Zone": "ap-guangzhou-3",
            "DiskSize": 20,
            "DiskType": "CLOUD_PREMIUM",
            "DiskChargePrepaid": {"Period": 1},
            "DiskName": name,
        },
    )
    disk = str(made["DiskIdSet"][0])
    await _do(api, "AttachDisks", {"DiskIds": [disk], "InstanceId": INSTANCE})
    return disk


@pytest.mark.parametrize("keep", [None, False], ids=["default", "IsolateDataDisk-false"])
async def test_isolate_says_it_can_be_undone_and_what_becomes_of_data_disks(
    api: Api, tmp_path: Path, keep: bool | None
) -> None:
    disk = await _data_disk(api, "db-data")
    arguments: dict[str, Any] = {"InstanceIds": [INSTANCE]}
    if keep is not None:
        arguments["IsolateDataDisk"] = keep
    message, result = await _asked(api.sandbox, tmp_path, "IsolateInstances", arguments)
    assert "CANNOT BE UNDONE" not in message
    assert (
        "Can be undone: an isolated instance comes back by renewing it (RenewInstances) "
        "within the retention period" in message
    )
    who = f'instance "lighthouse-test" ({INSTANCE})'
    assert f"- Instance {who[len('instance ') :]} shuts down (SHUTDOWN)" in message
    disks = f'The data disks of {who}, "db-data" ({disk}, 20 GB), are detached and'
    if keep is None:
        assert f"{disks} returned with it: isolated too" in message
    else:
        assert f"{disks} kept: they stay on the account, UNATTACHED and still billed" in message
    assert error_code(result) == "NotConfirmed" and mutations(api.sandbox, "IsolateInstances") == []


async def test_terminate_says_what_is_destroyed_and_what_survives(api: Api, tmp_path: Path) -> None:
    await _do(api, "IsolateInstances", {"InstanceIds": [INSTANCE]})
    message, _ = await _asked(
        api.sandbox, tmp_path, "TerminateInstances", {"InstanceIds": [INSTANCE]}
    )
    assert "CANNOT BE UNDONE: the instance is destroyed and cannot be recovered." in message
    assert (
        f'- Instance "lighthouse-test" ({INSTANCE}) is destroyed with its system disk; the data '
        "on that disk cannot be recovered." in message
    )
    assert "- Data disks are not destroyed by this call" in message
    for line in message.splitlines():  # every consequence line has a subject
        assert not line.startswith("- lhins-"), line


async def test_reset_names_the_images_and_says_logins_are_dropped(api: Api, tmp_path: Path) -> None:
    key = (await _do(api, "CreateKeyPair", {"KeyName": "ops_laptop"}))["KeyPair"]["KeyId"]
    await _do(api, "AssociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [INSTANCE]})
    arguments = {"InstanceId": INSTANCE, "BlueprintId": WORDPRESS}
    message, result = await _asked(api.sandbox, tmp_path, "ResetInstance", arguments, "accept")
    assert (
        "CentOS 7.6 64bit (lhbp-5e8807lo) → WordPress 6.4 on OpenCloudOS 9 (lhbp-wp6h5n2c)"
        in message
    )
    assert f'"ops_laptop" ({key}), are unbound, and its password is dropped.' in message
    assert "Login afterwards: none is set by this call" in message
    assert "every file on it is lost" in message
    assert not result.is_error, result.content
    # and it is true: afterwards no key pair is bound
    await _do(api, "DescribeInstances", {})
    listed = await _do(api, "DescribeInstances", {"InstanceIds": [INSTANCE]})
    assert listed["InstanceSet"][0]["LoginSettings"]["KeyIds"] == []


async def test_bundle_change_names_the_specs_the_price_and_the_restart(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    arguments = {"InstanceIds": [INSTANCE], "BundleId": "bundle2022_gen_03"}
    message, _ = await _asked(sb, tmp_path, "ModifyInstancesBundle", arguments)
    assert (
        "2 vCPU, 2 GB RAM, 50 GB CLOUD_SSD system disk, 5 Mbps, 500 GB traffic/month "
        "(bundle2022_gen_02) → 2 vCPU, 4 GB RAM, 60 GB CLOUD_SSD system disk, 6 Mbps, "
        "600 GB traffic/month (bundle2022_gen_03)" in message
    )
    assert "costs 30.0 CNY now (ModifyPrice from DescribeModifyInstanceBundles)" in message
    assert "restarts: the change shuts it down and starts it again" in message
    assert "No price quote" not in message
    assert mutations(sb) == []


async def test_deleting_firewall_rules_says_how_to_re_create_them(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    rule = {"Protocol": "TCP", "Port": "80", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT"}
    arguments = {"InstanceId": INSTANCE, "FirewallRules": [rule]}
    message, _ = await _asked(sb, tmp_path, "DeleteFirewallRules", arguments)
    assert "CANNOT BE UNDONE" not in message
    assert "Can be undone: deleted rules can be re-created with CreateFirewallRules" in message
    assert "- The rules that disappear: ACCEPT TCP 80 from 0.0.0.0/0" in message
    assert mutations(sb) == []


# -- risk judged on the arguments ------------------------------------------------------------

ASKED = [
    pytest.param(
        "CreateFirewallRules",
        {"InstanceId": INSTANCE, "FirewallRules": [{"Protocol": "TCP", "Port": "ALL"}]},
        "a rule opens ALL ports to the whole internet (0.0.0.0/0 or ::/0)",
        id="all-ports-to-world",
    ),
    pytest.param(
        "CreateFirewallRules",
        {
            "InstanceId": INSTANCE,
            "FirewallRules": [{"Protocol": "TCP", "Port": "20-23", "Ipv6CidrBlock": "::/0"}],
        },
        "a rule opens a remote-administration or database port (SSH 22",
        id="ssh-in-a-range-to-world-v6",
    ),
    pytest.param(
        "RunDockerContainers",
        {
            "InstanceId": INSTANCE,
            "Containers": [
                {
                    "ContainerImage": "alpine",
                    "Command": "chroot /host sh",
                    "Volumes": [{"HostPath": "/", "ContainerPath": "/host"}],
                }
            ],
        },
        "a container mounts a system path of the host",
        id="host-root-mount",
    ),
    pytest.param(
        "ModifyInstancesRenewFlag",
        {"InstanceIds": [INSTANCE], "RenewFlag": "NOTIFY_AND_MANUAL_RENEW"},
        "automatic renewal is turned off",
        id="renewal-off",
    ),
    pytest.param(
        "ResetInstancesPassword",
        {"InstanceIds": [INSTANCE], "Password": "N3w-passw0rd!x"},
        "it changes the login password; a RUNNING instance is shut down",
        id="password-reset",
    ),
]


@pytest.mark.parametrize(("action", "arguments", "why"), ASKED)
async def test_risky_arguments_make_an_ordinary_write_ask(
    tmp_path: Path, action: str, arguments: dict[str, Any], why: str
) -> None:
    sb = Sandbox(delay=0)
    message, result = await _asked(sb, tmp_path, action, arguments)
    assert f"Asked because {why}" in message.splitlines()[2]
    assert error_code(result) == "NotConfirmed" and mutations(sb) == []
    (record,) = [r for r in audit(tmp_path) if r["action"] == action]
    assert record["decision"] == "declined"


NOT_ASKED = [
    pytest.param(
        "CreateFirewallRules",
        {
            "InstanceId": INSTANCE,
            "FirewallRules": [
                {"Protocol": "TCP", "Port": "8443"},
                {"Protocol": "TCP", "Port": "80,443", "CidrBlock": "0.0.0.0/0"},
            ],
        },
        id="web-ports-to-world",
    ),
    pytest.param(
        "CreateFirewallRules",
        {
            "InstanceId": INSTANCE,
            "FirewallRules": [{"Protocol": "TCP", "Port": "22", "CidrBlock": "203.0.113.7/32"}],
        },
        id="ssh-from-one-address",
    ),
    pytest.param(
        "ModifyInstancesRenewFlag",
        {"InstanceIds": [INSTANCE], "RenewFlag": "NOTIFY_AND_AUTO_RENEW"},
        id="renewal-on",
    ),
]


async def test_binding_a_key_pair_asks(tmp_path: Path) -> None:
    sb, person = Sandbox(delay=0), Person("decline")
    settings: dict[str, Any] = {}
    async with connect(sb, tmp_path, person, **settings) as c:
        made = await c.call_tool("CreateKeyPair", {"KeyName": "ops_laptop"})
        key = (made.structured_content or {})["KeyPair"]["KeyId"]
        result = await c.call_tool(
            "AssociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [INSTANCE]}
        )
    (asked,) = person.seen
    assert "Asked because it changes how people log in" in asked.message
    assert "Password login to instance" in asked.message
    assert error_code(result) == "NotConfirmed"
    assert [r.action for r in mutations(sb)] == ["CreateKeyPair"]


@pytest.mark.parametrize(("action", "arguments"), NOT_ASKED)
async def test_harmless_arguments_run_without_asking(
    tmp_path: Path, action: str, arguments: dict[str, Any]
) -> None:
    sb = Sandbox(delay=0)
    async with connect(sb, tmp_path, never_asked) as c:
        result = await c.call_tool(action, arguments)
    assert not result.is_error, result.content
    assert [r.action for r in mutations(sb)] == [action]


async def test_a_docker_volume_outside_system_paths_is_not_asked(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    arguments = {
        "InstanceId": INSTANCE,
        "Containers": [
            {
                "ContainerImage": "nginx",
                "Volumes": [{"HostPath": "/data/www", "ContainerPath": "/w"}],
            }
        ],
    }
    async with connect(sb, tmp_path, never_asked) as c:
        await c.call_tool("RunDockerContainers", arguments)
    assert [r.action for r in mutations(sb)] == ["RunDockerContainers"]  # sent, nobody asked


# -- the policy file ---------------------------------------------------------------------------


def _policy(tmp_path: Path, rules: list[dict[str, Any]]) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"rules": rules}, indent=2))
    return path


async def test_policy_deny_refuses_without_asking_even_with_confirmation_off(
    tmp_path: Path,
) -> None:
    policy = _policy(
        tmp_path,
        [
            {
                "id": "keep-prod",
                "actions": ["StopInstances", "RebootInstances"],
                "decision": "deny",
                "reason": "lhins-demo0001 is production",
                "when": {"InstanceIds": {"in": [INSTANCE]}},
            }
        ],
    )
    sb = Sandbox(delay=0)
    settings = {"policy": policy, "skip_confirmation": True}
    async with connect(sb, tmp_path, never_asked, **settings) as c:
        denied = await c.call_tool("StopInstances", {"InstanceIds": [INSTANCE]})
        other = await c.call_tool("StopInstances", {"InstanceIds": ["lhins-demo0002"]})
    assert error_code(denied) == "DeniedByPolicy"
    assert "lhins-demo0001 is production" in _text(denied) and "Nobody was asked" in _text(denied)
    assert [r.params for r in mutations(sb)] == [{"InstanceIds": ["lhins-demo0002"]}]
    assert error_code(other) != "DeniedByPolicy"
    (record,) = [r for r in audit(tmp_path) if r["decision"] == "refused"]
    assert record["reason"] == "denied by policy: keep-prod"


async def test_policy_ask_gates_what_the_defaults_do_not(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        [
            {
                "id": "ask-before-reboot",
                "actions": ["RebootInstances"],
                "decision": "ask",
                "reason": "a reboot interrupts the shop",
            }
        ],
    )
    sb, person = Sandbox(delay=0), Person("decline")
    settings = {"policy": policy}
    async with connect(sb, tmp_path, person, **settings) as c:
        result = await c.call_tool("RebootInstances", {"InstanceIds": [INSTANCE]})
    (asked,) = person.seen
    assert "Asked because a reboot interrupts the shop." in asked.message
    assert error_code(result) == "NotConfirmed" and mutations(sb) == []


async def test_policy_allow_lifts_a_default_only_by_name(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        [
            {
                "id": "bastion-ssh",
                "actions": ["CreateFirewallRules"],
                "decision": "allow",
                "reason": "the bastion host takes SSH from anywhere",
                "when": {"InstanceId": {"equals": INSTANCE}},
                "overrides": ["firewall-admin-port-to-world"],
            }
        ],
    )
    ssh = [{"Protocol": "TCP", "Port": "3389"}]  # (22 is open by default)
    sb, person = Sandbox(delay=0), Person("decline")
    settings = {"policy": policy}
    async with connect(sb, tmp_path, person, **settings) as c:
        bastion = await c.call_tool(
            "CreateFirewallRules", {"InstanceId": INSTANCE, "FirewallRules": ssh}
        )
        other = await c.call_tool(
            "CreateFirewallRules", {"InstanceId": STOPPED, "FirewallRules": ssh}
        )
        everything = await c.call_tool(
            "CreateFirewallRules",
            {"InstanceId": INSTANCE, "FirewallRules": [{"Protocol": "ALL", "Port": "ALL"}]},
        )
    assert not bastion.is_error, bastion.content
    assert error_code(other) == "NotConfirmed"  # the default still asks for the others
    assert error_code(everything) == "NotConfirmed"  # other defaults are not lifted
    assert [r.params["InstanceId"] for r in mutations(sb)] == [INSTANCE]
    assert len(person.seen) == 2


async def test_resizing_a_data_disk_says_it_cannot_shrink_and_what_it_costs(
    api: Api, tmp_path: Path
) -> None:
    disk = await _data_disk(api, "db-data")
    message, _ = await _asked(
        api.sandbox, tmp_path, "ResizeDisks", {"DiskIds": [disk], "DiskSize": 40}
    )
    who = f'data disk "db-data" ({disk}, 20 GB)'
    assert (
        f"- {who[0].upper()}{who[1:]} grows to 40 GB (from 20 GB); disks cannot be shrunk."
        in message
    )
    assert f"- Growing {who} costs about " in message
    assert "estimated from InquirePriceCreateDisks" in message
    assert "No price quote" not in message
    assert mutations(api.sandbox, "ResizeDisks") == []
