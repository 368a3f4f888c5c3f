"""Client exceptions as tool errors: Code, Message, RequestId and a hint a model can act on.

The client's exception classes (client/errors.py) already sort Tencent Cloud error
codes into families and carry a ``hint`` each; this module adds what an MCP caller can
do about it. A code (or an action's code) that catalog/error_hints.json knows gets that
next step instead, with the actions it names as ``NextActions``; a new code of a known
family still gets the family's hint without a change here.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

import mcp_types as types

from lighthouse_mcp import catalog
from lighthouse_mcp.client.errors import APIError, LighthouseError, ThrottledError
from lighthouse_mcp.client.retry import is_transient, may_have_reached_server
from lighthouse_mcp.server.results import tool_error
from lighthouse_mcp.tools.error_hints import error_hint
from lighthouse_mcp.tools.quoting import one_line

log = logging.getLogger("lighthouse_mcp.server")

#: What the MCP caller can do beyond the client's own ``hint`` (client/errors.py), by
#: exception class name, most specific first in the MRO walk.
_EXTRA: dict[str, str] = {
    "CredentialsError": "No usable Tencent Cloud credentials: set TENCENTCLOUD_SECRET_ID and "
    "TENCENTCLOUD_SECRET_KEY (or a profile) for the server, or start it with --sandbox.",
    "StateConflictError": "Read the resource's state with the matching Describe action and "
    "retry once it has settled.",
    "QuotaError": "DescribeGeneralResourceQuotas shows the account's quotas.",
    "NetworkError": "Check the network or the --endpoint URL.",
    "RequestTimeoutError": "The action may still have run: check with the matching Describe action "
    "before retrying a change.",
}


def _hint(exc: BaseException) -> str:
    parts = [str(getattr(exc, "hint", "") or "").rstrip(".")]
    for cls in type(exc).__mro__:
        if cls.__name__ in _EXTRA and cls.__module__.startswith("lighthouse_mcp.client"):
            parts.append(_EXTRA[cls.__name__])
            break
    return ". ".join(p for p in parts if p)


def _outcome_unknown(action: str, exc: Exception) -> str | None:
    """For a change that failed in a way that does not prove it was refused (the answer
    was lost, garbled or a 5xx), the warning a caller needs before sending it again:
    the client never resends such a change itself, and neither should the model."""
    if not isinstance(exc, LighthouseError) or isinstance(exc, ThrottledError):
        return None
    if not is_transient(exc) or not may_have_reached_server(exc):
        return None
    if action not in catalog.action_names() or catalog.is_read(action):
        return None
    return (
        f"{action} may have been carried out before the failure. Check with the "
        "matching Describe action before sending it again."
    )


def api_error_result(action: str, exc: Exception) -> types.CallToolResult | None:
    """The tool error for a client exception, or None if ``exc`` is not one of them.

    Only the exception's public fields and its (safe, by the client's contract) str
    are used; never its traceback or arguments.
    """
    if not isinstance(exc, LighthouseError):
        return None
    hint = _hint(exc)
    details: dict[str, Any] = {}
    known = error_hint(exc.code, action) if isinstance(exc, APIError) else None
    if known is not None:
        # The next step for this very error (catalog/error_hints.json) replaces the
        # family's generic advice ("wait and retry"), which misleads when waiting never
        # helps (a RUNNING instance must be returned before it can be destroyed).
        hint = known.text.rstrip(".")
        if known.next_actions:
            details["NextActions"] = list(known.next_actions)
    if isinstance(exc, APIError):
        code, message = exc.code, exc.message
        # The API's words, kept readable but on one line: they may echo resource names.
        lines = [f"{action} failed.", f"Code: {one_line(code)}", f"Message: {one_line(message)}"]
        if exc.request_id:
            lines.append(f"RequestId: {exc.request_id}")
            details["RequestId"] = exc.request_id
        if exc.region:
            details["Region"] = exc.region
    else:
        code, message = type(exc).__name__, str(exc)
        lines = [f"{action} failed: {message}"]
    if exc.attempts > 1:
        lines.append(f"Attempts: {exc.attempts} (transient failures were retried)")
        details["Attempts"] = exc.attempts
    unknown = _outcome_unknown(action, exc)
    if unknown:
        lines.append(f"Outcome unknown: {unknown}")
        details["OutcomeUnknown"] = True
    if hint:
        lines.append(f"Hint: {hint}")
        details["Hint"] = hint
    return tool_error("\n".join(lines), code=code, details=details | {"Message": message})


def unexpected_error_result(action: str, exc: BaseException) -> types.CallToolResult:
    """A generic tool error; the exception type goes to stderr, its text and trace do not
    (either could echo a request that carried a password)."""
    where = " <- ".join(
        f"{Path(f.filename).name}:{f.lineno} {f.name}"
        for f in reversed(traceback.extract_tb(exc.__traceback__)[-4:])
    )
    log.error("unexpected %s while running %s at %s", type(exc).__name__, action, where)
    return tool_error(
        f"{action} failed because of an internal error of the MCP server; "
        "nothing more is known to the caller. See the server log.",
        code="InternalServerError",
    )
