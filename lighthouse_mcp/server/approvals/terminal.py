"""``lighthouse-mcp approvals``: answer a running server's pending approvals from a
terminal.

    lighthouse-mcp approvals                 list what waits, with each preview
    lighthouse-mcp approvals approve ID      show the preview, then type the phrase
    lighthouse-mcp approvals decline ID

It finds running servers through their control files (control.py) and speaks to them
over loopback with the bearer secret from that file. ``ID`` is a request id as listed,
or any unique prefix of it (at least 4 characters).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import httpx

from lighthouse_mcp.server.approvals.control import ControlInfo, control_dir, read_controls
from lighthouse_mcp.server.approvals.store import ApprovalRequest

TIMEOUT_SECONDS = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "verb",
        nargs="?",
        choices=("list", "approve", "decline"),
        default="list",
        help="list (default), approve ID or decline ID",
    )
    parser.add_argument("id", nargs="?", help="request id (or a unique prefix)")


def _client(info: ControlInfo) -> httpx.Client:
    return httpx.Client(
        base_url=info.url,
        timeout=TIMEOUT_SECONDS,
        trust_env=False,
        headers={"Authorization": f"Bearer {info.secret}"},
    )


def _pending(info: ControlInfo) -> list[ApprovalRequest]:
    with _client(info) as client:
        reply = client.get("/control/pending")
        reply.raise_for_status()
        return [ApprovalRequest.from_dict(item) for item in reply.json()["pending"]]


def _decide(info: ControlInfo, rid: str, verdict: str, phrase: str | None) -> str:
    with _client(info) as client:
        reply = client.post(
            "/control/decide", json={"id": rid, "verdict": verdict, "phrase": phrase}
        )
        reply.raise_for_status()
        return str(reply.json()["result"])


def _describe(request: ApprovalRequest, out: TextIO) -> None:
    left = max(0, round(request.expires - time.time()))
    print(
        f"{request.id}  {request.action}  region={request.region or '-'}  "
        f"client={request.client or '-'}  principal={request.principal or '-'}  "
        f"expires in {left}s",
        file=out,
    )
    for line in request.preview.splitlines():
        print(f"    {line}", file=out)


def run(
    args: argparse.Namespace,
    *,
    folder: Path | None = None,
    input_fn: Callable[[str], str] = input,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = sys.stderr
    servers = read_controls(folder)
    if not servers:
        print(
            "No running lighthouse-mcp server is serving approvals "
            f"(no control file in {folder or control_dir()}).",
            file=err,
        )
        return 1
    found: list[tuple[ControlInfo, ApprovalRequest]] = []
    for info in servers:
        try:
            found += [(info, request) for request in _pending(info)]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            print(f"server pid {info.pid}: not reachable ({type(exc).__name__})", file=err)
    if args.verb == "list":
        if not found:
            print("Nothing is waiting for approval.", file=out)
        for _, request in found:
            _describe(request, out)
        return 0
    return _answer(args.verb, args.id, found, input_fn, out)


def _answer(
    verb: str,
    wanted: str | None,
    found: list[tuple[ControlInfo, ApprovalRequest]],
    input_fn: Callable[[str], str],
    out: TextIO,
) -> int:
    err = sys.stderr
    if not wanted or len(wanted) < 4:
        print(
            f"lighthouse-mcp approvals {verb}: give the request id (at least 4 characters) "
            "from `lighthouse-mcp approvals`",
            file=err,
        )
        return 2
    matches = [(i, r) for i, r in found if r.id.startswith(wanted.lower())]
    if len(matches) != 1:
        print(
            f"{'No' if not matches else 'More than one'} pending request matches {wanted!r}.",
            file=err,
        )
        return 1
    info, request = matches[0]
    _describe(request, out)
    phrase: str | None = None
    if verb == "approve":
        try:
            phrase = input_fn(f"To approve, type exactly `{request.phrase}`: ")
        except EOFError:
            phrase = ""
    try:
        result = _decide(info, request.id, verb, phrase)
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        print(f"The server did not take the answer ({type(exc).__name__}).", file=err)
        return 1
    messages: dict[str, tuple[str, int]] = {
        "approved": (f"Approved: {request.action} runs now.", 0),
        "declined": (f"Declined: {request.action} will not run.", 0),
        "wrong-phrase": ("The phrase did not match; nothing was approved.", 1),
        "not-pending": ("That request was answered or expired meanwhile.", 1),
    }
    text, code = messages.get(result, (f"Unexpected answer {result!r}.", 1))
    print(text, file=out if code == 0 else err)
    return code


__all__ = ["add_arguments", "run"]
