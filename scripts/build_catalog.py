"""Build a service's catalog JSON from its vendored machine-readable spec.

The spec (specs/<service>/<version>/api.json and examples.json, copied from Tencent's
tccli package; see specs/NOTICE) is the source of every action, parameter, description
and example. For Lighthouse the documentation text adds what the spec lacks: per-action
error codes, rate limits, groups, the actions without a Region, the endpoint and region
tables (see ``catalog_spec.build``). The catalog is generated, never hand-edited; the
output is deterministic (sorted keys, fixed indentation) so a test can regenerate it and
compare bytes with the committed file.

    uv run python scripts/build_catalog.py [--service lighthouse] [--specs DIR]
        [--docs PATH] [--out PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_spec.build import SERVICES, Service, build, sha256

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = REPO / "specs"
#: ../shared/ next to the checkout (a worktree under ../wt/<name> looks one level up).
DEFAULT_DOCS = (
    next(
        (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
    / "lighthouse-api-docs.txt"
)
CATALOG_DIR = REPO / "lighthouse_mcp" / "catalog"
#: Services whose documentation text supplies the facts the spec lacks.
DOCUMENTED = frozenset({"lighthouse"})


def render(service: Service, specs: Path, docs_text: str | None) -> str:
    """The catalog JSON text: the one serialisation every caller shares."""
    folder = specs / service.folder
    api_text = (folder / "api.json").read_text(encoding="utf-8")
    examples_text = (folder / "examples.json").read_text(encoding="utf-8")
    source = json.loads((specs / "SOURCE.json").read_text(encoding="utf-8"))
    package = {"package": source["package"], "version": source["version"]}
    texts = [api_text, examples_text] + ([docs_text] if docs_text is not None else [])
    catalog = build(
        service,
        json.loads(api_text),
        json.loads(examples_text),
        package,
        docs_text,
        sha256(*texts),
    )
    return json.dumps(catalog, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--service", choices=sorted(SERVICES), default="lighthouse")
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="vendored specs")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="docs text file")
    parser.add_argument("--out", type=Path, help="catalog JSON to write")
    parser.add_argument(
        "--check", action="store_true", help="only compare with --out; exit 1 if it differs"
    )
    args = parser.parse_args(argv)
    service = SERVICES[args.service]
    out: Path = args.out or CATALOG_DIR / service.catalog_file
    docs_text = None
    if service.name in DOCUMENTED:
        try:
            docs_text = args.docs.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"cannot read the docs text {args.docs}: {exc.strerror}", file=sys.stderr)
            return 2
    try:
        text = render(service, args.specs, docs_text)
    except OSError as exc:
        print(f"cannot read the spec of {service.name}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is stale: rerun scripts/build_catalog.py", file=sys.stderr)
            return 1
        print(f"{out} is up to date")
        return 0
    out.write_text(text, encoding="utf-8")
    data = json.loads(text)
    print(
        f"wrote {out}: {len(data['actions'])} actions, "
        f"{len(data['structures'])} structures, {len(data['regions'])} regions"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
