"""Command-line entry point: `lighthouse-mcp [serve options]` or `lighthouse-mcp SUBCOMMAND`.

Each subcommand lives in its own module of this package (serve, catalog, tools, call,
sandbox, approvals) exposing ``add_arguments(parser)`` and ``run(args) -> int``; this module only
dispatches. With no subcommand the server runs (``serve``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any, Protocol, cast

#: subcommand -> one-line help
SUBCOMMANDS: dict[str, str] = {
    "serve": "run the MCP server (the default)",
    "catalog": "show the API catalog: counts, or one action in full",
    "tools": "list the MCP tools with their safety class and group",
    "call": "send one API request through the client and print the Response",
    "sandbox": "run the local Lighthouse sandbox over HTTP",
    "approvals": "list and answer a running server's pending approvals",
    "audit": "tail and filter the audit stream of a shared store (--store redis://...)",
}


class _Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> _Command:
    # Only the chosen command's module is imported: `lighthouse-mcp catalog` or `call`
    # starts in a tenth of a second, while the server's imports (mcp, the app) take
    # several times that.
    if name == "serve":
        from lighthouse_mcp.server.cli import serve

        return cast(_Command, serve)
    if name == "catalog":
        from lighthouse_mcp.server.cli import catalog

        return cast(_Command, catalog)
    if name == "tools":
        from lighthouse_mcp.server.cli import tools

        return cast(_Command, tools)
    if name == "call":
        from lighthouse_mcp.server.cli import call

        return cast(_Command, call)
    if name == "sandbox":
        from lighthouse_mcp.server.cli import sandbox

        return cast(_Command, sandbox)
    if name == "approvals":
        from lighthouse_mcp.server.cli import approvals

        return cast(_Command, approvals)
    if name == "audit":
        from lighthouse_mcp.server.cli import audit

        return cast(_Command, audit)
    raise KeyError(name)


def build_parser(name: str) -> argparse.ArgumentParser:
    prog = "lighthouse-mcp" if name == "serve" else f"lighthouse-mcp {name}"
    parser = argparse.ArgumentParser(prog=prog, description=SUBCOMMANDS[name])
    _load(name).add_arguments(parser)
    return parser


def _usage() -> str:
    lines = ["usage: lighthouse-mcp [serve options] | lighthouse-mcp SUBCOMMAND [...]", ""]
    lines += [f"  {name:<8} {help_}" for name, help_ in SUBCOMMANDS.items()]
    lines += ["", "`lighthouse-mcp SUBCOMMAND --help` for the options of each."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("help",):
        print(_usage())
        return 0
    name = args[0] if args and args[0] in SUBCOMMANDS else "serve"
    rest = args[1:] if args and args[0] in SUBCOMMANDS else args
    parser = build_parser(name)
    ns = parser.parse_args(rest)
    runner: Callable[[Any], int] = _load(name).run
    try:
        return runner(ns)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`lighthouse-mcp catalog | head`): not an error worth a
        # traceback. Point stdout at devnull so the interpreter's final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # last line of defence: a person never sees a traceback
        if os.environ.get("LIGHTHOUSE_MCP_DEBUG"):
            raise
        print(
            f"lighthouse-mcp {name}: unexpected {type(exc).__name__}; set "
            "LIGHTHOUSE_MCP_DEBUG=1 to see the details",
            file=sys.stderr,
        )
        return 70
