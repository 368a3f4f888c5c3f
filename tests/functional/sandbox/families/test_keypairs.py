"""Key pairs: a real private key from CreateKeyPair, import checks, binding state rules."""

from __future__ import annotations

import base64
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lighthouse_mcp.sandbox.families import sshkeys

from .conftest import MEDIUM, WINDOWS, Compute

pytestmark = pytest.mark.anyio


def _der_numbers(pem: str) -> list[int]:
    """Decode the nine INTEGERs of a PKCS#1 RSAPrivateKey (an independent reader)."""
    body = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
    assert body[0] == 0x30

    def length(at: int) -> tuple[int, int]:
        first = body[at]
        if first < 0x80:
            return first, at + 1
        count = first & 0x7F
        return int.from_bytes(body[at + 1 : at + 1 + count], "big"), at + 1 + count

    _, at = length(1)
    numbers = []
    while at < len(body):
        assert body[at] == 0x02
        size, at = length(at + 1)
        numbers.append(int.from_bytes(body[at : at + size], "big"))
        at += size
    return numbers


async def test_create_returns_a_working_private_key_once(api: Any, tmp_path: Path) -> None:
    data = await api.ok("CreateKeyPair", {"KeyName": "deploy_1"})
    pair = data["KeyPair"]
    assert pair["KeyId"].startswith("lhkp-") and pair["AssociatedInstanceIds"] == []
    pem = pair["PrivateKey"]
    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    version, n, e, d, p, q, dp, dq, qinv = _der_numbers(pem)
    assert (version, e, n.bit_length()) == (0, 65537, 2048)
    assert p * q == n and (d * e) % ((p - 1) * (q - 1) // _gcd(p - 1, q - 1)) == 1
    assert (dp, dq, qinv) == (d % (p - 1), d % (q - 1), pow(q, -1, p))
    message = 0x1234567890ABCDEF
    assert pow(pow(message, e, n), d, n) == message
    public = sshkeys.parse_openssh_public_key(pair["PublicKey"])
    assert (public.n, public.e) == (n, e)
    # Never stored: Describe (and the saved state) has no private key.
    listed = await api.ok("DescribeKeyPairs", {"KeyIds": [pair["KeyId"]]})
    assert listed["KeyPairSet"][0]["PrivateKey"] is None
    assert "PRIVATE KEY" not in str(listed)
    if shutil.which("ssh-keygen"):
        key_file = tmp_path / "id_rsa"
        key_file.write_text(pem)
        key_file.chmod(0o600)
        derived = subprocess.run(
            ["ssh-keygen", "-y", "-f", str(key_file)], check=True, capture_output=True, text=True
        ).stdout.split()
        assert derived[:2] == pair["PublicKey"].split()[:2]


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "InvalidParameterValue.InvalidKeyPairNameEmpty"),
        ("k" * 26, "InvalidParameterValue.InvalidKeyPairNameTooLong"),
        ("has-dash", "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar"),
    ],
)
async def test_key_names(api: Any, name: str, code: str) -> None:
    assert await api.error("CreateKeyPair", {"KeyName": name}) == code


async def test_duplicate_name_and_quota(api: Any) -> None:
    await api.ok("CreateKeyPair", {"KeyName": "same"})
    assert (
        await api.error("CreateKeyPair", {"KeyName": "same"})
        == "InvalidParameterValue.DuplicateParameterValue"
    )
    quota = await api.ok("DescribeGeneralResourceQuotas", {"ResourceNames": ["USER_KEY_PAIR"]})
    [row] = quota["GeneralResourceQuotaSet"]
    assert row["ResourceQuotaTotal"] - row["ResourceQuotaAvailable"] == 1
    for n in range(row["ResourceQuotaAvailable"]):
        await api.ok("ImportKeyPair", {"KeyName": f"k{n}", "PublicKey": _public_key(100 + n)})
    assert (
        await api.error("ImportKeyPair", {"KeyName": "over", "PublicKey": _public_key(99)})
        == "LimitExceeded.KeyPairLimitExceeded"
    )


def _public_key(seed: int) -> str:
    key = sshkeys.generate_rsa_key(1024, random.Random(seed))
    return sshkeys.openssh_public_key(key, "me@laptop")


async def test_import_validates_the_public_key(api: Any) -> None:
    text = _public_key(1)
    data = await api.ok("ImportKeyPair", {"KeyName": "laptop", "PublicKey": text})
    listed = await api.ok("DescribeKeyPairs", {"KeyIds": [data["KeyId"]]})
    assert listed["KeyPairSet"][0]["PublicKey"] == text
    assert (
        await api.error("ImportKeyPair", {"KeyName": "again", "PublicKey": text})
        == "InvalidParameterValue.KeyPairPublicKeyDuplicated"
    )
    for bad in (
        "ssh-rsa",
        "ssh-rsa !!!notbase64",
        "ssh-dss AAAAB3NzaC1kc3M=",
        "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa").decode(),
        _public_key(2).replace("ssh-rsa AAAA", "ssh-rsa BBBB"),
    ):
        assert (
            await api.error("ImportKeyPair", {"KeyName": "bad", "PublicKey": bad})
            == "InvalidParameterValue.KeyPairPublicKeyMalformed"
        ), bad


async def test_describe_filters(api: Any) -> None:
    ids = {}
    for seed, name in enumerate(("prod_web", "prod_db", "dev_box"), start=10):
        imported = await api.ok("ImportKeyPair", {"KeyName": name, "PublicKey": _public_key(seed)})
        ids[name] = imported["KeyId"]
    fuzzy = await api.ok(
        "DescribeKeyPairs", {"Filters": [{"Name": "key-name", "Values": ["prod"]}]}
    )
    assert {k["KeyName"] for k in fuzzy["KeyPairSet"]} == {"prod_web", "prod_db"}
    exact = await api.ok(
        "DescribeKeyPairs", {"Filters": [{"Name": "key-id", "Values": [ids["dev_box"]]}]}
    )
    assert [k["KeyName"] for k in exact["KeyPairSet"]] == ["dev_box"]
    paged = await api.ok("DescribeKeyPairs", {"Offset": 1, "Limit": 1})
    assert (paged["TotalCount"], len(paged["KeyPairSet"])) == (3, 1)
    assert (
        await api.error(
            "DescribeKeyPairs",
            {"KeyIds": [ids["dev_box"]], "Filters": [{"Name": "key-name", "Values": ["x"]}]},
        )
        == "InvalidParameter.ParameterConflict"
    )


async def test_bind_and_unbind_with_state_rules(compute: Compute, api: Any) -> None:
    key = (await api.ok("ImportKeyPair", {"KeyName": "ops", "PublicKey": _public_key(3)}))["KeyId"]
    iid = await compute.create()
    await api.ok("AssociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [iid]})
    record = await compute.instance(iid)
    # A RUNNING instance is force-stopped for the change, then comes back.
    assert (record["InstanceState"], record["LatestOperation"]) == (
        "STOPPING",
        "AssociateInstancesKeyPairs",
    )
    assert record["LoginSettings"]["KeyIds"] == [key]
    compute.settle()
    assert await compute.state(iid) == ("RUNNING", "SUCCESS")
    listed = await api.ok("DescribeKeyPairs", {"KeyIds": [key]})
    assert listed["KeyPairSet"][0]["AssociatedInstanceIds"] == [iid]
    assert (
        await api.error("AssociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [iid]})
        == "UnsupportedOperation.KeyPairBindDuplicate"
    )
    assert await api.error("DeleteKeyPairs", {"KeyIds": [key]}) == "ResourceInUse.KeyPairInUse"
    await api.ok("DisassociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [iid]})
    compute.settle()
    assert (await compute.instance(iid))["LoginSettings"]["KeyIds"] == []
    assert (
        await api.error("DisassociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [iid]})
        == "UnsupportedOperation.KeyPairNotBoundToInstance"
    )
    await api.ok("DeleteKeyPairs", {"KeyIds": [key]})
    assert await api.error("DeleteKeyPairs", {"KeyIds": [key]}) == "ResourceNotFound.KeyIdNotFound"


async def test_bind_refusals(compute: Compute, api: Any) -> None:
    key = (await api.ok("ImportKeyPair", {"KeyName": "ops", "PublicKey": _public_key(4)}))["KeyId"]
    windows = await compute.create(BundleId=MEDIUM, BlueprintId=WINDOWS)
    assert (
        await api.error("AssociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [windows]})
        == "UnsupportedOperation.WindowsNotAllowToAssociateKeyPair"
    )
    pending = await compute.create(settle=False)
    assert (
        await api.error("AssociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [pending]})
        == "OperationDenied.InstanceCreating"
    )
    compute.settle()
    await api.ok("IsolateInstances", {"InstanceIds": [pending]})
    compute.settle()
    assert (
        await api.error("AssociateInstancesKeyPairs", {"KeyIds": [key], "InstanceIds": [pending]})
        == "UnsupportedOperation.InvalidInstanceState"
    )
    assert (
        await api.error(
            "AssociateInstancesKeyPairs", {"KeyIds": ["lhkp-zzzzzzzz"], "InstanceIds": [windows]}
        )
        == "ResourceNotFound.KeyIdNotFound"
    )
    assert (
        await api.error(
            "AssociateInstancesKeyPairs", {"KeyIds": ["lhkp-1"], "InstanceIds": [windows]}
        )
        == "InvalidParameterValue.KeyPairIdMalformed"
    )


async def test_terminating_an_instance_releases_its_keys(compute: Compute, api: Any) -> None:
    key = (await api.ok("ImportKeyPair", {"KeyName": "ops", "PublicKey": _public_key(5)}))["KeyId"]
    iid = await compute.create(LoginConfiguration={"KeyIds": [key]})
    await api.ok("IsolateInstances", {"InstanceIds": [iid]})
    compute.settle()
    await api.ok("TerminateInstances", {"InstanceIds": [iid]})
    compute.settle()
    await api.ok("DeleteKeyPairs", {"KeyIds": [key]})
