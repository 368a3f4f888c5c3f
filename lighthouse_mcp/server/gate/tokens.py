"""Single-use tokens bound to one exact call, and to the mechanism that issued them.

Two mechanisms use them: ``--confirm-mode token`` (opt-in: the first call runs nothing
and returns a preview plus a ``confirm_token``; the identical call repeated with it runs,
so the model relays the person's yes, "model-relayed"), and the input-required round
trip of 2026-era connections, whose ``request_state`` is a token too. Each token names
its purpose under the MAC, so one mechanism's token is never accepted by the other (a
``request_state`` is not a ``confirm_token``).

The token is an HMAC over (purpose, action, region, a keyed hash of the canonical
arguments, session, expiry, nonce) under a per-process secret, so a model cannot mint,
alter or transplant one; the nonce is remembered until expiry so a token works exactly
once. A boolean such as ``confirm: true`` is never accepted anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lighthouse_mcp.catalog.secrets import redact
from lighthouse_mcp.tools.previews import Preview

DEFAULT_TTL_SECONDS = 300.0
_VERSION = 1

RejectReason = Literal[
    "malformed", "forged", "expired", "replayed", "other-session", "other-call", "other-mechanism"
]
#: What a token is for: the model-relayed ``confirm_token``, or an input-required
#: round trip's ``request_state``.
Purpose = Literal["relay", "input-state"]


def canonical_arguments(arguments: Mapping[str, Any]) -> str:
    """The one text form of a call's API arguments that a token binds to.

    Keys are sorted at every level and nothing is normalised: a default made explicit,
    a reordered list or a changed string is a different call and needs its own token.
    """
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _call_text(action: str, region: str, arguments: Mapping[str, Any]) -> bytes:
    return f"{action}\n{region}\n{canonical_arguments(arguments)}".encode()


def arguments_hash(action: str, region: str, arguments: Mapping[str, Any]) -> str:
    """SHA-256 over action, region and the *redacted* canonical arguments (the audit log's
    ``arguments_sha256``).

    Redacted first because a plain hash of arguments that hold a password is a password
    verifier: whoever reads it can test guesses offline. Calls that differ only in a
    secret therefore share this hash; tokens bind to the exact arguments with a keyed
    hash instead (``ConfirmationTokens``).
    """
    return hashlib.sha256(_call_text(action, region, redact(dict(arguments)))).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenRejected(Exception):
    """A presented token does not authorise this call; ``reason`` says why."""

    def __init__(self, reason: RejectReason) -> None:
        super().__init__(reason)
        self.reason: RejectReason = reason

    def __str__(self) -> str:
        return _REASON_TEXT[self.reason]


_REASON_TEXT: dict[str, str] = {
    "malformed": "the confirm_token is not a token this server issued",
    "forged": "the confirm_token failed its integrity check",
    "expired": "the confirm_token has expired; call again without it for a new preview",
    "replayed": "the confirm_token was already used; each token confirms one call only",
    "other-session": "the confirm_token was issued to another MCP session",
    "other-call": (
        "the confirm_token was issued for different arguments, action or region; "
        "a confirmed call must be repeated exactly as previewed"
    ),
    "other-mechanism": (
        "the confirm_token is not a confirm_token this server issued (another "
        "mechanism's token, such as an input-required request_state, never confirms a call)"
    ),
}


class ConfirmationTokens:
    """Issues and redeems tokens; thread-safe, state in memory only.

    Tokens do not survive a restart (the secret is per process), which is the safe
    direction: an old preview can never authorise a call on a new server.
    """

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
        secret: bytes | None = None,
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._secret = secret or secrets.token_bytes(32)
        self._used: dict[str, float] = {}  # nonce -> expiry
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ConfirmationTokens(ttl_seconds={self._ttl}, used={len(self._used)})"

    @property
    def ttl_seconds(self) -> float:
        return self._ttl

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def _binding(self, action: str, region: str, arguments: Mapping[str, Any]) -> str:
        """The token's hold on the exact call, secrets included. Keyed, because the token
        payload is readable by the model: a plain hash of arguments holding a password
        would let anyone who sees the token test password guesses."""
        return hmac.new(
            self._secret, _call_text(action, region, arguments), hashlib.sha256
        ).hexdigest()

    def _session_tag(self, session_id: str) -> str:
        # The session id itself never appears in the token.
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(
        self,
        *,
        session_id: str,
        action: str,
        region: str,
        arguments: Mapping[str, Any],
        purpose: Purpose = "relay",
    ) -> tuple[str, float]:
        """A token for exactly this call in this session, and its expiry (epoch seconds)."""
        expires = self._clock() + self._ttl
        body = {
            "v": _VERSION,
            "p": purpose,
            "a": action,
            "r": region,
            "h": self._binding(action, region, arguments),
            "s": self._session_tag(session_id),
            "e": round(expires, 3),
            "n": secrets.token_hex(12),
        }
        payload = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}", expires

    def redeem(
        self,
        token: str,
        *,
        session_id: str,
        action: str,
        region: str,
        arguments: Mapping[str, Any],
        purpose: Purpose = "relay",
    ) -> None:
        """Consume the token for this call or raise TokenRejected; a token works once."""
        body = self._verified_body(token)
        if body.get("p") != purpose:
            raise TokenRejected("other-mechanism")
        now = self._clock()
        if float(body["e"]) <= now:
            raise TokenRejected("expired")
        if not hmac.compare_digest(str(body["s"]), self._session_tag(session_id)):
            raise TokenRejected("other-session")
        expected = self._binding(action, region, arguments)
        if (
            body["a"] != action
            or body["r"] != region
            or not hmac.compare_digest(str(body["h"]), expected)
        ):
            raise TokenRejected("other-call")
        nonce = str(body["n"])
        with self._lock:
            self._forget_expired(now)
            if nonce in self._used:
                raise TokenRejected("replayed")
            self._used[nonce] = float(body["e"])

    def _verified_body(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or token.count(".") != 1 or len(token) > 2048:
            raise TokenRejected("malformed")
        payload_text, mac_text = token.split(".")
        try:
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except (ValueError, TypeError):
            raise TokenRejected("malformed") from None
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise TokenRejected("forged")
        try:
            body = json.loads(payload)
        except ValueError:
            raise TokenRejected("malformed") from None
        if not isinstance(body, dict) or body.get("v") != _VERSION:
            raise TokenRejected("malformed")
        return body

    def _forget_expired(self, now: float) -> None:
        for nonce in [n for n, exp in self._used.items() if exp <= now]:
            del self._used[nonce]


@dataclass(frozen=True)
class Shown:
    """What a token's preview showed, so its redemption re-checks the same targets."""

    shown: tuple[str, ...]
    missing: tuple[str, ...]
    expires: float
    phrase: str | None = None
    #: The call as previewed (action, region, arguments), to name what a refused
    #: token's call changed. Kept in memory only, never in a result or the log.
    call: tuple[str, str, Mapping[str, Any]] | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls,
        preview: Preview,
        expires: float,
        call: tuple[str, str, Mapping[str, Any]] | None = None,
    ) -> Shown:
        return cls(
            tuple(preview.target_ids()), tuple(preview.missing), expires, preview.phrase, call
        )

    def differences(self, action: str, region: str, arguments: Mapping[str, Any]) -> list[str]:
        """What differs between the previewed call and this one, by name (never values:
        an argument may hold a password)."""
        if self.call is None:
            return []
        was_action, was_region, was = self.call
        found: list[str] = []
        if was_action != action:
            found.append(f"the action ({was_action} was previewed)")
        if was_region != region:
            found.append(f"Region ({was_region or 'the default'} was previewed)")
        for name in sorted(set(was) | set(arguments)):
            if name not in arguments:
                found.append(f"{name} (previewed, now missing)")
            elif name not in was:
                found.append(f"{name} (added since the preview)")
            elif canonical_arguments({"v": was[name]}) != canonical_arguments(
                {"v": arguments[name]}
            ):
                found.append(f"{name} (changed since the preview)")
        return found


@dataclass
class IssuedPreviews:
    """The preview behind each issued token (by the token's digest), until it expires."""

    by_token: dict[str, Shown] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, token: str, shown: Shown, now: float) -> None:
        with self.lock:
            for key in [k for k, v in self.by_token.items() if v.expires <= now]:
                del self.by_token[key]
            self.by_token[_digest(token)] = shown

    def get(self, token: str) -> Shown | None:
        with self.lock:
            return self.by_token.get(_digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
