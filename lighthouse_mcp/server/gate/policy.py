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
"""

from __future__ import annotations

from dataclasses import dataclass

from lighthouse_mcp import catalog
from lighthouse_mcp.server.config import ConfigError, ConfirmMode, Settings
from lighthouse_mcp.tools.safety import GATED_BY_DEFAULT, is_gated, returns_secret

#: The server-added argument that carries a confirmation token.
TOKEN_ARG = "confirm_token"


@dataclass(frozen=True)
class GatePolicy:
    """What needs confirmation and how it is asked. Built once from the settings."""

    classes: frozenset[str] = GATED_BY_DEFAULT
    mode: ConfirmMode = "auto"
    return_secrets: bool = False

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
        return self.mode == "token" and self.needs_confirmation(action)


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
        return GatePolicy(classes=listed, mode=mode, return_secrets=settings.return_secrets)
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
    return GatePolicy(classes=classes, mode=mode, return_secrets=settings.return_secrets)
