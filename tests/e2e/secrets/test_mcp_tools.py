"""Every tool result, log line and audit entry of a real MCP session, with canary secrets.

The server runs against the sandbox with temporary canary credentials (SecretKey and
X-TC-Token), and the tools are called with canary passwords and container env values
along the paths that build text from arguments: success, validation errors (wrong type,
nested, compact mode), API errors from the sandbox, gate previews and confirmations,
secret outputs (private key, console URL). After each session, no canary may appear in
any result (text or structuredContent), any log record at DEBUG of any logger, or the
audit log.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp.client import Credentials, LighthouseClient
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.gate.tokens import canonical_arguments
from tests.e2e.secrets import canaries as cn
from tests.e2e.secrets.canaries import assert_clean, log_text

pytestmark = pytest.mark.anyio
CLIENT = types.Implementation(name="secrets-e2e", version="1")
INSTANCE = "lhins-demo0001"
CONTAINERS = [
    {
        "ContainerImage": "nginx",
        "ContainerName": "web",
        "Envs": [{"Key": "DB_PASSWORD", "Value": cn.ENV_VALUE}],
    }
]


def canary_sandbox() -> Sandbox:
    return Sandbox({cn.SECRET_ID: cn.SECRET_KEY}, tokens={cn.SECRET_ID: cn.SESSION_TOKEN}, delay=0)


def canary_client(sb: Sandbox) -> LighthouseClient:
    return LighthouseClient(
        credentials=Credentials(cn.SECRET_ID, cn.SECRET_KEY, cn.SESSION_TOKEN),
        region="ap-guangzhou",
        endpoint="http://sandbox.test",
        transport=sb.transport(),
        max_attempts=1,
    )


class Session:
    """An MCP client session that keeps every result for the final leak check."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.results: list[types.CallToolResult] = []

    async def call(self, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
        result = await self.client.call_tool(tool, arguments)
        self.results.append(result)
        return result


async def _session(tmp_path: Path, sb: Sandbox, **settings: Any) -> AsyncIterator[Session]:
    base: dict[str, Any] = {
        "region": "ap-guangzhou",
        "audit_log": tmp_path / "audit.jsonl",
        "key_dir": tmp_path / "keys",
        "confirm_mode": "token",
        "policy": cn.password_reset_runs(tmp_path),
    }
    base.update(settings)
    server = build_server(Settings(**base), client=canary_client(sb))
    async with Client(server, mode="legacy", client_info=CLIENT) as c:
        yield Session(c)


def _check_everything(
    tmp_path: Path, session: Session, caplog: pytest.LogCaptureFixture, sb: Sandbox
) -> None:
    for result in session.results:
        texts = [getattr(block, "text", "") for block in result.content]
        assert_clean("a tool result's text", *texts)
        assert_clean("a tool result's structuredContent", result.structured_content or {})
    assert_clean("the log (DEBUG, every logger)", log_text(caplog.records))
    audit = tmp_path / "audit.jsonl"
    assert audit.exists()
    assert_clean("the audit log", audit.read_text())
    assert_clean(
        "the sandbox's request log",
        [r.to_json() for r in sb.requests],
        [repr(r) for r in sb.requests],
    )


def _text(result: types.CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def _code(result: types.CallToolResult) -> str | None:
    code = (result.structured_content or {}).get("Error", {}).get("Code")
    assert code is None or isinstance(code, str)
    return code


async def test_passwords_and_env_values_through_every_result_path(
    tmp_path: Path, all_logs: pytest.LogCaptureFixture
) -> None:
    sb = canary_sandbox()
    async for s in _session(tmp_path, sb):
        # success: the password reaches the sandbox and nowhere else
        ok = await s.call(
            "ResetInstancesPassword", {"InstanceIds": [INSTANCE], "Password": cn.PASSWORD}
        )
        # a password the sandbox refuses: an API error built from the request
        refused = await s.call(
            "ResetInstancesPassword", {"InstanceIds": [INSTANCE], "Password": cn.BAD_PASSWORD}
        )
        # validation errors: a password of the wrong type, inside a structure too
        wrong_type = await s.call(
            "ResetInstancesPassword", {"InstanceIds": [INSTANCE], "Password": [cn.PASSWORD]}
        )
        nested = await s.call(
            "ResetInstance",
            {
                "InstanceId": INSTANCE,
                "LoginConfiguration": {"Password": {"x": cn.PASSWORD}, "Bogus": cn.PASSWORD},
                "Containers": [
                    {"ContainerImage": "nginx", "Envs": [{"Key": "K", "Value": [cn.ENV_VALUE]}]}
                ],
            },
        )
        unknown_arg = await s.call(
            "ResetInstancesPassword",
            {"InstanceIds": [INSTANCE], "Password": cn.PASSWORD, "Pasword": cn.PASSWORD},
        )
        # gated (billing / destructive): previews and confirmation refusals
        create = await s.call(
            "CreateInstances",
            {
                "BundleId": "bundle2022_gen_02",  # real ones: a dry run that fails
                "BlueprintId": "lhbp-dk24ce01",  # is refused before anyone is asked
                "InstanceChargePrepaid": {"Period": 1, "RenewFlag": "NOTIFY_AND_MANUAL_RENEW"},
                "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": cn.PASSWORD},
                "Containers": CONTAINERS,
            },
        )
        reset = await s.call(
            "ResetInstance",
            {
                "InstanceId": INSTANCE,
                "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": cn.PASSWORD},
            },
        )
        token = (reset.structured_content or {}).get("Error", {}).get("confirm_token")
        if token:
            await s.call(
                "ResetInstance",
                {
                    "InstanceId": INSTANCE,
                    "confirm_token": token,
                    "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": cn.PASSWORD},
                },
            )
            # the same token with a different password must be refused, without echo
            other = await s.call(
                "ResetInstance",
                {
                    "InstanceId": INSTANCE,
                    "confirm_token": token,
                    "LoginConfiguration": {
                        "AutoGeneratePassword": "NO",
                        "Password": cn.PASSWORD + "x",
                    },
                },
            )
            assert _code(other) == "ConfirmationRejected"
        # container env values on a write and its read-back
        run = await s.call(
            "RunDockerContainers", {"InstanceId": INSTANCE, "Containers": CONTAINERS}
        )
        await s.call("DescribeDockerContainers", {"InstanceId": INSTANCE})
        await s.call(
            "ModifyDockerContainer",
            {
                "InstanceId": INSTANCE,
                "ContainerId": "lhdc-notthere",
                "Envs": [{"Key": "K", "Value": cn.ENV_VALUE}],
            },
        )
        _check_everything(tmp_path, s, all_logs, sb)
    assert not ok.is_error, _text(ok)
    # The bad password breaks the documented complexity: refused before sending.
    assert refused.is_error and _code(refused) == "InvalidArguments"
    assert "Password: does not meet the documented" in _text(refused)
    assert wrong_type.is_error and "Password" in _text(wrong_type)
    assert nested.is_error and unknown_arg.is_error
    assert create.is_error and _code(create) == "ConfirmationRequired", _text(create)
    assert run is not None
    passwords = [
        r.params.get("Password")
        for r in sb.requests
        if r.action == "ResetInstancesPassword" and r.params
    ]
    assert cn.PASSWORD in passwords  # the canary really was sent: the check can fail


async def test_compact_mode_call_action(tmp_path: Path, all_logs: pytest.LogCaptureFixture) -> None:
    sb = canary_sandbox()
    async for s in _session(tmp_path, sb, compact=True):
        await s.call(
            "call_action",
            {
                "action": "ResetInstancesPassword",
                "arguments": {"InstanceIds": [INSTANCE], "Password": cn.PASSWORD},
            },
        )
        await s.call(
            "call_action",
            {
                "action": "ResetInstancesPassword",
                "arguments": {
                    "InstanceIds": [INSTANCE],
                    "Password": 12345678,
                    "Extra": cn.PASSWORD,
                },
            },
        )
        await s.call(
            "call_action",
            {
                "action": "ResetInstancesPassword",
                "arguments": {"InstanceIds": [INSTANCE], "Password": cn.BAD_PASSWORD},
            },
        )
        _check_everything(tmp_path, s, all_logs, sb)


async def test_private_key_and_console_url(
    tmp_path: Path, all_logs: pytest.LogCaptureFixture
) -> None:
    sb = canary_sandbox()
    async for s in _session(tmp_path, sb):
        created = await s.call("CreateKeyPair", {"KeyName": "deploy"})
        first = await s.call("DescribeInstanceVncUrl", {"InstanceId": INSTANCE})
        key_file = Path((created.structured_content or {})["PrivateKeyFile"])
        body = key_file.read_text().strip().splitlines()[1]
        for result in s.results:
            assert body not in _text(result) and body not in str(result.structured_content)
        assert body not in log_text(all_logs.records)
        assert body not in (tmp_path / "audit.jsonl").read_text()
        assert _code(first) == "ConfirmationRequired"
        token = (first.structured_content or {})["Error"]["confirm_token"]
        second = await s.call(
            "DescribeInstanceVncUrl", {"InstanceId": INSTANCE, "confirm_token": token}
        )
        url = (second.structured_content or {})["InstanceVncUrl"]
        assert url and url not in log_text(all_logs.records)
        assert url not in (tmp_path / "audit.jsonl").read_text()
        _check_everything(tmp_path, s, all_logs, sb)
    assert cn.MARK not in key_file.name


def _plain_hashes(action: str, arguments: dict[str, Any]) -> set[str]:
    """Unkeyed SHA-256 digests an attacker holding a password guess could compute."""
    texts = [
        f"{action}\nap-guangzhou\n{canonical_arguments(arguments)}",
        canonical_arguments(arguments),
        json.dumps(arguments),
    ]
    return {hashlib.sha256(t.encode()).hexdigest() for t in texts}


async def test_token_and_audit_are_no_password_verifier(
    tmp_path: Path, all_logs: pytest.LogCaptureFixture
) -> None:
    """Anyone who reads a confirm_token (the model) or the audit log must not be able to
    check a password guess: no unkeyed hash over arguments that hold the password."""
    args = {
        "InstanceId": INSTANCE,
        "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": cn.PASSWORD},
    }
    sb = canary_sandbox()
    async for s in _session(tmp_path, sb):
        first = await s.call("ResetInstance", args)
        token = (first.structured_content or {})["Error"]["confirm_token"]
        done = await s.call("ResetInstance", {**args, "confirm_token": token})
        _check_everything(tmp_path, s, all_logs, sb)
    assert not done.is_error, _text(done)
    payload = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
    visible = payload + (tmp_path / "audit.jsonl").read_text() + _text(first)
    guesses = _plain_hashes("ResetInstance", args)
    assert not any(g in visible for g in guesses)
    assert json.loads(payload)["h"]  # the token still binds the arguments (keyed)


def _decoded_detail(result: types.CallToolResult) -> str:
    assert not result.is_error, _text(result)
    detail = (result.structured_content or {})["ContainerDetail"]
    return base64.b64decode(detail).decode()


async def _docker_container(s: Session) -> str:
    """Reinstall the demo instance with the Docker blueprint and a container whose env
    holds the canary; return the container id."""
    args = {"InstanceId": INSTANCE, "BlueprintId": "lhbp-dk24ce01", "Containers": CONTAINERS}
    first = await s.call("ResetInstance", args)
    token = (first.structured_content or {})["Error"]["confirm_token"]
    done = await s.call("ResetInstance", {**args, "confirm_token": token})
    assert not done.is_error, _text(done)
    listed = await s.call("DescribeDockerContainers", {"InstanceId": INSTANCE})
    assert not listed.is_error, _text(listed)
    return str((listed.structured_content or {})["DockerContainerSet"][0]["ContainerId"])


async def test_container_detail_hides_env_values(
    tmp_path: Path, all_logs: pytest.LogCaptureFixture
) -> None:
    """docker inspect's Config.Env comes back base64-encoded: decoded, it must show the
    variable names and <redacted> values, unless --return-secrets."""
    sb = canary_sandbox()
    async for s in _session(tmp_path, sb):
        container = await _docker_container(s)
        detail = await s.call(
            "DescribeDockerContainerDetail", {"InstanceId": INSTANCE, "ContainerId": container}
        )
        _check_everything(tmp_path, s, all_logs, sb)
    text = _decoded_detail(detail)
    assert cn.ENV_VALUE not in text and '"DB_PASSWORD=<redacted>"' in text
    assert '"Image": "nginx"' in text  # the rest of the detail is untouched

    async for s in _session(tmp_path / "raw", canary_sandbox(), return_secrets=True):
        container = await _docker_container(s)
        raw = await s.call(
            "DescribeDockerContainerDetail", {"InstanceId": INSTANCE, "ContainerId": container}
        )
    assert f"DB_PASSWORD={cn.ENV_VALUE}" in _decoded_detail(raw)


async def test_elicitation_messages(tmp_path: Path, all_logs: pytest.LogCaptureFixture) -> None:
    """A client that can elicit is shown the preview as a question: the person sees the
    call, never its password or env values."""
    from tests.e2e.gate.helpers import Person

    person = Person()
    sb = canary_sandbox()
    server = build_server(
        Settings(
            region="ap-guangzhou", audit_log=tmp_path / "audit.jsonl", key_dir=tmp_path / "keys"
        ),
        client=canary_client(sb),
    )
    async with Client(server, mode="legacy", client_info=CLIENT, elicitation_callback=person) as c:
        s = Session(c)
        await s.call(
            "ResetInstance",
            {
                "InstanceId": INSTANCE,
                "Containers": CONTAINERS,
                "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": cn.PASSWORD},
            },
        )
        await s.call(  # asked because of its host mount (a container that does not
            # exist would be refused before asking, showing nobody anything)
            "RunDockerContainers",
            {
                "InstanceId": INSTANCE,
                "Containers": [
                    {
                        "ContainerImage": "nginx",
                        "Envs": [{"Key": "K", "Value": cn.ENV_VALUE}],
                        "Volumes": [{"HostPath": "/", "ContainerPath": "/host"}],
                    }
                ],
            },
        )
        _check_everything(tmp_path, s, all_logs, sb)
    # ResetInstance asks; ModifyDockerContainer on an instance without Docker fails its
    # preview's lookup and is refused without asking anyone (fail closed).
    assert len(person.seen) >= 1
    for params in person.seen:
        assert_clean(
            "an elicitation shown to the person",
            params.message,
            getattr(params, "requested_schema", {}),
        )
