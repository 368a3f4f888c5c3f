"""Container env values never reach a tool result, whichever read returns them.

A container is created with a canary env value (through ResetInstance with the Docker
blueprint, as a person would), then every Docker read is called through the official
MCP client, directly and through compact mode's ``call_action``. No result may hold the
value: not in the text, not in structuredContent, and not inside a base64 member once
decoded (ContainerDetail and ActivityCommandOutput are base64). With
``--return-secrets`` the same reads do return it, so the check can fail.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog.secret_outputs import (
    SecretOutputError,
    rules,
    secret_output_paths,
)
from tests.e2e.secrets import canaries as cn
from tests.e2e.secrets.test_mcp_tools import (
    INSTANCE,
    Session,
    _docker_container,
    _session,
    _text,
    canary_sandbox,
)

pytestmark = pytest.mark.anyio

DOCKER_READS = (
    "DescribeDockerContainerConfiguration",
    "DescribeDockerContainerDetail",
    "DescribeDockerContainers",
    "DescribeDockerActivities",
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def _everything_shown(result: types.CallToolResult) -> str:
    """The result's text, structuredContent, and every base64 member decoded."""
    parts = [_text(result), json.dumps(result.structured_content or {}, ensure_ascii=False)]
    for text in _strings(result.structured_content or {}):
        try:
            parts.append(base64.b64decode(text, validate=True).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            continue
    return "\n".join(parts)


async def _docker_reads(s: Session) -> list[types.CallToolResult]:
    container = await _docker_container(s)
    args: dict[str, dict[str, Any]] = {
        "DescribeDockerContainerConfiguration": {"InstanceId": INSTANCE, "ContainerId": container},
        "DescribeDockerContainerDetail": {"InstanceId": INSTANCE, "ContainerId": container},
        "DescribeDockerContainers": {"InstanceId": INSTANCE},
        "DescribeDockerActivities": {"InstanceId": INSTANCE},
    }
    results = []
    for action in DOCKER_READS:
        result = await s.call(action, args[action])
        assert not result.is_error, _text(result)
        results.append(result)
    return results


async def test_no_env_value_in_any_docker_read(tmp_path: Path) -> None:
    async for s in _session(tmp_path, canary_sandbox()):
        results = await _docker_reads(s)
        shown = [_everything_shown(r) for r in s.results]
    for action, text in zip(DOCKER_READS, shown[-len(DOCKER_READS) :], strict=True):
        assert cn.ENV_VALUE not in text, f"{action} returned a container env value"
    for result in s.results:
        assert cn.MARK not in _everything_shown(result)
    config = (results[0].structured_content or {})["ContainerConfiguration"]
    assert config["Envs"] == [{"Key": "DB_PASSWORD", "Value": "<redacted>"}]
    assert config["ContainerImage"] == "nginx"  # the rest is as it was


class CompactSession(Session):
    """Every action call goes through compact mode's call_action."""

    async def call(self, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
        if tool in ("call_action", "search_actions", "describe_action"):
            return await super().call(tool, arguments)
        return await super().call("call_action", {"action": tool, "arguments": arguments})


async def test_no_env_value_through_compact_call_action(tmp_path: Path) -> None:
    async for s in _session(tmp_path, canary_sandbox(), compact=True):
        compact = CompactSession(s.client)
        await _docker_reads(compact)
    assert len(compact.results) > len(DOCKER_READS)
    for result in compact.results:
        assert cn.MARK not in _everything_shown(result), _text(result)


async def test_return_secrets_returns_env_values(tmp_path: Path) -> None:
    """The control: with --return-secrets the same reads carry the value, so the checks
    above look where the value would be."""
    async for s in _session(tmp_path, canary_sandbox(), return_secrets=True):
        results = await _docker_reads(s)
    config, detail = (_everything_shown(r) for r in results[:2])
    assert cn.ENV_VALUE in config and cn.ENV_VALUE in detail


def test_every_result_that_carries_container_env_is_covered() -> None:
    """From the catalog: each action whose outputs reach a ContainerEnv (at any depth)
    has a secret path ending in its Value; the key pair's private key likewise."""
    data = catalog.load_catalog()

    def reaches(type_name: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        if type_name == target:
            return True
        struct = data["structures"].get(type_name)
        if struct is None or type_name in seen:
            return False
        return any(reaches(m["type"], target, seen | {type_name}) for m in struct["members"])

    for name, act in data["actions"].items():
        for target, member in (("ContainerEnv", "Value"), ("KeyPair", "PrivateKey")):
            if any(reaches(o["type"], target) for o in act["outputs"]):
                paths = [p.path for p in secret_output_paths(name)]
                assert any(p[-1] == member for p in paths), f"{name}: {target}.{member}"
    assert [p.dotted for p in secret_output_paths("DescribeDockerContainerConfiguration")] == [
        "ContainerConfiguration.Envs[].Value"
    ]


def test_the_table_refuses_what_the_catalog_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = dict(catalog.load_overlay())
    for bad, why in (
        ({"ContainerEnv.Nope": {"form": "blank", "reason": "x"}}, "no member 'Nope'"),
        ({"Nothing.Value": {"form": "blank", "reason": "x"}}, "neither a structure"),
        ({"ContainerEnv.Value": {"form": "hide", "reason": "x"}}, "form must be one of"),
        ({"ContainerEnv.Value": {"form": "blank", "reason": ""}}, "reason"),
    ):
        monkeypatch.setattr(catalog, "load_overlay", lambda o={**overlay, "secret_outputs": bad}: o)
        rules.cache_clear()
        with pytest.raises(SecretOutputError, match=why):
            rules()
    monkeypatch.undo()
    rules.cache_clear()
    assert "ContainerEnv.Value" in rules()
