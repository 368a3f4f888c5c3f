"""`lighthouse-mcp call ACTION '{json}'`: send one request through the shared client.

For a person at a shell (and scripts): the same validation as the MCP tools refuses bad
input before anything is sent, naming every wrong field; the Response JSON goes to
stdout, diagnostics to stderr. Exit codes: 0 success (or a passed DryRun), 1 API,
transport or configuration error, 2 invalid input (refused locally or by the API),
3 refused because a destructive or billing action lacks ``--yes``.

Unlike the MCP server there is no confirmation gate — the person typing the command is
the confirmation — but an action that destroys data or spends money still needs
``--yes``, so a command pasted from shell history does not terminate a server.
``--sandbox`` runs the request against the in-process emulator instead of the cloud.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import anyio
import httpx

from lighthouse_mcp import catalog
from lighthouse_mcp.client import (
    AuthError,
    InvalidInputError,
    LighthouseClient,
    LighthouseError,
)
from lighthouse_mcp.client.errors import APIError, ConfigurationError, DryRunOperation
from lighthouse_mcp.server.api_client import SANDBOX_REGION, sandbox_client
from lighthouse_mcp.tools.intent import suggest_actions
from lighthouse_mcp.tools.safety import GATED_BY_DEFAULT
from lighthouse_mcp.tools.validate import validate

EXIT_OK, EXIT_ERROR, EXIT_INVALID, EXIT_UNCONFIRMED = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", help="API action, e.g. DescribeInstances")
    parser.add_argument(
        "params",
        nargs="?",
        default="{}",
        help="request parameters as a JSON object (default {}; '-' reads stdin)",
    )
    parser.add_argument("--region", help="X-TC-Region (default: TENCENTCLOUD_REGION)")
    parser.add_argument(
        "--endpoint", help="API endpoint URL (default: LIGHTHOUSE_MCP_ENDPOINT or the public one)"
    )
    parser.add_argument(
        "--sandbox", action="store_true", help="send to the in-process sandbox emulator"
    )
    parser.add_argument("--language", choices=["zh-CN", "en-US"], help="X-TC-Language")
    parser.add_argument(
        "--yes", action="store_true", help="confirm a destructive or billing action"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="read timeout in seconds")


def _fail(code: int, *lines: str) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return code


def _parse_params(text: str) -> dict[str, Any] | str:
    """The parameters object, or a message saying what is wrong with the JSON."""
    raw = sys.stdin.read() if text == "-" else text
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"params is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if not isinstance(value, dict):
        return f'params must be a JSON object like {{"Limit": 10}}, not {type(value).__name__}'
    return value


def _check_action(action: str) -> str | None:
    names = catalog.action_names()
    if action in names:
        return None
    close = suggest_actions(action, names)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return f"unknown action {action!r}: not one of the {len(names)} Lighthouse actions.{hint}"


def _validate(action: str, params: dict[str, Any], region: str | None) -> str | None:
    arguments = {**params, "Region": region} if region else params
    problems = validate(action, arguments)
    if not problems:
        return None
    lines = [f"invalid input for {action} (nothing was sent):"]
    lines += [f"  - {p.message}" for p in problems]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    parsed = _parse_params(args.params)
    if isinstance(parsed, str):
        return _fail(EXIT_INVALID, f"error: {parsed}")
    params = parsed
    problem = _check_action(args.action)
    if problem:
        return _fail(EXIT_INVALID, f"error: {problem}")
    # A Region inside the JSON is accepted too: it is a common parameter, sent as a header.
    region = args.region or params.pop("Region", None)
    if region is not None and not isinstance(region, str):
        return _fail(EXIT_INVALID, 'error: Region must be a string like "ap-guangzhou"')
    if args.sandbox and not region:
        region = SANDBOX_REGION
    invalid = _validate(args.action, params, region)
    if invalid:
        return _fail(EXIT_INVALID, invalid)
    safety = catalog.safety_class(args.action)
    if safety in GATED_BY_DEFAULT and not args.sandbox and not args.yes:
        reason = catalog.load_overlay()["actions"][args.action]["reason"].rstrip(".")
        return _fail(
            EXIT_UNCONFIRMED,
            f"{args.action} is a {safety} action ({reason}). Nothing was sent; add --yes to "
            "send it.",
        )
    return anyio.run(_call, args, params, region)


async def _call(args: argparse.Namespace, params: dict[str, Any], region: str | None) -> int:
    options: dict[str, Any] = {
        "region": region,
        "endpoint": args.endpoint,
        "language": args.language,
        "timeout": httpx.Timeout(args.timeout, connect=min(5.0, args.timeout)),
    }
    try:
        client = sandbox_client(**options) if args.sandbox else LighthouseClient(**options)
    except ConfigurationError as exc:
        return _fail(EXIT_ERROR, f"error: {exc}")
    async with client:
        try:
            response = await client.call(args.action, params, region=region)
        except DryRunOperation as exc:
            # DryRun=true answers with this "error" when the real request would succeed
            print(
                f"dry run passed: {exc.action} would succeed with these parameters; "
                f"nothing was changed (RequestId {exc.request_id or '-'})",
                file=sys.stderr,
            )
            return EXIT_OK
        except APIError as exc:
            lines = [
                f"error: {exc.code}: {exc.message}",
                f"  action {exc.action}, region {exc.region or '-'}, "
                f"RequestId {exc.request_id or '-'}",
            ]
            if exc.hint:
                lines.append(f"  {exc.hint}.")
            if isinstance(exc, AuthError):
                lines.append(f"  credentials: {client.credentials_source}")
            code = EXIT_INVALID if isinstance(exc, InvalidInputError) else EXIT_ERROR
            return _fail(code, *lines)
        except LighthouseError as exc:
            tries = f" (after {exc.attempts} attempts)" if exc.attempts > 1 else ""
            return _fail(EXIT_ERROR, f"error: {exc}{tries}")
    print(json.dumps(response, ensure_ascii=False, indent=2))
    return EXIT_OK
