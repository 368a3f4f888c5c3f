"""`lighthouse-mcp [options]`: run the MCP server (the default command)."""

from __future__ import annotations

import argparse
import logging
import sys

import anyio

from lighthouse_mcp.server import config
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.transports import resolve_auth, serve
from lighthouse_mcp.store import StoreConfigError, StoreUnavailable, open_store


async def check_store(url: str) -> None:
    """Refuse to start when the store does not answer now (shared-service mode): a
    replica that cannot keep the shared promises must not take traffic."""
    store = await open_store(url)
    await store.aclose()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    config.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # stdout belongs to the MCP protocol on stdio: everything else goes to stderr.
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="lighthouse-mcp: %(levelname)s %(message)s"
    )
    try:
        settings = config.settings_from_args(args)
        if settings.transport != "stdio":
            resolve_auth(settings)  # refuse an unsafe bind before doing anything else
        if settings.store != "memory://":
            anyio.run(check_store, settings.store)
        server = build_server(settings)
    except (config.ConfigError, StoreConfigError, StoreUnavailable) as exc:
        print(f"lighthouse-mcp: error: {exc}", file=sys.stderr)
        return 2

    anyio.run(serve, server, settings)
    return 0
