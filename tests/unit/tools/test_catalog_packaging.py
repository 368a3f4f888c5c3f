"""The catalog JSON ships inside the package, and nothing installs a top-level `server`/`tools`.

The fast test reads the packaging configuration; the slow one builds the wheel (offline,
from uv's cache) and looks inside it, which is what users actually install.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from lighthouse_mcp.catalog import CATALOG_FILE

REPO = Path(__file__).resolve().parents[3]
CATALOG_MEMBER = f"lighthouse_mcp/catalog/{CATALOG_FILE}"


def test_packaging_config_maps_everything_under_lighthouse_mcp() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert setuptools["packages"]["find"]["include"] == ["lighthouse_mcp*"]
    assert "*.json" in setuptools["package-data"]["lighthouse_mcp.catalog"]
    assert (REPO / "lighthouse_mcp" / "catalog" / CATALOG_FILE).is_file()


@pytest.mark.slow
def test_built_wheel_contains_the_catalog(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH, cannot build the wheel")
    done = subprocess.run(
        # sdist then wheel from it: the wheel is built in a scratch copy, not in REPO/build.
        [uv, "build", "--offline", "--out-dir", str(tmp_path), str(REPO)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0 and "offline" in done.stderr.lower():
        pytest.skip("the build backend is not in uv's cache and the test stays offline")
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert CATALOG_MEMBER in names
    top_level = {n.split("/", 1)[0] for n in names}
    assert not {"server", "tools", "client", "sandbox", "prompts"} & top_level
    assert "lighthouse_mcp" in top_level
