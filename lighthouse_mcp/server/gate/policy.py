"""The gate's policy: which actions need confirmation, and by which mechanism.

Destructive and billing actions are always gated (tools.safety.GATED_BY_DEFAULT);
``--confirm`` adds classes to them, and only ``--dangerously-skip-confirmation`` drops
them (with ``--confirm``, exactly the listed classes stay gated). Reads that return a
credential are gated too unless ``--return-secrets``. The mechanism comes from
``--confirm-mode``:

- ``elicit``: the server asks the person through MCP elicitation (gate/forms.py); on
  2026-era connections the same form travels in an InputRequiredResult.
- ``browser``: the server's own approval page or ``lighthouse-mcp approvals``
  (server/approvals/); the call waits for the person's answer.
- ``token`` (opt-in only): the first call runs nothing and returns the preview plus a
  single-use ``confirm_token`` (gate/tokens.py); the identical call repeated with it
  runs. The model relays the yes, so the audit says ``model-relayed``.
- ``auto`` (default): elicitation when the client can receive it, else the approval
  page/terminal, else a refusal naming the options. Never a token.
- ``off``: nothing is asked; only with ``--dangerously-skip-confirmation``.

On top of the classes, rules over the arguments (tools/risk.py: the defaults in
tools/risk_rules.json plus a ``--policy FILE``) decide per call: an otherwise ungated
write asks when its arguments make it risky, and a deny rule refuses a call outright
(even with confirmation off). :meth:`GatePolicy.verdict` is the one answer per call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.server.config import ConfigError, ConfirmMode, Settings
from lighthouse_mcp.tools.risk import (
    PolicyError,
    Rule,
    Verdict,
    actions_with_rules,
    default_rules,
    judge,
    load_policy,
)
from lighthouse_mcp.tools.safety import GATED_BY_DEFAULT, is_gated, returns_secret

log = logging.getLogger("lighthouse_mcp.server")

#: The server-added argument that carries a confirmation token.
TOKEN_ARG = "confirm_token"


@dataclass(frozen=True)
class GatePolicy:
    """What needs confirmation and how it is asked. Built once from the settings."""

    classes: frozenset[str] = GATED_BY_DEFAULT
    mode: ConfirmMode = "auto"
    return_secrets: bool = False
    #: Rules over the arguments: the defaults, plus the user's policy file.
    rules: tuple[Rule, ...] = field(default_factory=default_rules)

    def verdict(self, action: str, arguments: Mapping[str, Any]) -> Verdict:
        """How this call is decided: ``deny`` (refused, nobody asked), ``ask`` (a person
        confirms; ``reasons`` say why when the arguments made it risky) or ``allow``."""
        found = judge(self.rules, action, arguments)
        if found.decision == "deny":
            return found
        if self.mode == "off":
            return Verdict("allow", rules=found.rules)
        if found.decision == "ask":
            return found
        if self.needs_confirmation(action):
            return Verdict("ask", rules=found.rules)
        return Verdict("allow", rules=found.rules)

    def needs_confirmation(self, action: str) -> bool:
        if self.mode == "off":
            return False
        if is_gated(action, self.classes):
            return True
        # A console login URL is a credential: reading one is gated unless secrets are
        # returned by choice (CreateKeyPair's private key goes to a file instead).
        return (
            catalog.safety_class(action) == "read"
            and returns_secret(action)
            and not self.return_secrets
        )

    def offers_token(self, action: str) -> bool:
        """Whether the action's tool takes a ``confirm_token`` argument."""
        return self.mode == "token" and (
            self.needs_confirmation(action) or action in actions_with_rules(self.rules)
        )


def policy_from_settings(settings: Settings) -> GatePolicy:
    """The policy, or ConfigError when the flags do not say what they mean."""
    mode = settings.confirm_mode
    listed = frozenset(settings.confirm or ())
    if settings.skip_confirmation and settings.confirm:
        # Exactly the listed classes: the one way to drop destructive or billing.
        if mode == "off":
            raise ConfigError(
                "--confirm names classes to keep gated, which --confirm-mode off "
                "contradicts; drop one of them"
            )
        return GatePolicy(
            classes=listed,
            mode=mode,
            return_secrets=settings.return_secrets,
            rules=policy_rules(settings.policy),
        )
    if settings.skip_confirmation and mode not in ("auto", "off"):
        raise ConfigError(
            f"--dangerously-skip-confirmation contradicts --confirm-mode {mode}; "
            "use one or the other"
        )
    if settings.skip_confirmation:
        mode = "off"
    elif mode == "off":
        raise ConfigError(
            "--confirm-mode off runs destructive and billing actions without "
            "asking anyone; add --dangerously-skip-confirmation to mean it"
        )
    classes = GATED_BY_DEFAULT | listed  # --confirm adds; it never drops the defaults
    return GatePolicy(
        classes=classes,
        mode=mode,
        return_secrets=settings.return_secrets,
        rules=policy_rules(settings.policy),
    )


def policy_rules(path: str | Path | None) -> tuple[Rule, ...]:
    """The default argument rules plus the policy file's, or ConfigError naming the file
    and the line or field that is wrong (the server then refuses to start)."""
    if path is None:
        return default_rules()
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(
            f"--policy: cannot read {path} ({exc.strerror or type(exc).__name__})"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"--policy: {path} is not UTF-8 text") from None
    try:
        rules = load_policy(str(path), text)
    except PolicyError as exc:
        raise ConfigError(f"--policy: {exc}") from None
    for rule in rules:
        for lifted in rule.overrides:
            log.warning(
                "policy %s: rule %s lifts rule %s for %s calls it matches",
                path,
                rule.id,
                lifted,
                ", ".join(sorted(rule.actions)),
            )
    return rules
