"""`lighthouse-mcp sandbox`: run the local Lighthouse emulator over HTTP.

It prints the endpoint and the credentials it accepts, so any client (this project's, an
official SDK, curl with a hand-made signature) can be pointed at it. Credentials, first
found wins: ``--secret-id``/``--secret-key``, then TENCENTCLOUD_SECRET_ID/KEY from the
environment, then the sandbox's documented default pair. A secret key given by option or
environment is never printed — only where it came from.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from pathlib import Path

import uvicorn

from lighthouse_mcp.catalog import API_VERSION
from lighthouse_mcp.sandbox import (
    DEFAULT_REQUEST_LOG_SIZE,
    DEFAULT_SECRET_ID,
    DEFAULT_SECRET_KEY,
    ConnectionDropped,
    Fault,
    Sandbox,
    StateFileError,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8765,
        help="port to listen on; 0 picks a free one (default 8765)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="load state from FILE at start and save it after each change",
    )
    parser.add_argument("--secret-id", help="SecretId to accept (with --secret-key)")
    parser.add_argument(
        "--secret-key",
        help="SecretKey to accept (with --secret-id); visible in the process "
        "list, so prefer TENCENTCLOUD_SECRET_KEY",
    )
    parser.add_argument(
        "--delay",
        type=_seconds,
        default=0.2,
        metavar="SECONDS",
        help="how long a state transition takes, e.g. PENDING -> RUNNING (default 0.2)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault from the start (repeatable): KIND[,action=A]"
        "[,count=N][,seconds=S][,status=5xx][,after]; KIND is latency, "
        "http_error, internal_error, throttle, drop or malformed",
    )
    parser.add_argument(
        "--enforce-rate-limits",
        action="store_true",
        help="answer RequestLimitExceeded above each action's documented rate",
    )
    parser.add_argument(
        "--request-log-size",
        type=_log_size,
        default=DEFAULT_REQUEST_LOG_SIZE,
        metavar="N",
        help="how many of the newest requests GET /admin/requests keeps "
        f"(default {DEFAULT_REQUEST_LOG_SIZE})",
    )
    parser.add_argument(
        "--admin-token",
        help="let non-loopback clients use /admin/* with this X-Sandbox-Admin-Token",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log one line per request: action, region, ok or error code (never parameters)",
    )
    parser.add_argument(
        "--no-seed", action="store_true", help="start with empty accounts (no demo instances)"
    )


def _log_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of requests, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"expected 0 to 3600 seconds, got {text}")
    return value


def _credentials(args: argparse.Namespace) -> tuple[dict[str, str], str]:
    """(SecretId -> SecretKey, where they came from)."""
    if args.secret_id or args.secret_key:
        if not (args.secret_id and args.secret_key):
            raise SystemExit("lighthouse-mcp sandbox: give both --secret-id and --secret-key")
        return {args.secret_id: args.secret_key}, "options"
    env_id = os.environ.get("TENCENTCLOUD_SECRET_ID")
    env_key = os.environ.get("TENCENTCLOUD_SECRET_KEY")
    if env_id and env_key:
        return {env_id: env_key}, "environment"
    if env_id or env_key:
        raise SystemExit(
            "lighthouse-mcp sandbox: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY must "
            "be set together"
        )
    return {DEFAULT_SECRET_ID: DEFAULT_SECRET_KEY}, "default"


class _QuietDrops(logging.Filter):
    """Keep an injected dropped connection out of the error log (it is not a bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket, accepting (queueing) from the moment it returns.

    IPPROTO_TCP is given explicitly: accepted sockets inherit the listener's proto, and
    asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP. With proto 0,
    Nagle's algorithm plus delayed ACK stalled every response by ~40 ms on loopback.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def run(args: argparse.Namespace) -> int:
    creds, source = _credentials(args)
    try:
        faults = [Fault.parse(spec) for spec in args.fault]
    except ValueError as exc:
        print(f"lighthouse-mcp sandbox: --fault: {exc}", file=sys.stderr)
        return 2
    try:
        sandbox = Sandbox(
            creds,
            delay=args.delay,
            state_file=args.state,
            seed=not args.no_seed,
            enforce_rate_limits=args.enforce_rate_limits,
            admin_token=args.admin_token,
            request_log_size=args.request_log_size,
        )
    except StateFileError as exc:  # names the file and what in it is wrong
        print(f"lighthouse-mcp sandbox: cannot load state: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(
            f"lighthouse-mcp sandbox: cannot load state from {args.state}: {exc}", file=sys.stderr
        )
        return 2
    sandbox.faults.rules.extend(faults)
    try:
        sock = listening_socket(args.host, args.port)
    except OSError as exc:
        print(
            f"lighthouse-mcp sandbox: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 2
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    secret_id = next(iter(creds))
    print(f"Lighthouse sandbox listening on http://{shown}:{port}/", flush=True)
    print(f"  SecretId:  {secret_id}", flush=True)
    if source == "default":
        print(f"  SecretKey: {DEFAULT_SECRET_KEY}  (the sandbox's public default pair)", flush=True)
    else:
        print(f"  SecretKey: (as given by {source}; not shown)", flush=True)
    print(
        "  Signing:   TC3-HMAC-SHA256 (POST JSON, GET) or v1 HmacSHA256/HmacSHA1 (GET, POST "
        f"form), service 'lighthouse', version {API_VERSION}",
        flush=True,
    )
    if args.state:
        print(f"  State:     {args.state}", flush=True)
    for fault in faults:
        print(f"  Fault:     {fault.to_json()}", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    if secret_id == DEFAULT_SECRET_ID and args.host not in ("127.0.0.1", "::1", "localhost"):
        print(
            "  Warning: listening beyond loopback with the public default credentials",
            file=sys.stderr,
            flush=True,
        )
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    if args.verbose:
        logging.basicConfig(format="%(asctime)s %(message)s", stream=sys.stderr)
        logging.getLogger("lighthouse_mcp.sandbox").setLevel(logging.INFO)
    config = uvicorn.Config(sandbox.app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0
