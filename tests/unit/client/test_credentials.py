"""The credentials chain: each source, its order, half-configured sources, the instance
role (against a fake metadata service), and that no secret shows in any text."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from lighthouse_mcp.client.credentials import (
    METADATA_URL,
    REFRESH_MARGIN,
    CredentialChain,
    Credentials,
    InstanceRoleProvider,
    StaticProvider,
    as_provider,
    region_from_config,
)
from lighthouse_mcp.client.errors import CredentialsError

SECRET = "sk-VERY-SECRET-1234567890"
TOKEN = "tok-VERY-SECRET-abcdef"


def _ini(home: Path, text: str) -> None:
    (home / ".tencentcloud").mkdir(parents=True, exist_ok=True)
    (home / ".tencentcloud" / "credentials").write_text(text, encoding="utf-8")


def _tccli(home: Path, profile: str, data: object) -> None:
    (home / ".tccli").mkdir(parents=True, exist_ok=True)
    (home / ".tccli" / f"{profile}.credential").write_text(json.dumps(data), encoding="utf-8")


def test_repr_and_str_hide_key_and_token() -> None:
    creds = Credentials("AKIDabcdefghijkl1234", SECRET, TOKEN)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert SECRET not in text and TOKEN not in text
        assert "AKIDabcdefghijkl1234" not in text  # masked id only
        assert "AKID…1234" in text
    assert "temporary" in repr(creds)


@pytest.mark.anyio
async def test_explicit_wins_over_everything(tmp_path: Path) -> None:
    _ini(tmp_path, f"[default]\nsecret_id = AKIDini\nsecret_key = {SECRET}\n")
    env = {"TENCENTCLOUD_SECRET_ID": "AKIDenv", "TENCENTCLOUD_SECRET_KEY": SECRET}
    chain = CredentialChain(Credentials("AKIDexplicit0000", "k"), env=env, home=tmp_path)
    assert (await chain.get()).secret_id == "AKIDexplicit0000"
    assert chain.describe_source().startswith("explicit configuration")


@pytest.mark.anyio
async def test_env_with_token_and_session_token_alias(tmp_path: Path) -> None:
    env = {
        "TENCENTCLOUD_SECRET_ID": "AKIDenv",
        "TENCENTCLOUD_SECRET_KEY": SECRET,
        "TENCENTCLOUD_SESSION_TOKEN": TOKEN,
    }
    chain = CredentialChain(env=env, home=tmp_path)
    creds = await chain.get()
    assert (creds.secret_id, creds.secret_key, creds.token) == ("AKIDenv", SECRET, TOKEN)
    assert "environment variables" in chain.describe_source()
    assert SECRET not in chain.describe_source()


@pytest.mark.anyio
async def test_env_half_configured_is_an_error_naming_the_missing_variable(
    tmp_path: Path,
) -> None:
    chain = CredentialChain(env={"TENCENTCLOUD_SECRET_ID": "AKIDenv"}, home=tmp_path)
    with pytest.raises(CredentialsError, match="TENCENTCLOUD_SECRET_KEY is not"):
        await chain.get()
    assert chain.describe_source().startswith("broken:")


@pytest.mark.anyio
async def test_env_beats_profile_file(tmp_path: Path) -> None:
    _ini(tmp_path, "[default]\nsecret_id = AKIDini\nsecret_key = k\n")
    env = {"TENCENTCLOUD_SECRET_ID": "AKIDenv", "TENCENTCLOUD_SECRET_KEY": "k"}
    assert (await CredentialChain(env=env, home=tmp_path).get()).secret_id == "AKIDenv"


@pytest.mark.anyio
async def test_profile_file_default_and_named_profile(tmp_path: Path) -> None:
    _ini(
        tmp_path,
        f"[default]\nsecret_id = AKIDdef\nsecret_key = {SECRET}\n\n"
        f"[work]\nsecret_id = AKIDwork\nsecret_key = {SECRET}\ntoken = {TOKEN}\n",
    )
    chain = CredentialChain(env={}, home=tmp_path)
    assert (await chain.get()).secret_id == "AKIDdef"
    assert "profile [default]" in chain.describe_source()
    work = await CredentialChain(env={"TENCENTCLOUD_PROFILE": "work"}, home=tmp_path).get()
    assert (work.secret_id, work.token) == ("AKIDwork", TOKEN)


@pytest.mark.anyio
async def test_profile_named_but_missing_is_an_error(tmp_path: Path) -> None:
    _ini(tmp_path, "[default]\nsecret_id = a\nsecret_key = b\n")
    chain = CredentialChain(env={"TENCENTCLOUD_PROFILE": "nope"}, home=tmp_path)
    with pytest.raises(CredentialsError, match=r"no \[nope\] section"):
        await chain.get()


@pytest.mark.anyio
async def test_profile_section_without_key_is_an_error(tmp_path: Path) -> None:
    _ini(tmp_path, "[default]\nsecret_id = a\n")
    with pytest.raises(CredentialsError, match="needs both secret_id and secret_key"):
        await CredentialChain(env={}, home=tmp_path).get()


@pytest.mark.anyio
async def test_profile_file_without_default_falls_through_to_tccli(tmp_path: Path) -> None:
    _ini(tmp_path, "[other]\nsecret_id = a\nsecret_key = b\n")
    _tccli(tmp_path, "default", {"secretId": "AKIDtccli", "secretKey": SECRET})
    chain = CredentialChain(env={}, home=tmp_path)
    assert (await chain.get()).secret_id == "AKIDtccli"
    assert "tccli profile 'default'" in chain.describe_source()


@pytest.mark.anyio
async def test_tccli_profile_token_and_expiry(tmp_path: Path) -> None:
    _tccli(
        tmp_path,
        "ops",
        {"secretId": "AKIDt", "secretKey": "k", "token": TOKEN, "expiredTime": 2000},
    )
    env = {"TENCENTCLOUD_PROFILE": "ops"}
    creds = await CredentialChain(env=env, home=tmp_path, clock=lambda: 1000).get()
    assert (creds.token, creds.expires_at) == (TOKEN, 2000.0)
    with pytest.raises(CredentialsError, match="have expired"):
        await CredentialChain(env=env, home=tmp_path, clock=lambda: 3000).get()


@pytest.mark.anyio
@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"secretId": "x"}'])
async def test_tccli_broken_file_is_an_error(tmp_path: Path, content: str) -> None:
    (tmp_path / ".tccli").mkdir()
    (tmp_path / ".tccli" / "default.credential").write_text(content)
    with pytest.raises(CredentialsError, match=r"default\.credential"):
        await CredentialChain(env={}, home=tmp_path).get()


@pytest.mark.anyio
async def test_nothing_configured_says_how_to_configure(tmp_path: Path) -> None:
    chain = CredentialChain(env={}, home=tmp_path)
    with pytest.raises(CredentialsError) as info:
        await chain.get()
    for hint in (
        "TENCENTCLOUD_SECRET_ID",
        "~/.tencentcloud/credentials",
        "tccli configure",
        "LIGHTHOUSE_MCP_INSTANCE_ROLE",
    ):
        assert hint in str(info.value)
    assert chain.describe_source().startswith("none found")


class FakeMetadata:
    """A metadata service: lists one role, hands out numbered credentials."""

    def __init__(self, role: str = "lh-role", lifetime: float = 3600) -> None:
        self.role = role
        self.lifetime = lifetime
        self.now = 1_000_000.0
        self.fetches = 0
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url == METADATA_URL:
            return httpx.Response(200, text=self.role + "\n")
        if url == METADATA_URL + self.role:
            self.fetches += 1
            return httpx.Response(
                200,
                json={
                    "TmpSecretId": f"AKIDtmp{self.fetches:04d}xxxxxxx",
                    "TmpSecretKey": SECRET,
                    "Token": TOKEN,
                    "ExpiredTime": int(self.now + self.lifetime),
                    "Expiration": "ignored",
                    "Code": "Success",
                },
            )
        return httpx.Response(404, text="no such role")


@pytest.mark.anyio
async def test_instance_role_is_opt_in(tmp_path: Path) -> None:
    meta = FakeMetadata()
    chain = CredentialChain(env={}, home=tmp_path, metadata_transport=meta.transport)
    with pytest.raises(CredentialsError):
        await chain.get()
    assert meta.fetches == 0


@pytest.mark.anyio
async def test_instance_role_discovers_role_caches_and_refreshes_before_expiry(
    tmp_path: Path,
) -> None:
    meta = FakeMetadata()
    chain = CredentialChain(
        env={"LIGHTHOUSE_MCP_INSTANCE_ROLE": "1"},
        home=tmp_path,
        metadata_transport=meta.transport,
        clock=lambda: meta.now,
    )
    first = await chain.get()
    assert first.token == TOKEN and first.secret_id.startswith("AKIDtmp0001")
    assert await chain.get() is first  # cached
    assert "instance role 'lh-role'" in chain.describe_source()
    meta.now += meta.lifetime - REFRESH_MARGIN - 1  # still fresh
    assert await chain.get() is first
    meta.now += 2  # inside the refresh margin
    second = await chain.get()
    assert second.secret_id.startswith("AKIDtmp0002")
    assert meta.fetches == 2


@pytest.mark.anyio
async def test_instance_role_named_and_errors(tmp_path: Path) -> None:
    meta = FakeMetadata()
    bad = InstanceRoleProvider("missing-role", transport=meta.transport)
    with pytest.raises(CredentialsError, match="HTTP 404"):
        await bad.get()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    offline = InstanceRoleProvider(transport=httpx.MockTransport(down))
    with pytest.raises(CredentialsError, match="did not answer"):
        await offline.get()

    junk = InstanceRoleProvider(
        "r", transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"Code": "Success"}))
    )
    with pytest.raises(CredentialsError, match="lacks TmpSecretId"):
        await junk.get()


@pytest.mark.anyio
async def test_as_provider() -> None:
    creds = Credentials("AKIDx", "k")
    provider = as_provider(creds)
    assert isinstance(provider, StaticProvider)
    assert await provider.get() is creds
    assert as_provider(provider) is provider
    assert isinstance(as_provider(None), CredentialChain)


def test_region_from_env_then_profile_then_tccli(tmp_path: Path) -> None:
    assert region_from_config({}, tmp_path) is None
    (tmp_path / ".tccli").mkdir()
    (tmp_path / ".tccli" / "default.configure").write_text(
        json.dumps({"_sys_param": {"region": "ap-beijing"}})
    )
    assert region_from_config({}, tmp_path) == "ap-beijing"
    _ini(tmp_path, "[default]\nregion = ap-shanghai\n")
    assert region_from_config({}, tmp_path) == "ap-shanghai"
    assert region_from_config({"TENCENTCLOUD_REGION": "ap-guangzhou"}, tmp_path) == "ap-guangzhou"


@pytest.mark.anyio
async def test_instance_role_keeps_valid_credentials_when_a_refresh_fails() -> None:
    meta = FakeMetadata()
    up = [True]

    def flaky(request: httpx.Request) -> httpx.Response:
        if not up[0]:
            raise httpx.ConnectError("metadata down", request=request)
        return meta.handle(request)

    provider = InstanceRoleProvider(transport=httpx.MockTransport(flaky), clock=lambda: meta.now)
    first = await provider.get()
    up[0] = False
    meta.now += meta.lifetime - 10  # inside the refresh margin, not yet expired
    assert await provider.get() is first
    meta.now += 20  # now expired: the failure must surface
    with pytest.raises(CredentialsError, match="did not answer"):
        await provider.get()
    up[0] = True
    assert (await provider.get()).secret_id != first.secret_id
