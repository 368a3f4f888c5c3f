"""The package's upper layers import downward only: catalog <- client <- tools <- server.

Nothing outside ``server/`` imports the server, ``tools/`` and ``prompts/`` know nothing
of the server or the sandbox, and inside the server only the CLI (and ``python -m``)
imports ``server.cli``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lighthouse_mcp

ROOT = Path(lighthouse_mcp.__file__).parent


def imported_modules(source: str) -> set[str]:
    """Every absolute ``lighthouse_mcp.*`` module ``source`` imports (anywhere in it)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("lighthouse_mcp")}


def _offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    wrong: dict[str, list[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = sorted(
            m for m in imported_modules(path.read_text(encoding="utf-8")) if m.startswith(forbidden)
        )
        if bad:
            wrong[str(path.relative_to(ROOT))] = bad
    return wrong


@pytest.mark.parametrize("package", ["catalog", "client", "tools", "prompts", "sandbox"])
def test_nothing_below_the_server_imports_it(package: str) -> None:
    assert not _offenders(package, ("lighthouse_mcp.server",))


@pytest.mark.parametrize("package", ["catalog", "client", "tools", "prompts"])
def test_the_product_layers_do_not_import_the_sandbox(package: str) -> None:
    assert not _offenders(package, ("lighthouse_mcp.sandbox",))


def test_only_the_cli_imports_the_cli() -> None:
    entry_points = ("server/cli/", "server/__main__.py")
    wrong = {
        name: mods
        for name, mods in _offenders("server", ("lighthouse_mcp.server.cli",)).items()
        if not name.startswith(entry_points)
    }
    assert not wrong


def test_the_check_sees_imports_at_any_depth() -> None:
    source = (
        "import lighthouse_mcp.server.app\ndef f():\n    from lighthouse_mcp.tools import waits\n"
    )
    assert imported_modules(source) >= {"lighthouse_mcp.server.app", "lighthouse_mcp.tools.waits"}
