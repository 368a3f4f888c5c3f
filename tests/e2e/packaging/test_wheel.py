"""The wheel users install: built from a copy of the checkout, then read member by member.

It must carry every module and data file of ``lighthouse_mcp`` (the catalog JSON, the
prompt texts, ``py.typed``), the LICENSE in its dist-info with the SPDX license expression
in its metadata, and nothing at the top level but ``lighthouse_mcp`` (the checkout's
``server``/``tools``/``prompts`` links exist for readers, not for installs).

The wheel is built with uv when it is on PATH, otherwise with this interpreter's pip; the
build backend (setuptools, see pyproject's ``[build-system]``) comes from PyPI unless this
environment already has a new enough one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "lighthouse_mcp"
#: Names the checkout has at its top level that no install may create.
NOT_TOP_LEVEL = {"server", "tools", "client", "sandbox", "prompts", "catalog", "tests"}
#: Checkout content that is not source: virtualenvs, caches, earlier builds.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", "*_cache", ".hypothesis", "build", "dist", "*.egg-info"
)


def _has_setuptools_77() -> bool:
    try:
        major = int(version("setuptools").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return False
    return major >= 77


def _build_command(source: Path, out: Path) -> list[str]:
    uv = shutil.which("uv")
    if uv is not None:
        return [uv, "build", "--wheel", "--out-dir", str(out), str(source)]
    assert find_spec("pip") is not None, "neither uv nor pip is available to build the wheel"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out)]
    if _has_setuptools_77():
        command.append("--no-build-isolation")
    return [*command, str(source)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    scratch = tmp_path_factory.mktemp("wheel")
    # A copy, so the build's own files (build/, *.egg-info) never land in the checkout.
    source = scratch / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=_NOT_SOURCE)
    out = scratch / "dist"
    done = subprocess.run(
        _build_command(source, out), capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (built,) = out.glob("*.whl")
    return zipfile.ZipFile(built)


def _dist_info(wheel: zipfile.ZipFile) -> str:
    (folder,) = {n.split("/", 1)[0] for n in wheel.namelist() if ".dist-info/" in n}
    return folder


@pytest.mark.slow
def test_wheel_ships_every_module_and_data_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    # The prompt texts are the Markdown the code reads; other .md files are docs.
    shipped = [
        *PACKAGE.rglob("*.py"),
        *PACKAGE.rglob("*.json"),
        *PACKAGE.glob("prompts/*.md"),
        PACKAGE / "py.typed",
    ]
    wanted = {
        path.relative_to(REPO).as_posix() for path in shipped if "__pycache__" not in path.parts
    }
    assert {n for n in wanted if n.startswith("lighthouse_mcp/catalog/") and n.endswith(".json")}
    assert sorted(wanted - names) == []


@pytest.mark.slow
def test_wheel_installs_nothing_at_the_top_level_but_the_package(wheel: zipfile.ZipFile) -> None:
    top = {n.split("/", 1)[0] for n in wheel.namelist()}
    assert top == {"lighthouse_mcp", _dist_info(wheel)}
    assert not NOT_TOP_LEVEL & top


@pytest.mark.slow
def test_wheel_carries_the_license_and_its_spdx_expression(wheel: zipfile.ZipFile) -> None:
    dist_info = _dist_info(wheel)
    shipped = wheel.read(f"{dist_info}/licenses/LICENSE").decode("utf-8")
    assert shipped == (REPO / "LICENSE").read_text(encoding="utf-8")
    metadata = HeaderParser().parsestr(wheel.read(f"{dist_info}/METADATA").decode("utf-8"))
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Name"] == "tencent-lighthouse-mcp"
