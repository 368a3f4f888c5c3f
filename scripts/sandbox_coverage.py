"""Write sandbox/COVERAGE.md (or, with --check, fail if it is out of date)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lighthouse_mcp.sandbox.coverage import render

TARGET = Path(__file__).resolve().parent.parent / "lighthouse_mcp" / "sandbox" / "COVERAGE.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(
                f"{TARGET} is out of date; run: uv run python scripts/sandbox_coverage.py",
                file=sys.stderr,
            )
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
