"""What a source file imports, read with ``ast`` (nothing is executed).

Every ``import`` and ``from ... import`` counts, wherever it sits: at the top, inside a
function, under ``if TYPE_CHECKING``. Relative imports are resolved against the file's
own package, and ``from package import name`` names the submodule when ``name`` is one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Import:
    """One imported module: ``module`` is absolute and dotted; ``line`` is where it is."""

    path: Path
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line} imports {self.module}"


def module_name(path: Path) -> str:
    """``lighthouse_mcp/client/client.py`` -> ``lighthouse_mcp.client.client``."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or package of this checkout."""
    base = REPO.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve(path: Path, level: int, module: str | None) -> str:
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    if level > 1:
        package = package[: len(package) - (level - 1)]
    return ".".join([*package, *([module] if module else [])])


def imports(path: Path) -> list[Import]:
    """Every module ``path`` imports, in source order."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(path, node.level, node.module) if node.level else node.module
            assert base is not None  # `from . import x` has a level
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append(Import(path, node.lineno, sub if _is_module(sub) else base))
    return sorted(found, key=lambda i: i.line)


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
