"""The package's layers import downward only (the order in ``lighthouse_mcp/__init__.py``).

The catalog data is the one thing every layer shares; the sandbox also borrows the pure
signing functions so that it checks signatures exactly as the client makes them. Every
import counts, including those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import pytest

from tests.support.imports import REPO, imports, python_files

PACKAGE = REPO / "lighthouse_mcp"

#: layer -> what it may import of lighthouse_mcp (subpackages or modules, by dotted name
#: below lighthouse_mcp); None: anything.
MAY_IMPORT: dict[str, frozenset[str] | None] = {
    "catalog": frozenset({"catalog"}),
    "store": frozenset({"store"}),
    "client": frozenset({"catalog", "client", "store"}),
    "sandbox": frozenset({"catalog", "client.signing", "sandbox"}),
    "tools": frozenset({"catalog", "client", "tools"}),
    "prompts": frozenset({"catalog", "prompts", "tools"}),
    "server": None,
}


def _allowed(target: str, allowed: frozenset[str]) -> bool:
    return any(target == a or target.startswith(f"{a}.") for a in allowed)


def test_every_subpackage_has_a_layer() -> None:
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(MAY_IMPORT)
    assert [p.name for p in PACKAGE.glob("*.py")] == ["__init__.py"]


def test_the_package_root_imports_nothing() -> None:
    """``import lighthouse_mcp.catalog`` must not load the other layers on the way."""
    assert imports(PACKAGE / "__init__.py") == []


@pytest.mark.parametrize("layer", [name for name, rule in MAY_IMPORT.items() if rule is not None])
def test_layer_imports_only_what_is_below_it(layer: str) -> None:
    allowed = MAY_IMPORT[layer]
    assert allowed is not None
    upward = [
        str(found)
        for path in python_files(PACKAGE / layer)
        for found in imports(path)
        if found.module.split(".")[0] == "lighthouse_mcp"
        and not _allowed(found.module.removeprefix("lighthouse_mcp."), allowed)
    ]
    assert upward == [], "\n".join(upward)


def test_the_server_is_seen_using_every_layer_below_it() -> None:
    """The import reader is not blind: the top layer's imports reach every other layer."""
    used = {
        found.module.split(".")[1]
        for path in python_files(PACKAGE / "server")
        for found in imports(path)
        if found.module.startswith("lighthouse_mcp.")
    }
    assert used == set(MAY_IMPORT)
