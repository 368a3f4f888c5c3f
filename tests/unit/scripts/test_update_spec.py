"""scripts/update_spec.py: drift between two specs is listed, printed, and never an error;
--write vendors the new release. Runs offline on a wheel built from the vendored files."""

from __future__ import annotations

import copy
import json
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))

from update_spec import compare, main

SPECS = Path(__file__).resolve().parents[3] / "specs"
FOLDER = "lighthouse/v20200324"


def _api() -> dict[str, Any]:
    api: dict[str, Any] = json.loads((SPECS / FOLDER / "api.json").read_text(encoding="utf-8"))
    return api


def _newer(api: dict[str, Any]) -> dict[str, Any]:
    """A next release: one action, one parameter, one member, one filter more; one less."""
    new = copy.deepcopy(api)
    new["actions"]["DescribeFuture"] = {
        **api["actions"]["DescribeZones"],
        "input": "DescribeZonesRequest",
    }
    del new["actions"]["DescribeAllScenes"]
    del new["objects"]["DescribeAllScenesRequest"], new["objects"]["DescribeAllScenesResponse"]
    new["objects"]["StopInstancesRequest"]["members"].append(
        {"name": "Force", "type": "bool", "member": "bool", "document": "强制。", "required": False}
    )
    new["objects"]["Bundle"]["members"].append(
        {"name": "Shiny", "type": "bool", "member": "bool", "document": "新。"}
    )
    filters = next(
        m for m in new["objects"]["DescribeInstancesRequest"]["members"] if m["name"] == "Filters"
    )
    filters["document"] = filters["document"].replace(
        "<li>bundle-id</li>",
        "<li>os-name</li>按照【系统】进行过滤。\n类型：String\n必选：否\n<li>bundle-id</li>",
    )
    return new


def test_compare_names_every_kind_of_change() -> None:
    api = _api()
    assert compare(FOLDER, api, api).lines == []
    lines = compare(FOLDER, api, _newer(api)).lines
    assert lines == [
        "  + action DescribeFuture",
        "  - action DescribeAllScenes",
        "  + filter DescribeInstances:os-name",
        "  + parameter StopInstances.Force",
        "  + member Bundle.Shiny",
    ]


def _wheel(tmp: Path, api: dict[str, Any], version: str) -> Path:
    wheel = tmp / f"tccli-{version}-py2.py3-none-any.whl"
    source = json.loads((SPECS / "SOURCE.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in source["files"]:
            text = (SPECS / name).read_text(encoding="utf-8")
            if name == f"{FOLDER}/api.json":
                text = json.dumps(api, ensure_ascii=False)
            archive.writestr(f"tccli/services/{name}", text)
    return wheel


def test_drift_is_reported_without_failing_and_written_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    wheel = _wheel(tmp_path, _newer(_api()), "9.9.9")
    assert main(["--wheel", str(wheel), "--specs", str(specs)]) == 0
    out = capsys.readouterr().out
    assert "newest 9.9.9" in out and f"{FOLDER}: 5 change(s)" in out
    assert "  + parameter StopInstances.Force" in out and "tat/v20201028: unchanged" in out
    assert json.loads((specs / "SOURCE.json").read_text())["version"] != "9.9.9"
    assert main(["--wheel", str(wheel), "--specs", str(specs), "--write"]) == 0
    assert json.loads((specs / "SOURCE.json").read_text())["version"] == "9.9.9"
    assert "DescribeFuture" in json.loads((specs / FOLDER / "api.json").read_text())["actions"]
    assert main(["--wheel", str(wheel), "--specs", str(specs)]) == 0
    assert f"{FOLDER}: unchanged" in capsys.readouterr().out
