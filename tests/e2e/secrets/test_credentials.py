"""Credentials read from the environment, profile files, tccli files and the metadata
service: every description, error and log line about them names the source, never the
key or token — also when the source is broken in a way that puts the secret right next
to the problem (a half-filled profile, a malformed file, an incomplete metadata answer).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import CredentialChain, InstanceRoleProvider
from lighthouse_mcp.client.errors import CredentialsError
from tests.e2e.secrets import canaries as cn

pytestmark = pytest.mark.anyio


async def _describe(chain: CredentialChain) -> str:
    """Resolve (raising is fine) and describe; return everything a person would see."""
    seen = [chain.describe_source()]
    try:
        creds = await chain.get()
        seen += [repr(creds), str(creds)]
    except CredentialsError as exc:
        seen += [str(exc), repr(exc)]
    return "\n".join(seen)


async def test_profile_and_tccli_files(tmp_path: Path, all_logs: pytest.LogCaptureFixture) -> None:
    ini = tmp_path / ".tencentcloud" / "credentials"
    ini.parent.mkdir()
    tccli = tmp_path / ".tccli" / "default.credential"
    tccli.parent.mkdir()
    cases = [
        (
            ini,
            f"[default]\nsecret_id = {cn.SECRET_ID}\nsecret_key = {cn.SECRET_KEY}\n"
            f"token = {cn.SESSION_TOKEN}\n",
        ),
        (ini, f"[default]\nsecret_key = {cn.SECRET_KEY}\n"),  # half configured
        (ini, f"[default]\n{cn.SECRET_KEY}\n"),  # not INI at all
        (
            tccli,
            json.dumps(
                {"secretId": cn.SECRET_ID, "secretKey": cn.SECRET_KEY, "token": cn.SESSION_TOKEN}
            ),
        ),
        (tccli, json.dumps({"secretKey": cn.SECRET_KEY})),
        (tccli, '{"secretKey": "' + cn.SECRET_KEY),  # broken JSON
        (
            tccli,
            json.dumps({"secretId": cn.SECRET_ID, "secretKey": cn.SECRET_KEY, "expiredTime": 1}),
        ),  # expired
    ]
    for path, text in cases:
        for f in (ini, tccli):
            f.unlink(missing_ok=True)
        path.write_text(text)
        seen = await _describe(CredentialChain(env={}, home=tmp_path))
        cn.assert_clean(f"what is said about {path.name} holding {text[:20]!r}", seen)
    cn.assert_clean("the log", cn.log_text(all_logs.records))


async def test_environment_half_configured() -> None:
    for env in (
        {"TENCENTCLOUD_SECRET_KEY": cn.SECRET_KEY},
        {
            "TENCENTCLOUD_SECRET_ID": cn.SECRET_ID,
            "TENCENTCLOUD_SECRET_KEY": cn.SECRET_KEY,
            "TENCENTCLOUD_TOKEN": cn.SESSION_TOKEN,
        },
    ):
        cn.assert_clean(
            "the environment source",
            await _describe(CredentialChain(env=env, home=Path("/nonexistent"))),
        )


async def test_metadata_service(all_logs: pytest.LogCaptureFixture) -> None:
    full = {
        "TmpSecretId": cn.SECRET_ID,
        "TmpSecretKey": cn.SECRET_KEY,
        "Token": cn.SESSION_TOKEN,
        "ExpiredTime": 4102444800,
    }
    answers = [
        full,
        {"TmpSecretKey": cn.SECRET_KEY, "Token": cn.SESSION_TOKEN},
        f"<html>{cn.SECRET_KEY}</html>",
    ]
    for answer in answers:

        def metadata(request: httpx.Request, answer: object = answer) -> httpx.Response:
            if request.url.path.endswith("/security-credentials/"):
                return httpx.Response(200, text="lighthouse-role\n")
            if isinstance(answer, str):
                return httpx.Response(200, text=answer)
            return httpx.Response(200, json=answer)

        role = InstanceRoleProvider(transport=httpx.MockTransport(metadata))
        seen = [role.describe_source()]
        try:
            creds = await role.get()
            seen += [repr(creds), role.describe_source()]
        except CredentialsError as exc:
            seen += [str(exc), repr(exc)]
        cn.assert_clean("what is said about the metadata answer", *seen)
    cn.assert_clean("the log", cn.log_text(all_logs.records))


async def test_client_describes_its_source_without_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", cn.SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", cn.SECRET_KEY)
    async with LighthouseClient(region="ap-guangzhou") as client:
        cn.assert_clean("the client's repr and source", repr(client), client.credentials_source)
        assert "environment variables" in client.credentials_source
