"""The sandbox's layers import downward only: protocol and families use the engine, not
each other, and nothing below ``service.py`` imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lighthouse_mcp.sandbox as sandbox_pkg

ROOT = Path(sandbox_pkg.__file__).parent

#: layer -> the sandbox layers it may import (besides itself).
ALLOWED = {
    "engine": set(),
    "protocol": {"engine"},
    "families": {"engine"},
}


def _sandbox_imports(source: str, package: tuple[str, ...]) -> set[str]:
    """The first component under ``lighthouse_mcp.sandbox`` of every import in ``source``,
    a module of the sandbox subpackage ``package`` (``("engine",)``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                parts = base + (node.module.split(".") if node.module else [])
                if not parts:  # "from . import x" at the top of the sandbox
                    parts = [alias.name for alias in node.names]
                found.update(parts[:1])
            elif node.module and node.module.startswith("lighthouse_mcp.sandbox."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("lighthouse_mcp.sandbox."):
                    found.add(alias.name.split(".")[2])
    return found


def _imports_of(path: Path) -> set[str]:
    package = path.relative_to(ROOT).parts[:-1]
    return _sandbox_imports(path.read_text(encoding="utf-8"), package)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_below(layer: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(imports - ALLOWED[layer] - {layer})
        for path in sorted((ROOT / layer).glob("*.py"))
        if (imports := _imports_of(path)) - ALLOWED[layer] - {layer}
    }
    assert not wrong, f"{layer}/ imports from a layer above or beside it: {wrong}"


def test_the_check_sees_upward_imports() -> None:
    engine = ("engine",)
    assert _sandbox_imports("from ..service import Sandbox", engine) == {"service"}
    assert _sandbox_imports("from ..families import instances", engine) == {"families"}
    assert _sandbox_imports("from .. import service", engine) == {"service"}
    assert _sandbox_imports("import lighthouse_mcp.sandbox.protocol.app", engine) == {"protocol"}
    assert _sandbox_imports("from .state import World", engine) == {"engine"}
    assert _imports_of(ROOT / "families" / "instances.py") >= {"engine", "families"}
