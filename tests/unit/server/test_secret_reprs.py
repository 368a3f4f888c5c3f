"""Objects that hold a secret render without it: repr, str and f-strings, also nested in
another object's repr (a dataclass holding them, a list in a log line)."""

from __future__ import annotations

from pathlib import Path

from lighthouse_mcp.client import Credentials, LighthouseClient
from lighthouse_mcp.client.signing import TC3Auth
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.gate.audit import AuditLog
from lighthouse_mcp.server.gate.confirm import GateNote
from lighthouse_mcp.server.gate.tokens import ConfirmationTokens
from lighthouse_mcp.server.hooks import GatedCall, GateDecision, PendingCall, SessionInfo
from lighthouse_mcp.server.secret_outputs import PrivateKeyFiles
from lighthouse_mcp.server.transports import resolve_auth

CANARY = "S3CR3T-canary-repr-77aa"


def _clean(*objects: object) -> None:
    for obj in objects:
        for text in (repr(obj), str(obj), f"{obj}", repr([obj])):
            assert CANARY not in text, f"{type(obj).__name__} shows a secret: {text}"


def test_pending_call_and_the_gate_note_holding_it() -> None:
    call = PendingCall(
        action="ResetInstance",
        region="ap-guangzhou",
        arguments={
            "InstanceId": "lhins-aaaaaaaa",
            "LoginConfiguration": {"Password": CANARY},
            "Containers": [{"ContainerImage": "x", "Envs": [{"Key": "K", "Value": CANARY}]}],
        },
        server_args={"confirm_token": CANARY, "all_pages": True},
        tool="ResetInstance",
    )
    note = GateNote(call=call, region="ap-guangzhou", gated=True, client="c", session="s")
    gated = GatedCall(
        call,
        SessionInfo(session_id="s"),
        GateDecision.allow("model-relayed", gated=True, region="ap-guangzhou"),
    )
    _clean(call, note, gated)
    assert "lhins-aaaaaaaa" in repr(call) and "all_pages" in repr(call)


def test_credential_and_token_holders() -> None:
    creds = Credentials("AKIDcanary", CANARY, CANARY)
    settings = Settings(auth_token=CANARY, transport="streamable-http")
    _clean(
        creds,
        TC3Auth(creds),
        settings,
        resolve_auth(settings),
        ConfirmationTokens(secret=CANARY.encode()),
        Sandbox({"AKIDcanary": CANARY}, tokens={"AKIDcanary": CANARY}),
        LighthouseClient(credentials=creds, region="ap-guangzhou"),
        AuditLog(Path("/tmp/audit.jsonl")),
        PrivateKeyFiles(Path("/tmp/keys")),
    )
