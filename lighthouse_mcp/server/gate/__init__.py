"""The confirmation gate, wired into the server: policy, mechanisms, audit.

- gate/policy.py: what is gated (safety classes, secret reads, rules over the arguments
  from tools/risk.py plus ``--policy``) and by which mode;
- gate/forms.py: the elicitation mechanism's form and how an answer counts;
- gate/tokens.py: single-use HMAC tokens bound to one call and one mechanism (the
  opt-in model-relayed confirm_token, the input-required request_state);
- server/approvals/: the approval page and terminal channel (modes auto and browser);
- gate/confirm.py: `ConfirmationGate`, which picks the mechanism per call and re-checks
  the previewed targets before a confirmed call runs;
- gate/audit.py: the audit log and the auditor that records each call's outcome.

`install` plugs them into the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.server.approvals import ApprovalService
from lighthouse_mcp.server.approvals.shared import SharedApprovalStore
from lighthouse_mcp.server.config import ConfigError
from lighthouse_mcp.server.execute import Services
from lighthouse_mcp.server.gate.audit import AuditLog, GateAuditor, default_audit_path
from lighthouse_mcp.server.gate.confirm import ConfirmationGate, ReaderFactory
from lighthouse_mcp.server.gate.policy import TOKEN_ARG, GatePolicy, policy_from_settings
from lighthouse_mcp.server.registry import Registry, ServerArg
from lighthouse_mcp.server.shared_audit import AuditStream
from lighthouse_mcp.tools.lookup import Call

log = logging.getLogger("lighthouse_mcp.server")


def make_reader(services: Services) -> ReaderFactory:
    """Preview reads through the shared client: read actions via the pipeline's preview
    read path (which refuses anything else; see Pipeline.preview_read for why it is not
    narrowed by the exposure flags), plus the ``DryRun`` form of a billing action,
    which the API answers without doing anything."""

    def bind(region: str) -> Call:
        async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            target = region or None
            if catalog.is_read(action):
                return await services.pipeline.preview_read(action, params, region=target)
            if params.get("DryRun") is True:
                return await services.client().call(action, params, region=target)
            raise PermissionError(f"previews never send {action}")

        return call

    return bind


def _client_region(registry: Registry, services: Services) -> str | None:
    region = getattr(services.client(), "default_region", None)
    return region if isinstance(region, str) else registry.settings.region


def install(registry: Registry, services: Services) -> None:
    """Plug the gate, its auditor and ``confirm_token`` into the server. Raises
    ConfigError for contradictory gate flags (the serve command reports it)."""
    settings = registry.settings
    policy = policy_from_settings(settings)
    audit = AuditLog(settings.audit_log or default_audit_path())
    if services.store is not None and services.store.shared:
        audit.mirror = AuditStream(services.store).mirror
    try:
        audit.touch()
    except OSError as exc:
        raise ConfigError(
            f"--audit-log: cannot write the audit log {audit.path} "
            f"({exc.strerror or type(exc).__name__}); choose a writable PATH"
        ) from None
    shared = services.store if services.store is not None and services.store.shared else None
    approvals = (
        ApprovalService(
            SharedApprovalStore(shared) if shared is not None else None,
            ttl_seconds=settings.approval_timeout,
            open_browser=settings.open_browser,
        )
        if policy.mode in ("auto", "browser")
        else None
    )
    gate = ConfirmationGate(
        policy,
        audit=audit,
        reader=make_reader(services),
        default_region=lambda: _client_region(registry, services),
        approvals=approvals,
        approval_timeout=settings.approval_timeout,
    )
    registry.set_gate(gate)
    registry.approvals = approvals
    registry.set_auditor(GateAuditor(audit))
    registry.add_server_arg(
        ServerArg(
            TOKEN_ARG,
            {
                "type": "string",
                "description": "from the approved preview",
            },
            policy.offers_token,
        )
    )
    if policy.mode == "off":
        log.warning(
            "confirmation gate is OFF (--dangerously-skip-confirmation): destructive "
            "and billing actions run without asking"
        )


__all__ = [
    "TOKEN_ARG",
    "AuditLog",
    "ConfirmationGate",
    "GateAuditor",
    "GatePolicy",
    "install",
    "make_reader",
    "policy_from_settings",
]
