"""`lighthouse-mcp tools [serve options]`: the tool list a client would see, with each
tool's safety class and group, under the same exposure flags as the server."""

from __future__ import annotations

import argparse
import json
import sys

from lighthouse_mcp.server import config
from lighthouse_mcp.server.app import build_server


def add_arguments(parser: argparse.ArgumentParser) -> None:
    config.add_arguments(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON (name, title, class, group, annotations) instead of a table",
    )


def run(args: argparse.Namespace) -> int:
    try:
        settings = config.settings_from_args(args)
        server = build_server(settings)
    except config.ConfigError as exc:
        print(f"lighthouse-mcp: error: {exc}", file=sys.stderr)
        return 2
    specs = list(server.registry.tools.values())
    if args.json:
        rows = [
            {
                "name": s.name,
                "title": s.title,
                "class": s.safety,
                "group": s.group,
                "annotations": s.annotations.model_dump(by_alias=True, exclude_none=True),
            }
            for s in specs
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max((len(s.name) for s in specs), default=4)
    print(f"{'TOOL':<{width}}  {'CLASS':<11}  {'GROUP':<11}  TITLE")
    for s in specs:
        print(f"{s.name:<{width}}  {s.safety or '-':<11}  {s.group or '-':<11}  {s.title}")
    print(f"{len(specs)} tools", file=sys.stderr)
    return 0
