"""The gate's policy: which actions need confirmation, and by which mechanism.

Which safety classes are gated comes from ``--confirm`` (default destructive + billing,
tools.safety.GATED_BY_DEFAULT); reads that return a credential are gated too unless
``--return-secrets``. The mechanism comes from ``--confirm-mode``:

- ``elicit``: the server asks the person through MCP elicitation (gate/forms.py); on
  2026-era connections the same form travels in an InputRequiredResult.
- ``token``: the first call runs nothing and returns the preview plus a single-use
  ``confirm_token`` (gate/tokens.py); only the identical call repeated with it runs.
- ``auto`` (default): elicitation when the client can receive it, else the token.
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
        return self.mode in ("auto", "token") and self.needs_confirmation(action)


def policy_from_settings(settings: Settings) -> GatePolicy:
    """The policy, or ConfigError when the flags do not say what they mean."""
    mode = settings.confirm_mode
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
    classes = GATED_BY_DEFAULT if settings.confirm is None else frozenset(settings.confirm)
    if not classes and mode != "off":
        raise ConfigError(
            "--confirm: name at least one class (e.g. destructive,billing); "
            "turning confirmation off takes --dangerously-skip-confirmation"
        )
    return GatePolicy(classes=frozenset(classes), mode=mode, return_secrets=settings.return_secrets)
