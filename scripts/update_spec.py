"""Fetch the newest tccli from PyPI, compare its API specs with the vendored ones, report.

Tencent publishes the machine-readable spec of each service in the tccli package
(tccli/services/<service>/<version>/api.json and examples.json). This script downloads
the newest release with pip into a temporary folder (or reads a wheel given with
``--wheel``), prints what changed against specs/ — actions, input parameters, structure
members and filter names added or removed — and with ``--write`` vendors the new files
and records the version in specs/SOURCE.json. Drift is reported, never an error: the
exit status is 0 whether or not anything changed, 2 only when nothing could be compared.
After ``--write``, rebuild the catalogs (scripts/build_catalog.py) and run the tests.

    uv run python scripts/update_spec.py [--wheel PATH] [--write]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_spec import spec

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
PACKAGE = "tccli"


@dataclass
class Drift:
    """What changed in one service's spec, as printable lines."""

    folder: str
    lines: list[str] = field(default_factory=list)

    def add(self, kind: str, where: str, names: AbstractSet[str]) -> None:
        self.lines += [f"  {kind} {where}{name}" for name in sorted(names)]

    def add_changes(
        self, label: str, where: str, before: AbstractSet[str], after: AbstractSet[str]
    ) -> None:
        self.add(f"+ {label}", where, after - before)
        self.add(f"- {label}", where, before - after)


def _inputs(api: dict[str, Any], action: str) -> set[str]:
    members = api["objects"][api["actions"][action]["input"]]["members"]
    return {m["name"] for m in members if not m.get("disabled")}


def _outputs(api: dict[str, Any], action: str) -> set[str]:
    members = api["objects"][api["actions"][action]["output"]]["members"]
    return {m["name"] for m in members if not m.get("disabled")}


def _members(api: dict[str, Any], name: str) -> set[str]:
    return {m["name"] for m in api["objects"][name]["members"] if not m.get("disabled")}


def _filters(api: dict[str, Any]) -> dict[str, set[str]]:
    """Each action's documented filter names (read as the generator reads them)."""
    structs = spec.structures(api)
    out: dict[str, set[str]] = {}
    for action in api["actions"]:
        found = spec.action(api, action, [], structs).get("filters")
        out[action] = {f["name"] for f in found["filters"]} if found else set()
    return out


def compare(folder: str, old: dict[str, Any], new: dict[str, Any]) -> Drift:
    """Actions, parameters, structure members and filters added (+) or removed (-)."""
    drift = Drift(folder)
    old_actions, new_actions = set(old["actions"]), set(new["actions"])
    drift.add("+ action", "", new_actions - old_actions)
    drift.add("- action", "", old_actions - new_actions)
    old_filters, new_filters = _filters(old), _filters(new)
    for name in sorted(old_actions & new_actions):
        drift.add_changes("parameter", f"{name}.", _inputs(old, name), _inputs(new, name))
        drift.add_changes("output", f"{name}.", _outputs(old, name), _outputs(new, name))
        drift.add_changes("filter", f"{name}:", old_filters[name], new_filters[name])
    old_structs, new_structs = spec.structure_names(old), spec.structure_names(new)
    drift.add("+ structure", "", new_structs - old_structs)
    drift.add("- structure", "", old_structs - new_structs)
    for name in sorted(old_structs & new_structs):
        drift.add_changes("member", f"{name}.", _members(old, name), _members(new, name))
    return drift


def download(target: Path) -> Path:
    """The newest tccli wheel, fetched with pip (no dependencies) into ``target``."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--quiet",
        "-d",
        str(target),
        PACKAGE,
    ]
    try:
        subprocess.run(command, check=True)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run(["pip", *command[3:]], check=True)  # a venv without pip (uv)
    wheels = sorted(target.glob(f"{PACKAGE}-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"pip left no {PACKAGE} wheel in {target}")
    return wheels[-1]


def wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a tccli wheel to compare (no download)")
    parser.add_argument("--specs", type=Path, default=SPECS, help="the vendored specs")
    parser.add_argument("--write", action="store_true", help="vendor the new spec files")
    args = parser.parse_args(argv)
    source_file = args.specs / "SOURCE.json"
    source = json.loads(source_file.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            wheel = args.wheel or download(Path(tmp))
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"cannot fetch {PACKAGE} from PyPI: {exc}", file=sys.stderr)
            return 2
        version = wheel_version(wheel)
        print(f"vendored {PACKAGE} {source['version']}, newest {version}")
        folders = sorted({str(Path(f).parent) for f in source["files"]})
        with zipfile.ZipFile(wheel) as archive:
            fresh = {
                f: archive.read(f"{PACKAGE}/services/{f}").decode("utf-8") for f in source["files"]
            }
        changed = False
        for folder in folders:
            old = json.loads((args.specs / folder / "api.json").read_text(encoding="utf-8"))
            new = json.loads(fresh[f"{folder}/api.json"])
            drift = compare(folder, old, new)
            examples_differ = fresh[f"{folder}/examples.json"] != (
                args.specs / folder / "examples.json"
            ).read_text(encoding="utf-8")
            files_differ = examples_differ or fresh[f"{folder}/api.json"] != (
                args.specs / folder / "api.json"
            ).read_text(encoding="utf-8")
            changed |= files_differ
            summary = (
                f"{len(drift.lines)} change(s)"
                if drift.lines
                else ("texts or examples changed" if files_differ else "unchanged")
            )
            print(f"{folder}: {summary}")
            for line in drift.lines:
                print(line)
        if args.write and (changed or version != source["version"]):
            for name, text in fresh.items():
                (args.specs / name).write_text(text, encoding="utf-8")
            source["version"] = version
            source_file.write_text(
                json.dumps(source, indent=1, sort_keys=True) + "\n", encoding="utf-8"
            )
            print(
                f"vendored {PACKAGE} {version}; now run scripts/build_catalog.py "
                "for each service and the tests"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
