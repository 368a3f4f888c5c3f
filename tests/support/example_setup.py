"""What each documented example needs before it can succeed: a data table of steps.

The docs' example requests assume a world of their own (an instance that is stopped, a
disk that is attached, a key pair that is bound). The shape test (functional) and the
every-tool test (end-to-end, through MCP) run every example against one shared scenario
(tests/support/examples.py), so an example that the scenario's state refuses gets its
preconditions here, made through the API the way a user would (isolate before
terminate, stop before start, attach before detach, share before un-sharing). Where
the example itself cannot succeed anywhere — a placeholder public key, a ``"1"`` for an
Integer, a malformed id, a zone of another region — an override replaces just that
value with a valid one, and says why.

Each step takes the example's parameters (already mapped onto the account's own ids)
and returns the parameters to send, so steps compose left to right.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID
from tests.support.examples import REGION
from tests.support.sandbox_api import Api

Params = dict[str, Any]
Step = Callable[[Api, Params], Awaitable[Params]]

#: A valid OpenSSH RSA public key (public by nature: nothing secret here).
PUBLIC_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDp8N6Uf9lw+z6pDDZjDJPivnGMARWCzDG7OZvsF3qT1+Ln"
    "T/Ce+BP8yzPOIoZBO66c/RObUecQUXS7xMlTdOV74f0ME1jSofZ0y4lxYPAbIs6c8UOQyHmUK8vTXxAYivTr"
    "cMFc5gaXjeJKsjZmMtt0YD1pTKiVuvXivckLuzy1Otqw1E4AxWRIRp809fBbhX7JsAwe7mvomJxx/tCYoRnZ"
    "mmunzRow+whLKiy6WyEyamhiIblu0kPsvaw6Dg6mVWSGfPxC2R/S/OWEUAeP7rLQyRM0rLMhTtBZathC7QOX"
    "mjN61rcPvSsroDuC1qJtpQ2gpTZwUJYPt/jFEk9VEkVN shape-test"
)


async def settle(api: Api) -> None:
    """Let every scheduled transition complete (the sandbox applies them per request)."""
    api.clock.advance(60)
    await api.ok("DescribeRegions", region=None)


def call(action: str, build: Callable[[Params], Params]) -> Step:
    """Run ``action`` with parameters built from the example's, wait for it to settle."""

    async def step(api: Api, params: Params) -> Params:
        await api.ok(action, build(params), region=REGION)
        await settle(api)
        return params

    return step


def override(reason: str, **values: Any) -> Step:
    """Replace example values that cannot succeed anywhere (``reason`` says why)."""
    assert reason

    async def step(api: Api, params: Params) -> Params:
        return {**params, **values}

    return step


def instances_in(state: str) -> Step:
    """Bring every instance of ``InstanceIds`` to RUNNING or STOPPED first."""
    action = {"RUNNING": "StartInstances", "STOPPED": "StopInstances"}[state]

    async def step(api: Api, params: Params) -> Params:
        listed = await api.ok(
            "DescribeInstances", {"InstanceIds": params["InstanceIds"]}, region=REGION
        )
        others = [i["InstanceId"] for i in listed["InstanceSet"] if i["InstanceState"] != state]
        if others:
            await api.ok(action, {"InstanceIds": others}, region=REGION)
            await settle(api)
        return params

    return step


def template_rule_ids(many: bool) -> Step:
    """The template's own rule ids (the docs' ids are of their template, not ours)."""

    async def step(api: Api, params: Params) -> Params:
        rules = (
            await api.ok(
                "DescribeFirewallTemplateRules", {"TemplateId": params["TemplateId"]}, region=None
            )
        )["TemplateRuleSet"]
        ids = [r["TemplateRuleId"] for r in rules]
        assert ids, "the scenario's template has no rules"
        key, value = ("TemplateRuleIds", ids[:2]) if many else ("TemplateRuleId", ids[0])
        return {**params, key: value}

    return step


def edit_record(table: str, key_param: str, **values: Any) -> Step:
    """Set fields of a record directly: only for a state no API call can reach in a
    single-account sandbox (see ResetAttachCcn below)."""

    async def step(api: Api, params: Params) -> Params:
        record = (
            api.sandbox.backend.world(DEFAULT_SECRET_ID)
            .region(REGION)
            .table(table)[params[key_param]]
        )
        record.update(values)
        return params

    return step


def listed_then(
    query: str,
    query_params: Callable[[Params], Params],
    items: str,
    field: str,
    action: str,
    build: Callable[[Params, list[str]], Params],
) -> Step:
    """List resources, then run ``action`` on their ids when there are any (e.g. remove
    the containers that already use the example's name and port)."""

    async def step(api: Api, params: Params) -> Params:
        listed = await api.ok(query, query_params(params), region=REGION)
        ids = [item[field] for item in listed[items]]
        if ids:
            await api.ok(action, build(params, ids), region=REGION)
            await settle(api)
        return params

    return step


def upgrade_bundle() -> Step:
    """A bundle the instance may move to, as DescribeModifyInstanceBundles offers it."""

    async def step(api: Api, params: Params) -> Params:
        offers = (
            await api.ok(
                "DescribeModifyInstanceBundles",
                {"InstanceId": params["InstanceIds"][0]},
                region=REGION,
            )
        )["ModifyBundleSet"]
        bundle = next(
            o["Bundle"]["BundleId"] for o in offers if o["ModifyBundleState"] == "AVAILABLE"
        )
        return {**params, "BundleId": bundle}

    return step


def delete_key_pair_named() -> Step:
    """Free the example's KeyName (the scenario created a key pair by that name)."""

    async def step(api: Api, params: Params) -> Params:
        listed = await api.ok(
            "DescribeKeyPairs",
            {"Filters": [{"Name": "key-name", "Values": [params["KeyName"]]}]},
            region=REGION,
        )
        ids = [k["KeyId"] for k in listed["KeyPairSet"]]
        if ids:
            await api.ok("DeleteKeyPairs", {"KeyIds": ids}, region=REGION)
            await settle(api)
        return params

    return step


#: action -> steps run in order before the example is sent.
PREPARE: dict[str, tuple[Step, ...]] = {
    "AttachCcn": (call("DetachCcn", lambda p: {"CcnId": p["CcnId"]}),),
    "CancelShareBlueprintAcrossAccounts": (call("ShareBlueprintAcrossAccounts", dict),),
    "CreateDiskBackup": (
        call("ModifyDisksBackupQuota", lambda p: {"DiskIds": [p["DiskId"]], "DiskBackupQuota": 2}),
    ),
    "CreateDisks": (
        override(
            "the example's zone is in ap-hongkong; this run is in ap-guangzhou",
            Zone="ap-guangzhou-3",
        ),
    ),
    "CreateFirewallRules": (
        call(
            "ModifyFirewallRules",
            lambda p: {
                "InstanceId": p["InstanceId"],
                "FirewallRules": [{"Protocol": "TCP", "Port": "3389"}],
            },
        ),
    ),
    "CreateInstances": (
        override(
            'the docs write Period as the string "1" (it is an '
            "Integer) and name a retired bundle generation",
            BundleId="bundle2022_gen_02",
            InstanceChargePrepaid={"Period": 1, "RenewFlag": "NOTIFY_AND_MANUAL_RENEW"},
        ),
    ),
    "CreateKeyPair": (delete_key_pair_named(),),
    "DeleteFirewallRules": (
        call(
            "ModifyFirewallRules",
            lambda p: {"InstanceId": p["InstanceId"], "FirewallRules": p["FirewallRules"]},
        ),
    ),
    "DeleteFirewallTemplateRules": (template_rule_ids(many=True),),
    "DescribeDiskConfigs": (
        override(
            "ap-guangzhou-2 is not a zone of the seeded region",
            Filters=[{"Name": "zone", "Values": ["ap-guangzhou-3"]}],
        ),
    ),
    "DetachDisks": (
        call("AttachDisks", lambda p: {"DiskIds": p["DiskIds"], "InstanceId": "lhins-demo0001"}),
    ),
    "DisassociateInstancesKeyPairs": (
        instances_in("STOPPED"),
        call("AssociateInstancesKeyPairs", dict),
    ),
    "ImportKeyPair": (
        override("the docs' PublicKey is a placeholder (<公钥内容>)", PublicKey=PUBLIC_KEY),
    ),
    "ModifyDisksBackupQuota": (
        listed_then(
            "DescribeDiskBackups",
            lambda p: {"Filters": [{"Name": "disk-id", "Values": p["DiskIds"]}]},
            "DiskBackupSet",
            "DiskBackupId",
            "DeleteDiskBackups",
            lambda p, ids: {"DiskBackupIds": ids},
        ),
    ),
    "ModifyInstancesBundle": (
        override(
            "the docs' instance id is malformed (6 characters)", InstanceIds=["lhins-demo0002"]
        ),
        upgrade_bundle(),
    ),
    "RebootInstances": (instances_in("RUNNING"),),
    "RenewDisks": (
        override(
            "the docs' CurInstanceDeadline (2023) is in the past",
            RenewDiskChargePrepaid={"Period": 1, "TimeUnit": "m"},
        ),
    ),
    "ReplaceFirewallTemplateRule": (template_rule_ids(many=False),),
    # An application expires when the CCN's owner never accepts it; the sandbox's CCNs
    # belong to the caller, who accepts at once, so EXPIRED is set on the record.
    "ResetAttachCcn": (edit_record("ccn", "CcnId", State="EXPIRED"),),
    "ResetInstancesPassword": (
        override("the docs' password is a placeholder (xxxxxxxxxxx)", Password="Lighthouse#2024"),
    ),
    "RunDockerContainers": (
        listed_then(
            "DescribeDockerContainers",
            lambda p: {"InstanceId": p["InstanceId"]},
            "DockerContainerSet",
            "ContainerId",
            "RemoveDockerContainers",
            lambda p, ids: {"InstanceId": p["InstanceId"], "ContainerIds": ids},
        ),
    ),
    "StartInstances": (instances_in("STOPPED"),),
    "StartMcpServers": (
        call(
            "StopMcpServers",
            lambda p: {"InstanceId": p["InstanceId"], "McpServerIds": p["McpServerIds"]},
        ),
    ),
    "StopInstances": (instances_in("RUNNING"),),
    "SyncBlueprint": (
        override(
            "the example syncs to regions outside mainland China, which "
            "a blueprint made in ap-guangzhou may not cross into",
            DestinationRegions=["ap-shanghai", "ap-beijing"],
        ),
    ),
    "TerminateDisks": (call("IsolateDisks", lambda p: {"DiskIds": p["DiskIds"]}),),
    "TerminateInstances": (call("IsolateInstances", lambda p: {"InstanceIds": p["InstanceIds"]}),),
}


async def prepare(api: Api, action: str, params: Params) -> Params:
    """The parameters to send for ``action`` after its preconditions are in place."""
    for step in PREPARE.get(action, ()):
        params = await step(api, params)
    return params
