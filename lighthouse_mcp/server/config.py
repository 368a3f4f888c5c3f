"""Server settings: one frozen dataclass built from CLI flags and environment variables.

Everything that decides what the server exposes or how it listens is read here, once,
at start. Nothing at run time can widen it (DESIGN.md: flags are the upper bound), so
the settings are immutable and every later layer only reads them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lighthouse_mcp.store import ENV_STORE, StoreConfigError
from lighthouse_mcp.store.open import check_url
from lighthouse_mcp.tools.safety import SAFETY_CLASSES

Transport = Literal["stdio", "sse", "streamable-http"]
ConfirmMode = Literal["auto", "elicit", "browser", "token", "off"]

TRANSPORTS: tuple[Transport, ...] = ("stdio", "sse", "streamable-http")
CONFIRM_MODES: tuple[ConfirmMode, ...] = ("auto", "elicit", "browser", "token", "off")
#: How long a gated call waits for an answer on the approval page or terminal.
DEFAULT_APPROVAL_TIMEOUT = 300.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_PORT = 8000

#: Environment variables read by the server (the README table is generated from this).
ENV_REGION = "TENCENTCLOUD_REGION"
ENV_ENDPOINT = "LIGHTHOUSE_MCP_ENDPOINT"
ENV_AUTH_TOKEN = "LIGHTHOUSE_MCP_AUTH_TOKEN"
ENV_LANG = "LIGHTHOUSE_MCP_LANG"
ENV_NO_OPEN_BROWSER = "LIGHTHOUSE_MCP_NO_OPEN_BROWSER"
ENV_POLICY = "LIGHTHOUSE_MCP_POLICY"
ENV_TOKENS_FILE = "LIGHTHOUSE_MCP_TOKENS_FILE"


class ConfigError(ValueError):
    """A flag or variable with a value the server cannot run with; the message names it."""


def state_dir() -> Path:
    """The per-user folder for what the server keeps between runs (audit log, saved keys):
    $XDG_STATE_HOME/lighthouse-mcp, else ~/.local/state/lighthouse-mcp."""
    if sys.platform == "win32":  # pragma: no cover - documented, not tested here
        base = Path(os.environ.get("LOCALAPPDATA", Path.home()))
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "lighthouse-mcp"


@dataclass(frozen=True)
class Settings:
    """What the server exposes and how it listens. Built by :func:`settings_from_args`.

    ``repr`` hides the HTTP auth token so settings can be logged safely.
    """

    lang: Literal["zh", "en"] = "en"
    region: str | None = None
    endpoint: str | None = None
    sandbox: bool = False
    read_only: bool = False
    toolsets: tuple[str, ...] | None = None  # None = every group
    tools: tuple[str, ...] | None = None  # None = every action (of the chosen toolsets)
    exclude_tools: tuple[str, ...] = ()
    compact: bool = False
    region_enum: bool = False
    transport: Transport = "stdio"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    auth_token: str | None = field(default=None, repr=False)
    allow_unauthenticated: bool = False
    allowed_origins: tuple[str, ...] = ()
    # Confirmation gate and audit (server/gate/).
    confirm: tuple[str, ...] | None = None  # None = the gate's default classes
    confirm_mode: ConfirmMode = "auto"
    skip_confirmation: bool = False
    #: Open the approval link in the person's browser (else only print it on stderr).
    open_browser: bool = True
    approval_timeout: float = DEFAULT_APPROVAL_TIMEOUT
    audit_log: Path | None = None
    policy: Path | None = None  # argument rules added to the defaults (gate/policy.py)
    return_secrets: bool = False
    key_dir: Path | None = None
    # Shared-service mode (lighthouse_mcp/store): where cross-process state lives.
    store: str = field(default="memory://", repr=False)
    tokens_file: Path | None = None  # bearer token hash -> principal (server/principals.py)

    @property
    def is_loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS


def default_lang(env: Mapping[str, str]) -> Literal["zh", "en"]:
    """zh when the locale is Chinese (LC_ALL, LC_MESSAGES, LANG in POSIX order), else en."""
    explicit = env.get(ENV_LANG, "").strip().lower()
    if explicit in ("zh", "en"):
        return "zh" if explicit == "zh" else "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _csv(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(item.strip() for item in value.split(",") if item.strip())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The serve flags; `lighthouse-mcp tools` reuses them to show what would be exposed."""
    api = parser.add_argument_group("API")
    api.add_argument(
        "--lang",
        choices=("zh", "en"),
        help="language of tool titles/descriptions "
        f"(default: from the locale, zh for zh_*; env {ENV_LANG})",
    )
    api.add_argument("--region", help=f"default region for calls (env {ENV_REGION})")
    api.add_argument("--endpoint", help=f"API endpoint URL (env {ENV_ENDPOINT})")
    api.add_argument(
        "--sandbox",
        action="store_true",
        help="serve the in-process sandbox instead of Tencent Cloud",
    )

    exposure = parser.add_argument_group("exposed tools (upper bound; nothing widens it later)")
    exposure.add_argument("--read-only", action="store_true", help="list and run only read actions")
    exposure.add_argument("--toolsets", metavar="A,B", help="only these groups (see `tools`)")
    exposure.add_argument("--tools", metavar="X,Y", help="only these actions")
    exposure.add_argument("--exclude-tools", metavar="Z", help="never these actions (wins)")
    exposure.add_argument(
        "--compact",
        action="store_true",
        help="a few meta-tools (search/describe/call) instead of one per action",
    )
    exposure.add_argument(
        "--region-enum",
        action="store_true",
        help="list the 17 documented regions as an enum in every tool's "
        "Region (about 70 estimated tokens per tool; validation "
        "enforces the list either way)",
    )

    net = parser.add_argument_group("transport")
    net.add_argument("--transport", choices=TRANSPORTS, default="stdio")
    net.add_argument("--host", default="127.0.0.1")
    net.add_argument("--port", type=int, default=DEFAULT_PORT)
    net.add_argument(
        "--auth-token",
        help="bearer token for HTTP transports; visible in "
        f"the process list, so prefer env {ENV_AUTH_TOKEN}; generated and "
        "printed once when absent",
    )
    net.add_argument(
        "--dangerously-allow-unauthenticated",
        action="store_true",
        help="serve HTTP without a bearer token (never on a shared network)",
    )
    net.add_argument(
        "--allowed-origins",
        metavar="O1,O2",
        help="browser Origins allowed on HTTP (default: loopback only)",
    )

    gate = parser.add_argument_group("confirmation gate and audit")
    gate.add_argument(
        "--confirm",
        metavar="CLASSES",
        help="safety classes that need confirmation besides destructive,billing (always "
        "gated unless --dangerously-skip-confirmation)",
    )
    gate.add_argument(
        "--confirm-mode",
        choices=CONFIRM_MODES,
        default="auto",
        help="who approves gated calls: auto (elicitation, else the approval page/terminal, "
        "else refuse), elicit, browser, token (the model relays the yes; opt-in)",
    )
    gate.add_argument(
        "--dangerously-skip-confirmation",
        action="store_true",
        help="run gated actions without confirmation; with --confirm, gate exactly those classes",
    )
    gate.add_argument(
        "--no-open-browser",
        action="store_true",
        help="print approval links on stderr without opening a browser "
        f"(env {ENV_NO_OPEN_BROWSER}=1)",
    )
    gate.add_argument(
        "--approval-timeout",
        type=float,
        metavar="SECONDS",
        help=f"how long a call waits on the approval page (default {DEFAULT_APPROVAL_TIMEOUT:g})",
    )
    gate.add_argument("--audit-log", type=Path, metavar="PATH", help="append-only JSONL audit log")
    gate.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="JSON rules over arguments that add allow/ask/deny to the defaults "
        f"(env {ENV_POLICY})",
    )
    gate.add_argument(
        "--return-secrets",
        action="store_true",
        help="return secrets (private keys, login URLs, container env values) in tool results",
    )
    gate.add_argument(
        "--key-dir",
        type=Path,
        metavar="PATH",
        help="where created private keys are written instead of returned",
    )
    _add_store_argument(parser)


def _add_store_argument(parser: argparse.ArgumentParser) -> None:
    shared = parser.add_argument_group("shared-service mode")
    shared.add_argument(
        "--store",
        metavar="URL",
        help="where state shared by replicas lives: memory:// (default, this process) or "
        "redis://host:port/db, rediss://... (TLS); password in the URL or env "
        f"LIGHTHOUSE_MCP_STORE_PASSWORD (env {ENV_STORE})",
    )
    shared.add_argument(
        "--tokens-file",
        type=Path,
        metavar="PATH",
        help="HTTP bearer tokens per person: lines '<sha256 hex of token> <principal>'; "
        f"the audit and approvals name the principal (env {ENV_TOKENS_FILE})",
    )


def settings_from_args(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Settings:
    """Flags win over environment variables; values are checked here, not at first use."""
    env = os.environ if env is None else env
    port = int(args.port)
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port: {port} is not a TCP port (0-65535)")
    confirm = _csv(args.confirm)
    if confirm is not None:
        unknown = sorted(set(confirm) - set(SAFETY_CLASSES))
        if unknown:
            raise ConfigError(
                f"--confirm: unknown class {', '.join(unknown)}; "
                f"expected some of {', '.join(SAFETY_CLASSES)}"
            )
    token = args.auth_token or env.get(ENV_AUTH_TOKEN) or None
    timeout = DEFAULT_APPROVAL_TIMEOUT if args.approval_timeout is None else args.approval_timeout
    if not 1 <= timeout <= 86400:
        raise ConfigError(f"--approval-timeout: {timeout:g} is not 1..86400 seconds")
    no_browser = bool(args.no_open_browser) or env.get(ENV_NO_OPEN_BROWSER, "").strip().lower() in (
        "1",
        "true",
        "yes",
    )
    return Settings(
        lang=args.lang or default_lang(env),
        region=args.region or env.get(ENV_REGION) or None,
        endpoint=args.endpoint or env.get(ENV_ENDPOINT) or None,
        sandbox=bool(args.sandbox),
        read_only=bool(args.read_only),
        toolsets=_csv(args.toolsets),
        tools=_csv(args.tools),
        exclude_tools=_csv(args.exclude_tools) or (),
        compact=bool(args.compact),
        region_enum=bool(args.region_enum),
        transport=args.transport,
        host=args.host,
        port=port,
        auth_token=token,
        allow_unauthenticated=bool(args.dangerously_allow_unauthenticated),
        allowed_origins=_csv(args.allowed_origins) or (),
        confirm=confirm,
        confirm_mode=args.confirm_mode,
        skip_confirmation=bool(args.dangerously_skip_confirmation),
        open_browser=not no_browser,
        approval_timeout=timeout,
        audit_log=args.audit_log,
        policy=args.policy or (Path(p) if (p := env.get(ENV_POLICY)) else None),
        return_secrets=bool(args.return_secrets),
        key_dir=args.key_dir,
        tokens_file=getattr(args, "tokens_file", None)
        or (Path(env[ENV_TOKENS_FILE]) if env.get(ENV_TOKENS_FILE) else None),
        store=_store_url(getattr(args, "store", None) or env.get(ENV_STORE) or "memory://"),
    )


def _store_url(url: str) -> str:
    try:
        return check_url(url)
    except StoreConfigError as exc:
        raise ConfigError(str(exc)) from None


def parse_settings(argv: Sequence[str], env: Mapping[str, str] | None = None) -> Settings:
    """Convenience for tests and embedding: the same flags as the command line."""
    parser = argparse.ArgumentParser(prog="lighthouse-mcp")
    add_arguments(parser)
    return settings_from_args(parser.parse_args(list(argv)), env)
