"""`lighthouse-mcp audit`: tail and filter the audit stream of a shared store.

Every replica started with ``--store redis://...`` appends its gate's audit records to
one stream there (server/shared_audit.py). This prints them as JSON Lines, oldest first,
each with its ``stream_id``; ``--follow`` keeps printing new ones as they arrive (a
blocking read, no polling). Filters are exact matches and combine with AND.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import deque
from typing import Any

import anyio

from lighthouse_mcp.store import ENV_STORE, Store, StoreConfigError, StoreUnavailable, open_store

PAGE = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", metavar="URL", help=f"the shared store, redis://host:port/db (env {ENV_STORE})"
    )
    parser.add_argument("--action", help="only records of this action")
    parser.add_argument("--decision", help="only this gate decision (e.g. declined)")
    parser.add_argument("--principal", help="only calls made by this principal")
    parser.add_argument("--client", help="only calls from this MCP client name")
    parser.add_argument(
        "-n", "--last", type=int, default=20, metavar="N", help="the last N matches (default 20)"
    )
    parser.add_argument("--after", metavar="ID", help="only entries after this stream_id")
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing new records")


def _filters(args: argparse.Namespace) -> dict[str, str]:
    names = ("action", "decision", "principal", "client")
    return {name: getattr(args, name) for name in names if getattr(args, name)}


async def _tail(store: Store, args: argparse.Namespace, out: Any) -> None:
    from lighthouse_mcp.server.shared_audit import AUDIT_STREAM, matches, record_of

    filters = _filters(args)
    after = args.after or "0"
    last: deque[dict[str, Any]] = deque(maxlen=max(0, args.last))
    while True:
        page = await store.read(AUDIT_STREAM, after=after, count=PAGE)
        if not page:
            break
        last.extend(record_of(e) for e in page if matches(e, filters))
        after = page[-1].id
    for record in last:
        print(json.dumps(record, ensure_ascii=False, sort_keys=True), file=out, flush=True)
    while args.follow:
        for entry in await store.read(AUDIT_STREAM, after=after, count=PAGE, block=5.0):
            after = entry.id
            if matches(entry, filters):
                line = json.dumps(record_of(entry), ensure_ascii=False, sort_keys=True)
                print(line, file=out, flush=True)


async def _main(url: str, args: argparse.Namespace) -> None:
    store = await open_store(url)
    try:
        await _tail(store, args, sys.stdout)
    finally:
        await store.aclose()


def run(args: argparse.Namespace) -> int:
    url = args.store or os.environ.get(ENV_STORE) or ""
    if not url or url.startswith("memory:"):
        print(
            "lighthouse-mcp audit: error: --store: the audit stream lives in a shared store; "
            f"give --store redis://host:port/db (or set {ENV_STORE}). A single server's "
            "trail is its JSON Lines file (--audit-log).",
            file=sys.stderr,
        )
        return 2
    try:
        anyio.run(_main, url, args)
    except (StoreConfigError, StoreUnavailable) as exc:
        print(f"lighthouse-mcp audit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
