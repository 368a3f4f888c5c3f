"""Every third-party package the code imports is declared in pyproject.toml.

The package may import only ``[project.dependencies]``; the tests, scripts and benchmarks
may also import the ``test`` extra. A package that arrives only as another one's
dependency (starlette with mcp, say) works until that other package drops it, so it is
declared too. Imports are read with ``ast`` and mapped to their distributions with
``importlib.metadata.packages_distributions()``.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest

from tests.support.imports import REPO, Import, imports, python_files

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
#: Top-level names that are this checkout's own code: its folders (relative imports read
#: as ``scripts.catalog_parse...``), and the scripts and benchmarks, which import their
#: neighbours from their own folder.
LOCAL = {"lighthouse_mcp", "tests", "scripts", "bench"} | {
    path.stem
    for folder in ("scripts", "bench")
    for path in (REPO / folder).iterdir()
    if path.suffix == ".py" or (path / "__init__.py").is_file()
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*extras: str) -> set[str]:
    """Distribution names (canonical) of the dependencies and the given extras."""
    project = PYPROJECT["project"]
    requirements = [*project["dependencies"]]
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    names = {re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r) for r in requirements}
    return {_canonical(m.group()) for m in names if m}


def _undeclared(found: list[Import], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    wrong = []
    for imported in found:
        top = imported.module.split(".")[0]
        if top in sys.stdlib_module_names or top in LOCAL:
            continue
        owners = {_canonical(d) for d in distributions.get(top, [])}
        if not owners & declared:
            wrong.append(f"{imported} (from {sorted(owners) or 'no installed distribution'})")
    return wrong


#: Modules of the package that may import an optional extra: each is imported only when
#: the feature is asked for (``--store redis://`` for the ``shared`` extra).
OPTIONAL = {REPO / "lighthouse_mcp" / "store" / "redis_store.py": "shared"}


def test_the_package_imports_only_its_dependencies() -> None:
    found = [
        i
        for path in python_files(REPO / "lighthouse_mcp")
        if path not in OPTIONAL
        for i in imports(path)
    ]
    wrong = _undeclared(found, _declared())
    assert wrong == [], "\n".join(wrong)


def test_optional_modules_import_only_their_extra() -> None:
    for path, extra in OPTIONAL.items():
        wrong = _undeclared(imports(path), _declared(extra))
        assert wrong == [], "\n".join(wrong)


def test_nothing_else_imports_an_optional_module_at_the_top() -> None:
    """``lighthouse_mcp.store.redis_store`` is loaded only when a redis:// URL is opened
    (store/open.py imports it inside a function), so the default install starts."""
    import subprocess

    code = "import lighthouse_mcp.server.app, sys; print('redis' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize("folder", ["tests", "scripts", "bench"])
def test_tests_scripts_and_benchmarks_import_only_declared_packages(folder: str) -> None:
    found = [i for path in python_files(REPO / folder) for i in imports(path)]
    wrong = _undeclared(found, _declared("test"))
    assert wrong == [], "\n".join(wrong)


def test_an_undeclared_import_is_caught() -> None:
    """The check itself: a transitive-only package and an unknown one are both refused."""
    here = REPO / "tests" / "unit" / "test_declared_imports.py"
    fake = [Import(here, 1, "sse_starlette.sse"), Import(here, 2, "no_such_package_x")]
    assert len(_undeclared(fake, _declared("test"))) == 2
    assert _undeclared([Import(here, 3, "mcp.types")], _declared()) == []
