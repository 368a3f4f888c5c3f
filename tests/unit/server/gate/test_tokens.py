"""Confirmation tokens: bound to session, action, region and exact arguments; single use."""

from __future__ import annotations

import pytest

from lighthouse_mcp.server.gate.tokens import (
    ConfirmationTokens,
    TokenRejected,
    arguments_hash,
    canonical_arguments,
)

ARGS = {"InstanceIds": ["lhins-aaaabbbb"]}


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def issue(tokens: ConfirmationTokens, **over: object) -> str:
    kw: dict[str, object] = {
        "session_id": "s1",
        "action": "TerminateInstances",
        "region": "ap-guangzhou",
        "arguments": ARGS,
    }
    kw.update(over)
    token, _ = tokens.issue(**kw)  # type: ignore[arg-type]
    return token


def redeem(tokens: ConfirmationTokens, token: str, **over: object) -> None:
    kw: dict[str, object] = {
        "session_id": "s1",
        "action": "TerminateInstances",
        "region": "ap-guangzhou",
        "arguments": ARGS,
    }
    kw.update(over)
    tokens.redeem(token, **kw)  # type: ignore[arg-type]


def reason(tokens: ConfirmationTokens, token: str, **over: object) -> str:
    with pytest.raises(TokenRejected) as info:
        redeem(tokens, token, **over)
    return info.value.reason


def test_token_works_once() -> None:
    tokens = ConfirmationTokens()
    token = issue(tokens)
    redeem(tokens, token)
    assert reason(tokens, token) == "replayed"


@pytest.mark.parametrize(
    "change",
    [
        {"arguments": {"InstanceIds": ["lhins-ccccdddd"]}},
        {"arguments": {"InstanceIds": ["lhins-aaaabbbb"], "Offset": 0}},
        {"action": "IsolateInstances"},
        {"region": "ap-beijing"},
    ],
)
def test_token_bound_to_exact_call(change: dict[str, object]) -> None:
    tokens = ConfirmationTokens()
    token = issue(tokens)
    assert reason(tokens, token, **change) == "other-call"
    redeem(tokens, token)  # the refused attempt did not consume it


def test_token_bound_to_session() -> None:
    tokens = ConfirmationTokens()
    assert reason(tokens, issue(tokens), session_id="s2") == "other-session"


def test_token_expires() -> None:
    clock = Clock()
    tokens = ConfirmationTokens(ttl_seconds=300, clock=clock)
    token = issue(tokens)
    clock.now += 301
    assert reason(tokens, token) == "expired"


def test_forged_and_malformed_tokens_refused() -> None:
    tokens = ConfirmationTokens()
    token = issue(tokens)
    payload, mac = token.split(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + mac
    assert reason(tokens, tampered) == "forged"
    assert reason(tokens, "not-a-token") == "malformed"
    assert reason(tokens, "") == "malformed"
    other = ConfirmationTokens()
    assert reason(tokens, issue(other)) == "forged"


def test_canonical_form_sorts_keys_but_keeps_values() -> None:
    assert canonical_arguments({"b": 1, "a": [2, 1]}) == '{"a":[2,1],"b":1}'
    assert arguments_hash("A", "r", {"x": 1}) != arguments_hash("A", "r", {"x": 1, "y": None})


def test_repr_has_no_secret() -> None:
    tokens = ConfirmationTokens(secret=b"s3cr3t-s3cr3t-s3cr3t-s3cr3t-xxxx")
    assert "s3cr3t" not in repr(tokens)


def test_a_token_binds_the_password_without_revealing_a_hash_of_it() -> None:
    """The payload is readable base64: its argument binding must be keyed, yet a changed
    password must still make the token fail."""
    import base64
    import hashlib
    import json

    args = {"InstanceIds": ["lhins-aaaabbbb"], "Password": "Guessable-1!"}
    tokens = ConfirmationTokens()
    token = issue(tokens, action="ResetInstancesPassword", arguments=args)

    def body_of(token: str) -> dict[str, str]:
        return dict(json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "==")))

    body = body_of(token)
    plain = hashlib.sha256(
        f"ResetInstancesPassword\nap-guangzhou\n{canonical_arguments(args)}".encode()
    ).hexdigest()
    assert body["h"] != plain
    other_server = body_of(
        issue(ConfirmationTokens(), action="ResetInstancesPassword", arguments=args)
    )
    assert body["h"] != other_server["h"]  # keyed by the per-process secret
    with pytest.raises(TokenRejected) as info:
        redeem(
            tokens,
            token,
            action="ResetInstancesPassword",
            arguments={**args, "Password": "Guessable-2!"},
        )
    assert info.value.reason == "other-call"
    redeem(tokens, token, action="ResetInstancesPassword", arguments=args)


def test_the_audit_hash_is_over_redacted_arguments() -> None:
    one = {"InstanceIds": ["lhins-aaaabbbb"], "Password": "Guessable-1!"}
    two = {"InstanceIds": ["lhins-aaaabbbb"], "Password": "Other-pass-2!"}
    assert arguments_hash("ResetInstancesPassword", "r", one) == arguments_hash(
        "ResetInstancesPassword", "r", two
    )
    assert arguments_hash("A", "r", {"InstanceIds": ["x"]}) != arguments_hash(
        "A", "r", {"InstanceIds": ["y"]}
    )
