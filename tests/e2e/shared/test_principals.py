"""Per-user identity on HTTP: each person's bearer token (its hash in --tokens-file) maps
to a principal, the audit trail records who made each call, and a token not in the file
is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import httpx2
import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import ConfigError, parse_settings
from lighthouse_mcp.server.principals import token_hash
from lighthouse_mcp.server.transports import resolve_auth, streamable_http_app
from tests.e2e.server.http_helpers import running

pytestmark = pytest.mark.anyio

TOKENS = {"alice": "alice-token-0123456789abcdef", "bob": "bob-token-0123456789abcdef"}


def _tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens"
    lines = ["# token hash, principal"]
    lines += [f"{token_hash(token)}  {name}" for name, token in TOKENS.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


async def _snapshot_as(url: str, token: str, index: int) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    info = types.Implementation(name="principal-e2e", version="1")
    async with Client(streamable_http_client(url, http_client=http), client_info=info) as c:
        listed = await c.call_tool("DescribeInstances", {})
        # One instance each: a second snapshot of one instance waits for the first.
        instance = (listed.structured_content or {})["InstanceSet"][index]["InstanceId"]
        made = await c.call_tool("CreateInstanceSnapshot", {"InstanceId": instance})
        assert not made.is_error, made.content


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_the_audit_names_the_principal_behind_each_token(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    tokens = str(_tokens_file(tmp_path))
    serve = ["--sandbox", "--transport", "streamable-http", "--audit-log", str(audit)]
    settings = parse_settings([*serve, "--tokens-file", tokens])
    app = streamable_http_app(build_server(settings), resolve_auth(settings))
    with running(app) as base:
        url = f"{base}/mcp"
        await _snapshot_as(url, TOKENS["alice"], 0)
        await _snapshot_as(url, TOKENS["bob"], 1)
        refused = httpx.post(url, headers={"Authorization": "Bearer not-in-the-file"}, json={})
        assert refused.status_code == 401
    made = [r for r in _records(audit) if r["action"] == "CreateInstanceSnapshot"]
    assert [r["principal"] for r in made] == ["alice", "bob"]
    text = audit.read_text()
    assert all(token not in text for token in TOKENS.values())


def test_a_bad_tokens_file_refuses_to_start_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "tokens"
    bad.write_text(f"{token_hash('x')} alice\nnot-a-hash bob\n")
    settings = parse_settings(["--transport", "streamable-http", "--tokens-file", str(bad)])
    with pytest.raises(ConfigError, match=r"--tokens-file: .* line 2: expected"):
        resolve_auth(settings)
