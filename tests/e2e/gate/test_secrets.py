"""Credentials an API call returns stay out of tool results: CreateKeyPair's private key
goes to a user-only file; DescribeInstanceVncUrl's login URL is a gated secret read.
``--return-secrets`` restores both to plain results."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from tests.e2e.gate.helpers import CLIENT, audit, error_code, gate_server, never_asked

pytestmark = pytest.mark.anyio


async def test_private_key_goes_to_a_user_only_file(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="token"),
        mode="legacy",
        elicitation_callback=never_asked,
        client_info=CLIENT,
    ) as c:
        result = await c.call_tool("CreateKeyPair", {"KeyName": "deploy"})
    assert not result.is_error, result.content
    data = result.structured_content or {}
    path = Path(data["PrivateKeyFile"])
    assert path.parent == tmp_path / "keys" and path.name == f"{data['KeyPair']['KeyId']}.pem"
    key = path.read_text()
    assert key.startswith("-----BEGIN") and "PRIVATE KEY" in key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "PrivateKey" not in data["KeyPair"] and data["KeyPair"]["PublicKey"].startswith("ssh-")
    body = key.strip().splitlines()[1]
    assert body not in result.content[0].text  # type: ignore[union-attr]
    assert body not in (tmp_path / "audit.jsonl").read_text()


async def test_key_dir_that_cannot_be_written_never_leaks_the_key(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, key_dir=blocker / "keys"), mode="legacy", client_info=CLIENT
    ) as c:
        result = await c.call_tool("CreateKeyPair", {"KeyName": "deploy"})
    data = result.structured_content or {}
    assert "PrivateKey" not in data["KeyPair"] and "PrivateKeyFile" not in data
    assert "DeleteKeyPairs" in data["PrivateKeyNotSaved"]
    assert "PRIVATE KEY" not in result.content[0].text  # type: ignore[union-attr]


async def test_return_secrets_returns_the_key_and_the_url(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, return_secrets=True),
        mode="legacy",
        elicitation_callback=never_asked,
        client_info=CLIENT,
    ) as c:
        key = await c.call_tool("CreateKeyPair", {"KeyName": "deploy"})
        url = await c.call_tool("DescribeInstanceVncUrl", {"InstanceId": "lhins-demo0001"})
    assert "PRIVATE KEY" in (key.structured_content or {})["KeyPair"]["PrivateKey"]
    assert not (tmp_path / "keys").exists()
    assert not url.is_error and (url.structured_content or {})["InstanceVncUrl"]


async def test_console_url_is_a_gated_secret_read(tmp_path: Path) -> None:
    sb = Sandbox(delay=0)
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="token"), mode="legacy", client_info=CLIENT
    ) as c:
        first = await c.call_tool("DescribeInstanceVncUrl", {"InstanceId": "lhins-demo0001"})
        token = (first.structured_content or {})["Error"]["confirm_token"]
        second = await c.call_tool(
            "DescribeInstanceVncUrl", {"InstanceId": "lhins-demo0001", "confirm_token": token}
        )
    assert error_code(first) == "ConfirmationRequired"
    assert "The result is a credential" in first.content[0].text  # type: ignore[union-attr]
    assert [r.action for r in sb.requests].count("DescribeInstanceVncUrl") == 1
    url = (second.structured_content or {})["InstanceVncUrl"]
    records = audit(tmp_path)
    assert [r["decision"] for r in records] == [
        "token-issued",
        "model-relayed",
        "model-relayed",
    ]
    assert url not in (tmp_path / "audit.jsonl").read_text()
