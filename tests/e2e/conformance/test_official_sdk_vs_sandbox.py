"""The sandbox as seen by a client nobody here wrote: Tencent's official Python SDK.

Our own client and our sandbox share the signer's pure functions, so a bug in both (a
canonical-request detail, a header the real API insists on) would pass every test that
uses them together. Here the sandbox runs as a real ``lighthouse-mcp sandbox`` process on
a loopback port, and ``tencentcloud-sdk-python-lighthouse`` — its own TC3 signer, its own
``requests`` transport, its own response models — drives an instance through its life
and asks for the documented errors. Responses are deserialised into the SDK's models with
warnings as errors: a structure the sandbox fills with a field the SDK does not know
fails the test ("... fileds are useless").
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tencentcloud.common import abstract_client
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.lighthouse.v20200324 import models
from tencentcloud.lighthouse.v20200324.lighthouse_client import LighthouseClient
from tencentcloud.lighthouse.v20200324.lighthouse_client_async import (
    LighthouseClient as AsyncLighthouseClient,
)

from lighthouse_mcp import catalog

pytestmark = pytest.mark.filterwarnings("error:.*fileds are useless:UserWarning")

REGION = "ap-guangzhou"
STARTUP_SECONDS = 30.0
#: How long a state change may take; the sandbox is started with a 0.1 s transition.
SETTLE_SECONDS = 10.0

_ENDPOINT = re.compile(r"listening on http://([\d.]+):(\d+)/")
_SECRET_ID = re.compile(r"SecretId:\s+(\S+)")
_SECRET_KEY = re.compile(r"SecretKey:\s+(\S+)")

M = TypeVar("M")


@dataclass(frozen=True)
class SandboxProcess:
    host: str
    port: int
    secret_id: str
    secret_key: str

    def client(self, *, secret_key: str | None = None) -> LighthouseClient:
        """An SDK client aimed at the sandbox: plain HTTP, the SDK's default signing
        (TC3-HMAC-SHA256, POST with a JSON body), no retries."""
        profile = ClientProfile(
            httpProfile=HttpProfile(
                protocol="http", endpoint=f"{self.host}:{self.port}", reqTimeout=10
            )
        )
        assert profile.signMethod == "TC3-HMAC-SHA256"
        credential = Credential(self.secret_id, secret_key or self.secret_key)
        return LighthouseClient(credential, REGION, profile)


def _command() -> list[str]:
    """The installed console script when there is one (what a user runs), else the module."""
    script = Path(sys.executable).with_name("lighthouse-mcp")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "lighthouse_mcp.server"]
    return [*base, "sandbox", "--host", "127.0.0.1", "--port", "0", "--delay", "0.1"]


def _read_banner(proc: subprocess.Popen[str]) -> str:
    """Stdout up to the signing line, with a deadline (a reader thread: a bare readline
    could block forever on a sandbox that hangs before printing)."""
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    banner = ""
    deadline = time.monotonic() + STARTUP_SECONDS
    while "Signing:" not in banner:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"the sandbox printed no endpoint within {STARTUP_SECONDS}s: {banner!r}")
        if not line:
            pytest.fail(f"the sandbox exited before it was ready: {banner!r}")
        banner += line
    return banner


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
    }
    proc = subprocess.Popen(
        _command(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    with pytest.MonkeyPatch.context() as mp:
        # The SDK's requests session honours *_PROXY; loopback must never go through one.
        for name in (
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "http_proxy",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ):
            mp.delenv(name, raising=False)
        mp.setenv("NO_PROXY", "127.0.0.1")
        try:
            banner = _read_banner(proc)
            endpoint, sid, key = (
                _ENDPOINT.search(banner),
                _SECRET_ID.search(banner),
                _SECRET_KEY.search(banner),
            )
            assert endpoint and sid and key, f"unexpected banner: {banner!r}"
            yield SandboxProcess(endpoint[1], int(endpoint[2]), sid[1], key[1])
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture(scope="module")
def sdk(sandbox: SandboxProcess) -> LighthouseClient:
    return sandbox.client()


def request(model: type[M], **fields: Any) -> M:
    """An SDK request model filled from plain values, as its own JSON loader does."""
    req = model()
    req._deserialize(fields)  # type: ignore[attr-defined]
    return req


def error_of(call: Callable[[], object]) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as caught:
        call()
    return caught.value


def instance(sdk: LighthouseClient, instance_id: str) -> Any | None:
    resp = sdk.DescribeInstances(
        request(models.DescribeInstancesRequest, InstanceIds=[instance_id])
    )
    return resp.InstanceSet[0] if resp.InstanceSet else None


def wait_for(what: str, probe: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    """Poll like a real caller would, until ``done`` or SETTLE_SECONDS pass."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not settled after {SETTLE_SECONDS}s, last seen {value}")
        time.sleep(0.05)


def wait_state(sdk: LighthouseClient, instance_id: str, state: str) -> Any:
    """Until the instance is in ``state`` and its latest operation is no longer running."""
    return wait_for(
        f"{instance_id} -> {state}",
        lambda: instance(sdk, instance_id),
        lambda i: (
            i is not None and i.InstanceState == state and i.LatestOperationState != "OPERATING"
        ),
    )


def seeded_bundle_and_blueprint(sdk: LighthouseClient) -> tuple[str, str]:
    """A Linux bundle on sale and a normal Linux blueprint, found the way a user would."""
    bundles = sdk.DescribeBundles(models.DescribeBundlesRequest()).BundleSet
    blueprints = sdk.DescribeBlueprints(models.DescribeBlueprintsRequest()).BlueprintSet
    bundle = next(
        b.BundleId
        for b in bundles
        if b.BundleSalesState == "AVAILABLE" and b.SupportLinuxUnixPlatform
    )
    blueprint = next(
        b.BlueprintId
        for b in blueprints
        if b.BlueprintState == "NORMAL"
        and b.OsName
        and b.Platform != "WINDOWS"
        and b.PlatformType == "LINUX_UNIX"
    )
    return bundle, blueprint


@pytest.fixture(scope="module")
def created(sdk: LighthouseClient) -> str:
    """One instance created through the SDK and RUNNING; the lifecycle test ends it."""
    bundle, blueprint = seeded_bundle_and_blueprint(sdk)
    resp = sdk.CreateInstances(
        request(
            models.CreateInstancesRequest,
            BundleId=bundle,
            BlueprintId=blueprint,
            InstanceName="sdk-conformance",
            InstanceChargePrepaid={"Period": 1, "RenewFlag": "NOTIFY_AND_MANUAL_RENEW"},
        )
    )
    assert resp.RequestId and len(resp.InstanceIdSet) == 1
    instance_id: str = resp.InstanceIdSet[0]
    assert re.fullmatch(r"lhins-[0-9a-z]{8}", instance_id)
    running = wait_state(sdk, instance_id, "RUNNING")
    assert (running.BundleId, running.BlueprintId) == (bundle, blueprint)
    assert running.InstanceName == "sdk-conformance"
    return instance_id


# -- signing and the documented errors ------------------------------------------------------


def test_sdk_signature_is_accepted_and_a_wrong_key_is_refused(
    sandbox: SandboxProcess, sdk: LighthouseClient
) -> None:
    ok = sdk.DescribeRegions(models.DescribeRegionsRequest())
    assert ok.TotalCount == len(ok.RegionSet) > 0 and ok.RequestId
    bad = sandbox.client(secret_key=sandbox.secret_key + "x")
    err = error_of(lambda: bad.DescribeInstances(models.DescribeInstancesRequest()))
    assert err.get_code() == "AuthFailure.SignatureFailure"
    assert err.get_request_id()
    assert sandbox.secret_key not in str(err)


def test_unknown_secret_id(sandbox: SandboxProcess) -> None:
    stranger = SandboxProcess(sandbox.host, sandbox.port, "AKID" + "0" * 32, "k")
    err = error_of(lambda: stranger.client().DescribeInstances(models.DescribeInstancesRequest()))
    assert err.get_code() == "AuthFailure.SecretIdNotFound"


def test_stale_timestamp(sdk: LighthouseClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK signs with its own clock: an hour-old one gives the documented expiry."""

    class HourAgo:
        @staticmethod
        def time() -> float:
            return time.time() - 3600

    monkeypatch.setattr(abstract_client, "time", HourAgo)
    err = error_of(lambda: sdk.DescribeInstances(models.DescribeInstancesRequest()))
    assert err.get_code() == "AuthFailure.SignatureExpire"


def test_regions(sandbox: SandboxProcess) -> None:
    nowhere = sandbox.client()
    nowhere.region = "xx-nowhere-1"
    err = error_of(lambda: nowhere.DescribeInstances(models.DescribeInstancesRequest()))
    assert err.get_code() == "UnsupportedRegion"
    # The SDK leaves X-TC-Region out when the region is empty: the firewall-template
    # family is documented as needing none, an instance listing needs one.
    regionless = sandbox.client()
    regionless.region = ""
    templates = regionless.DescribeFirewallTemplates(models.DescribeFirewallTemplatesRequest())
    assert templates.RequestId
    err = error_of(lambda: regionless.DescribeInstances(models.DescribeInstancesRequest()))
    assert err.get_code() == "MissingParameter"


@pytest.mark.anyio
async def test_async_sdk_client(sandbox: SandboxProcess) -> None:
    """The SDK's asyncio client is a second, separate signer (over httpx)."""
    profile = ClientProfile(
        httpProfile=HttpProfile(protocol="http", endpoint=f"{sandbox.host}:{sandbox.port}")
    )
    credential = Credential(sandbox.secret_id, sandbox.secret_key)
    async with AsyncLighthouseClient(credential, REGION, profile) as client:
        listed = await client.DescribeInstances(request(models.DescribeInstancesRequest, Limit=1))
        assert listed.TotalCount >= 1 and len(listed.InstanceSet) == 1
        with pytest.raises(TencentCloudSDKException) as caught:
            await client.StartInstances(models.StartInstancesRequest())
    assert caught.value.get_code() == "MissingParameter"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sign_method", "verb"),
    [("TC3-HMAC-SHA256", "GET"), ("HmacSHA256", "POST"), ("HmacSHA1", "GET")],
)
async def test_async_sdk_client_other_shapes(
    sandbox: SandboxProcess, sign_method: str, verb: str
) -> None:
    """The asyncio client's own GET and v1 code paths (separate from the sync client's)."""
    profile = ClientProfile(
        signMethod=sign_method,
        httpProfile=HttpProfile(
            protocol="http", reqMethod=verb, endpoint=f"{sandbox.host}:{sandbox.port}"
        ),
    )
    credential = Credential(sandbox.secret_id, sandbox.secret_key)
    async with AsyncLighthouseClient(credential, REGION, profile) as client:
        listed = await client.DescribeInstances(
            request(
                models.DescribeInstancesRequest,
                Limit=1,
                Filters=[{"Name": "instance-state", "Values": ["RUNNING", "STOPPED"]}],
            )
        )
        assert listed.TotalCount >= 1 and len(listed.InstanceSet) == 1


def test_get_requests(sandbox: SandboxProcess) -> None:
    """TC3 over GET: the SDK flattens the request into the query string (its canonical
    query) and signs Content-Type application/x-www-form-urlencoded."""
    client = sandbox.client()
    client.profile.httpProfile.reqMethod = "GET"
    req = request(
        models.DescribeInstancesRequest,
        Limit=1,
        Filters=[{"Name": "instance-state", "Values": ["RUNNING"]}],
    )
    listed = client.DescribeInstances(req)
    assert listed.RequestId and len(listed.InstanceSet) == 1
    assert listed.InstanceSet[0].InstanceState == "RUNNING"
    err = error_of(
        lambda: client.DescribeInstances(request(models.DescribeInstancesRequest, Limit=101))
    )
    assert err.get_code() == "InvalidParameterValue.OutOfRange"  # Limit above its maximum


@pytest.mark.parametrize("method", ["HmacSHA256", "HmacSHA1"])
@pytest.mark.parametrize("verb", ["POST", "GET"])
def test_v1_signature(sandbox: SandboxProcess, method: str, verb: str) -> None:
    """Signature v1: every parameter (common ones too) in the form, base64 HMAC."""
    client = sandbox.client()
    client.profile.signMethod = method
    client.profile.httpProfile.reqMethod = verb
    assert client.DescribeRegions(models.DescribeRegionsRequest()).RequestId
    listed = client.DescribeInstances(
        request(
            models.DescribeInstancesRequest,
            Offset=0,
            Limit=1,
            Filters=[{"Name": "instance-state", "Values": ["RUNNING", "STOPPED"]}],
        )
    )
    assert listed.TotalCount >= 1 and len(listed.InstanceSet) == 1
    bad = sandbox.client(secret_key=sandbox.secret_key + "x")
    bad.profile.signMethod = method
    bad.profile.httpProfile.reqMethod = verb
    err = error_of(lambda: bad.DescribeRegions(models.DescribeRegionsRequest()))
    assert err.get_code() == "AuthFailure.SignatureFailure"
    assert sandbox.secret_key not in str(err)


def test_v1_form_values_are_typed_by_the_catalog(
    sandbox: SandboxProcess, sdk: LighthouseClient
) -> None:
    """A form carries text only (the Python SDK even writes booleans as ``True``): the
    sandbox reads Integer, Boolean and nested structure members back as the catalog types
    them, so a v1 dry run passes every check a JSON caller's would."""
    bundle, blueprint = seeded_bundle_and_blueprint(sdk)
    client = sandbox.client()
    client.profile.signMethod = "HmacSHA256"
    err = error_of(
        lambda: client.CreateInstances(
            request(
                models.CreateInstancesRequest,
                BundleId=bundle,
                BlueprintId=blueprint,
                DryRun=True,
                InstanceCount=1,
                InstanceChargePrepaid={"Period": 1, "RenewFlag": "NOTIFY_AND_MANUAL_RENEW"},
            )
        )
    )
    assert err.get_code() == "DryRunOperation", err.get_message()


def test_unknown_parameter(sdk: LighthouseClient) -> None:
    # The SDK's models drop fields they do not know, so the raw generic call is used.
    err = error_of(lambda: sdk.call_json("DescribeInstances", {"Limit": 1, "Nope": 1}))
    assert err.get_code() == "UnknownParameter"
    assert "Nope" in err.get_message()


def test_missing_parameter(sdk: LighthouseClient) -> None:
    err = error_of(lambda: sdk.StartInstances(models.StartInstancesRequest()))
    assert err.get_code() == "MissingParameter"
    assert "InstanceIds" in err.get_message()


def test_wrong_type(sdk: LighthouseClient) -> None:
    err = error_of(lambda: sdk.call_json("DescribeInstances", {"Limit": "five"}))
    assert err.get_code().startswith("InvalidParameter")
    assert "Limit" in err.get_message()


def test_unknown_action(sdk: LighthouseClient) -> None:
    err = error_of(lambda: sdk.call_json("DescribeNothing", {}))
    assert err.get_code() == "InvalidAction"


# -- an instance's life, through the SDK's typed models -------------------------------------


def test_stop_and_start(sdk: LighthouseClient, created: str) -> None:
    sdk.StopInstances(request(models.StopInstancesRequest, InstanceIds=[created]))
    stopped = wait_state(sdk, created, "STOPPED")
    assert stopped.LatestOperation == "StopInstances"
    assert stopped.LatestOperationState == "SUCCESS"
    sdk.StartInstances(request(models.StartInstancesRequest, InstanceIds=[created]))
    started = wait_state(sdk, created, "RUNNING")
    assert started.LatestOperation == "StartInstances"
    assert started.LatestOperationState == "SUCCESS"


def test_wrong_state(sdk: LighthouseClient, created: str) -> None:
    wait_state(sdk, created, "RUNNING")
    err = error_of(
        lambda: sdk.StartInstances(request(models.StartInstancesRequest, InstanceIds=[created]))
    )
    assert err.get_code() == "UnsupportedOperation.InvalidInstanceState"
    assert created in err.get_message()


def test_firewall_rule(sdk: LighthouseClient, created: str) -> None:
    rule = {
        "Protocol": "TCP",
        "Port": "8443",
        "CidrBlock": "203.0.113.0/24",
        "Action": "ACCEPT",
        "FirewallRuleDescription": "sdk conformance",
    }
    sdk.CreateFirewallRules(
        request(models.CreateFirewallRulesRequest, InstanceId=created, FirewallRules=[rule])
    )
    rules = sdk.DescribeFirewallRules(
        request(models.DescribeFirewallRulesRequest, InstanceId=created, Limit=100)
    )
    assert rules.TotalCount == len(rules.FirewallRuleSet)
    assert rules.FirewallVersion >= 1
    assert any(
        (r.Protocol, r.Port, r.CidrBlock, r.Action, r.FirewallRuleDescription)
        == tuple(rule.values())
        for r in rules.FirewallRuleSet
    ), rules


def test_snapshot(sdk: LighthouseClient, created: str) -> None:
    resp = sdk.CreateInstanceSnapshot(
        request(models.CreateInstanceSnapshotRequest, InstanceId=created, SnapshotName="sdk-snap")
    )
    assert re.fullmatch(r"lhsnap-[0-9a-z]{8}", resp.SnapshotId)

    def snapshots() -> list[Any]:
        found = sdk.DescribeSnapshots(
            request(models.DescribeSnapshotsRequest, SnapshotIds=[resp.SnapshotId])
        )
        assert found.TotalCount == len(found.SnapshotSet)
        return list(found.SnapshotSet)

    snap = wait_for(
        "snapshot NORMAL", snapshots, lambda s: len(s) == 1 and s[0].SnapshotState == "NORMAL"
    )[0]
    assert (snap.SnapshotName, snap.DiskUsage) == ("sdk-snap", "SYSTEM_DISK")
    owner = instance(sdk, created)
    assert owner is not None and snap.DiskId == owner.SystemDisk.DiskId
    wait_state(sdk, created, "RUNNING")


# -- the spec's newer actions and parameters (issue 13) ------------------------------------


def _mcp_servers(sdk: LighthouseClient, instance_id: str, server_id: str) -> list[Any]:
    found = sdk.DescribeMcpServers(
        request(models.DescribeMcpServersRequest, InstanceId=instance_id)
    )
    assert found.InstanceId == instance_id and found.TotalCount == len(found.McpServerSet)
    return [s for s in found.McpServerSet if s.McpServerId == server_id]


def _mcp_state(sdk: LighthouseClient, instance_id: str, server_id: str, state: str) -> Any:
    return wait_for(
        f"{server_id} -> {state}",
        lambda: _mcp_servers(sdk, instance_id, server_id),
        lambda s: len(s) == 1 and s[0].State == state,
    )[0]


def test_mcp_server_lifecycle(sdk: LighthouseClient, created: str) -> None:
    wait_state(sdk, created, "RUNNING")
    templates = sdk.DescribeMcpServerTemplates(
        request(
            models.DescribeMcpServerTemplatesRequest,
            Filters=[{"Name": "name-description", "Values": ["lighthouse"]}],
        )
    )
    assert templates.TotalCount == len(templates.McpServerTemplateSet) >= 1
    template = templates.McpServerTemplateSet[0]
    secret = "sk-not-for-describe"
    made = sdk.CreateMcpServer(
        request(
            models.CreateMcpServerRequest,
            InstanceId=created,
            Name="sdk-mcp",
            Command=template.Command,
            Envs=[{"Key": "API_KEY", "Value": secret}],
        )
    )
    assert re.fullmatch(r"lhms-[0-9a-z]{8}", made.McpServerId)
    pending = _mcp_servers(sdk, created, made.McpServerId)[0]
    assert pending.State == "PENDING"
    running = _mcp_state(sdk, created, made.McpServerId, "RUNNING")
    assert running.TransportType == "STREAMABLE_HTTP" and running.ServerUrl.endswith("/mcp")
    assert [(e.Key, e.Value) for e in running.EnvSet] == [("API_KEY", "**********")]
    ids = {"InstanceId": created, "McpServerIds": [made.McpServerId]}
    sdk.StopMcpServers(request(models.StopMcpServersRequest, **ids))
    assert _mcp_servers(sdk, created, made.McpServerId)[0].State == "STOPPING"
    _mcp_state(sdk, created, made.McpServerId, "STOPPED")
    err = error_of(lambda: sdk.StopMcpServers(request(models.StopMcpServersRequest, **ids)))
    assert err.get_code() == "UnsupportedOperation"
    sdk.StartMcpServers(request(models.StartMcpServersRequest, **ids))
    _mcp_state(sdk, created, made.McpServerId, "RUNNING")
    sdk.ModifyMcpServer(
        request(
            models.ModifyMcpServerRequest,
            InstanceId=created,
            McpServerId=made.McpServerId,
            TransportType="SSE",
        )
    )
    assert _mcp_servers(sdk, created, made.McpServerId)[0].State == "RESTARTING"
    modified = _mcp_state(sdk, created, made.McpServerId, "RUNNING")
    assert modified.TransportType == "SSE" and modified.ServerUrl.endswith("/sse")
    sdk.RestartMcpServers(request(models.RestartMcpServersRequest, **ids))
    _mcp_state(sdk, created, made.McpServerId, "RUNNING")
    sdk.RemoveMcpServers(request(models.RemoveMcpServersRequest, **ids))
    wait_for(
        f"{made.McpServerId} removed",
        lambda: _mcp_servers(sdk, created, made.McpServerId),
        lambda s: s == [],
    )


def test_stop_type_and_online_key_binding(sdk: LighthouseClient, created: str) -> None:
    wait_state(sdk, created, "RUNNING")
    sdk.StopInstances(request(models.StopInstancesRequest, InstanceIds=[created], StopType="HARD"))
    wait_state(sdk, created, "STOPPED")
    sdk.StartInstances(request(models.StartInstancesRequest, InstanceIds=[created]))
    wait_state(sdk, created, "RUNNING")
    sdk.RebootInstances(
        request(models.RebootInstancesRequest, InstanceIds=[created], StopType="SOFT")
    )
    wait_state(sdk, created, "RUNNING")
    tags = [{"Key": "team", "Value": "sdk"}]
    key = sdk.CreateKeyPair(request(models.CreateKeyPairRequest, KeyName="sdk_online", Tags=tags))
    assert [(t.Key, t.Value) for t in key.KeyPair.Tags] == [("team", "sdk")]
    key_id = key.KeyPair.KeyId
    pair = {"KeyIds": [key_id], "InstanceIds": [created]}
    sdk.AssociateInstancesKeyPairs(
        request(
            models.AssociateInstancesKeyPairsRequest,
            **pair,
            AssociateType="ONLINE",
            Username="lighthouse",
        )
    )
    # ONLINE: no shutdown, the instance stays RUNNING throughout.
    now = instance(sdk, created)
    assert now is not None and now.InstanceState == "RUNNING"
    tagged = sdk.DescribeKeyPairs(
        request(
            models.DescribeKeyPairsRequest,
            Filters=[{"Name": "tag:team", "Values": ["sdk"]}],
        )
    )
    assert [k.KeyId for k in tagged.KeyPairSet] == [key_id]
    bound = tagged.KeyPairSet[0].AssociatedInstanceSet
    assert [(b.InstanceId, b.Username) for b in bound] == [(created, "lighthouse")]
    wait_state(sdk, created, "RUNNING")
    err = error_of(
        lambda: sdk.DisassociateInstancesKeyPairs(
            request(models.DisassociateInstancesKeyPairsRequest, **pair, Username="lighthouse")
        )
    )
    assert "Username" in err.get_message()  # Username needs ONLINE
    sdk.DisassociateInstancesKeyPairs(
        request(models.DisassociateInstancesKeyPairsRequest, **pair, DisassociateType="ONLINE")
    )
    now = instance(sdk, created)
    assert now is not None and now.InstanceState == "RUNNING"
    wait_state(sdk, created, "RUNNING")
    sdk.DeleteKeyPairs(request(models.DeleteKeyPairsRequest, KeyIds=[key_id]))


def test_image_sharing_and_blueprint_bundles(sdk: LighthouseClient) -> None:
    images = sdk.DescribeImagesToShare(models.DescribeImagesToShareRequest()).ImageSet
    shareable = next(i for i in images if i.IsShareable)
    assert any(not i.IsShareable and i.UnshareableReason for i in images)
    shared = sdk.ModifyImageSharePermission(
        request(
            models.ModifyImageSharePermissionRequest,
            ImageId=shareable.ImageId,
            Permission="SHARE",
        )
    )
    blueprint = sdk.DescribeBlueprints(
        request(models.DescribeBlueprintsRequest, BlueprintIds=[shared.BlueprintId])
    ).BlueprintSet[0]
    assert (blueprint.BlueprintType, blueprint.ImageId) == ("SHARED", shareable.ImageId)
    again = next(
        i
        for i in sdk.DescribeImagesToShare(
            request(models.DescribeImagesToShareRequest, ImageIds=[shareable.ImageId])
        ).ImageSet
    )
    assert not again.IsShareable
    fitting = sdk.DescribeBlueprintBundles(
        request(models.DescribeBlueprintBundlesRequest, BlueprintId=shared.BlueprintId)
    )
    assert fitting.TotalCount == len(fitting.BlueprintBundleSet) >= 1
    same = sdk.DescribeBundles(
        request(models.DescribeBundlesRequest, BlueprintId=shared.BlueprintId, Limit=100)
    )
    assert {b.BundleId for b in same.BundleSet} == {b.BundleId for b in fitting.BlueprintBundleSet}
    one = fitting.BlueprintBundleSet[0].BundleId
    by_filter = sdk.DescribeBundles(
        request(models.DescribeBundlesRequest, Filters=[{"Name": "bundle-id", "Values": [one]}])
    )
    assert [b.BundleId for b in by_filter.BundleSet] == [one]
    assert by_filter.BundleSet[0].Price.InstancePrice.DetailPrices[0].PriceName == "Instance"
    sdk.ModifyImageSharePermission(
        request(
            models.ModifyImageSharePermissionRequest,
            ImageId=shareable.ImageId,
            Permission="CANCEL",
        )
    )
    # Cancelled: the image can be shared again.
    wait_for(
        f"{shareable.ImageId} shareable again",
        lambda: sdk.DescribeImagesToShare(
            request(models.DescribeImagesToShareRequest, ImageIds=[shareable.ImageId])
        ).ImageSet[0],
        lambda i: i.IsShareable,
    )


def test_isolate_then_terminate(sdk: LighthouseClient, created: str) -> None:
    """Last: it ends the instance the other lifecycle tests share."""
    sdk.IsolateInstances(request(models.IsolateInstancesRequest, InstanceIds=[created]))
    isolated = wait_state(sdk, created, "SHUTDOWN")
    assert isolated.IsolatedTime
    sdk.TerminateInstances(request(models.TerminateInstancesRequest, InstanceIds=[created]))
    wait_for(f"{created} gone", lambda: instance(sdk, created), lambda i: i is None)
    err = error_of(
        lambda: sdk.StartInstances(request(models.StartInstancesRequest, InstanceIds=[created]))
    )
    assert err.get_code().startswith(("ResourceNotFound", "InvalidParameterValue"))


# -- every parameterless read: the sandbox answers only what the SDK's models know --------


def _parameterless_reads() -> list[str]:
    return [
        name
        for name in catalog.action_names()
        if catalog.is_read(name) and not any(p["required"] for p in catalog.action(name)["inputs"])
    ]


@pytest.mark.parametrize("action", _parameterless_reads())
def test_parameterless_read_fits_the_sdk_model(sdk: LighthouseClient, action: str) -> None:
    """Raw answer's top-level fields are members of the SDK's XxxResponse; deserialising
    it checks every nested structure (the module turns the SDK's unknown-field warning
    into an error)."""
    raw = sdk.call_json(action, {})["Response"]
    model = getattr(models, f"{action}Response")()
    known = {name.removeprefix("_") for name in vars(model)} - {"headers"}
    assert set(raw) <= known, f"{action}: fields the SDK does not know: {set(raw) - known}"
    assert raw["RequestId"]
    model._deserialize(raw)
    typed = getattr(sdk, action)(getattr(models, f"{action}Request")())
    assert typed.RequestId and typed.RequestId != raw["RequestId"]


# -- every documented example request, through the SDK's typed models -----------------------

#: Codes a documented example must never get: they would mean the sandbox reads the
#: request differently from the docs (or crashed), whatever the action documents.
NEVER_FOR_AN_EXAMPLE = frozenset({"InternalError", "UnknownParameter", "MissingParameter"})


def _documented_examples() -> list[Any]:
    return [
        pytest.param(name, i, example["input"], id=f"{name}-{i}")
        for name in catalog.action_names()
        for i, example in enumerate(catalog.action(name)["examples"])
        if example["input"] is not None
    ]


@pytest.mark.parametrize(("action", "index", "example"), _documented_examples())
def test_documented_example_gets_a_documented_answer(
    sdk: LighthouseClient, action: str, index: int, example: dict[str, Any]
) -> None:
    """The docs' own example request either succeeds (and its answer fits the SDK's
    models) or is refused with a code the docs list for that action or for every action.
    The examples name resources that mostly do not exist here, so refusals are expected;
    an undocumented code is not."""
    try:
        answer = getattr(sdk, action)(request(getattr(models, f"{action}Request"), **example))
    except TencentCloudSDKException as err:
        code = err.get_code()
        documented = {e["code"] for e in catalog.action(action)["errors"]}
        documented |= {e["code"] for e in catalog.load_catalog()["common_errors"]}
        assert code not in NEVER_FOR_AN_EXAMPLE, f"{code}: {err.get_message()}"
        assert code in documented, f"undocumented for {action}: {code}: {err.get_message()}"
    else:
        assert answer.RequestId
