"""Build lighthouse_mcp/catalog/lighthouse-2020-03-24.json from the PDF-extracted API docs.

The docs text is the only source of truth for the 108 actions, so the catalog is generated,
never hand-edited: rerun this script when the docs change. Parsing happens in three passes
(see ``catalog_parse``): drop the page furniture, cut the text into sections, read each table.
The output is deterministic (sorted keys, fixed indentation) so a test can regenerate it and
compare bytes with the committed file.

    uv run python scripts/build_catalog.py [--docs PATH] [--out PATH] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_parse.assemble import build_catalog

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = REPO.parent / "shared" / "lighthouse-api-docs.txt"
DEFAULT_OUT = REPO / "lighthouse_mcp" / "catalog" / "lighthouse-2020-03-24.json"


def render(docs_text: str) -> str:
    """The catalog JSON text for a docs text: the one serialisation every caller shares."""
    catalog = build_catalog(docs_text, hashlib.sha256(docs_text.encode("utf-8")).hexdigest())
    return json.dumps(catalog, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="docs text file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="catalog JSON to write")
    parser.add_argument(
        "--check", action="store_true", help="only compare with --out; exit 1 if it differs"
    )
    args = parser.parse_args(argv)
    try:
        docs_text = args.docs.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"cannot read the docs text {args.docs}: {exc.strerror}", file=sys.stderr)
        return 2
    text = render(docs_text)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: rerun scripts/build_catalog.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    data = json.loads(text)
    print(
        f"wrote {args.out}: {len(data['actions'])} actions, "
        f"{len(data['structures'])} structures, {len(data['regions'])} regions"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
