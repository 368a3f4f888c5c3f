"""Estimated model tokens of the tool list, beside Tencent's official Lighthouse MCP server.

What a model pays for on every turn is the tool list: name, description and inputSchema
of each tool (DESIGN.md: compact JSON, ``ceil(ASCII/4) + non-ASCII``). The anchor is
Tencent's own Lighthouse MCP server: 57 tools at about 208 estimated tokens per tool; our
target is at most 200 per tool on average with every action exposed.

    uv run python bench/bench_tool_list_size.py            # full mode, en and zh
    uv run python bench/bench_tool_list_size.py --compact  # also the served compact mode
    uv run python bench/bench_tool_list_size.py --top 10   # the biggest tools
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import parse_settings
from lighthouse_mcp.tools.definitions import tool_definitions
from lighthouse_mcp.tools.schema import Lang
from lighthouse_mcp.tools.tokens import tool_tokens

ANCHOR_NAME = "Tencent official Lighthouse MCP"
ANCHOR_TOOLS = 57
ANCHOR_PER_TOOL = 208
COMPACT_TARGET_TOTAL = 1500
TARGET_PER_TOOL = 200


def _row(label: str, sizes: Sequence[int], biggest: str) -> str:
    total = sum(sizes)
    avg = total / len(sizes) if sizes else 0.0
    ratio = avg / ANCHOR_PER_TOOL
    return (
        f"{label:<34} {len(sizes):>5} {total:>8} {avg:>8.1f} {max(sizes, default=0):>6} "
        f"{ratio:>7.2f}  {biggest}"
    )


def full_mode(lang: Lang, default_region: str | None) -> list[tuple[str, int]]:
    """(tool name, estimated tokens) for every catalog action as a direct tool."""
    return [
        (t["name"], tool_tokens(t))
        for t in tool_definitions(lang=lang, default_region=default_region)
    ]


def served(flags: Sequence[str]) -> list[tuple[str, int]] | None:
    """The tools as the assembled server lists them (server arguments included), or None
    when the server cannot be built with these flags."""
    try:
        server: Any = build_server(parse_settings(list(flags)))
        tools = [spec.to_mcp() for spec in server.registry.tools.values()]
    except Exception as exc:  # the server's internals are not this bench's contract
        print(
            f"(server {' '.join(flags)} not measurable: {type(exc).__name__}: {exc})",
            file=sys.stderr,
        )
        return None
    return [(t.name, tool_tokens(t)) for t in tools]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--compact", action="store_true", help="also measure compact mode")
    parser.add_argument(
        "--region",
        default="ap-guangzhou",
        help="default region advertised in schemas (default ap-guangzhou)",
    )
    parser.add_argument("--top", type=int, default=5, help="list the N biggest tools")
    args = parser.parse_args(argv)

    print(
        f"{'mode':<34} {'tools':>5} {'total':>8} {'avg':>8} {'max':>6} {'÷anchor':>7}  biggest tool"
    )
    anchor = [ANCHOR_PER_TOOL] * ANCHOR_TOOLS
    print(_row(f"anchor: {ANCHOR_NAME}", anchor, "(published figure)"))
    results: dict[str, list[tuple[str, int]]] = {}
    for lang in ("en", "zh"):
        sized = full_mode(lang, args.region)
        results[lang] = sized
        name, biggest = max(sized, key=lambda item: item[1])
        print(_row(f"full ({lang})", [s for _, s in sized], f"{name} ({biggest})"))
    # What a model sees is the served list (with wait_for, confirm_token, all_pages): the
    # targets are judged on it; the bare catalog definitions are shown for comparison.
    modes = [
        (f"served: full ({lang})", ["--lang", lang, "--region", args.region])
        for lang in ("en", "zh")
    ]
    if args.compact:
        modes.append(("served: --compact (en)", ["--compact", "--lang", "en"]))
    verdicts: list[str] = []
    for label, flags in modes:
        listed = served(flags)
        if listed is None:
            print(f"{label:<34} (not available in this checkout)")
            continue
        name, biggest = max(listed, key=lambda item: item[1])
        print(_row(label, [s for _, s in listed], f"{name} ({biggest})"))
        sizes = [s for _, s in listed]
        if "--compact" in flags:
            total = sum(sizes)
            verdict = "within" if total <= COMPACT_TARGET_TOTAL else "OVER"
            verdicts.append(
                f"target <= {COMPACT_TARGET_TOTAL} in total, {label}: {total} -> {verdict}"
            )
        else:
            avg = sum(sizes) / len(sizes)
            verdict = "within" if avg <= TARGET_PER_TOOL else "OVER"
            verdicts.append(
                f"target <= {TARGET_PER_TOOL} per tool, {label}: {avg:.1f} -> {verdict}"
            )
    print()
    for line in verdicts:
        print(line)
    en = results["en"]
    if args.top:
        print(f"\nbiggest {args.top} tools (en):")
        for name, size in sorted(en, key=lambda item: -item[1])[: args.top]:
            print(f"  {size:>5}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
