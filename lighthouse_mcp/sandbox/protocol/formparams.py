"""Form-encoded parameters (GET query strings, v1 POST bodies) back into the JSON shape.

A GET request or a signature-v1 POST carries every parameter as a flat ``name=value``
string pair: arrays and structures are spelled with dotted paths (``InstanceIds.0=…``,
``Filters.0.Name=…``, ``Filters.0.Values.1=…``, the docs' ``Filter`` page shows this) and
every value is text. The handlers and the catalog checks expect what a JSON body gives,
so this module rebuilds the nesting and turns text into the type the catalog documents
for that position (``Limit=20`` -> ``20``, ``DryRun=true`` -> ``True``).

Values that do not read as their documented type are left as the text received, so the
catalog check (``params.check_body``) reports them with the action's own error code and
the same message a JSON caller gets. Only what cannot be said in JSON at all (a name
given twice, a scalar with members, an array index that is not a number, gaps in an
array) is refused here, as ``InvalidParameter`` naming the parameter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote_plus

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog import Param, Structure

from ..engine.errors import ParameterError

#: A branch of the dotted-path tree: segment -> text (a leaf) or a deeper branch.
Tree = dict[str, Any]

_INTEGER = re.compile(r"[+-]?\d+")
_INDEX = re.compile(r"0|[1-9]\d*")
_MAX_DEPTH = 8  # the deepest documented input (a structure in an array in ...) is 4


def _invalid(message: str) -> ParameterError:
    return ParameterError("InvalidParameter", message)


def parse(text: str) -> list[tuple[str, str]]:
    """``a=1&b=x%20y`` -> ``[("a", "1"), ("b", "x y")]``, strictly.

    ``+`` is a space (HTML forms, Python's ``urlencode``), ``%XX`` are UTF-8 bytes;
    empty segments (``a=1&&b=2``) are skipped. A pair without ``=`` or with an empty
    name, and bytes that are not UTF-8, are refused: a lenient reading would make the
    sandbox accept requests the service rejects.
    """
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep or not name:
            raise _invalid(f"The form parameter {part[:40]!r} is not name=value.")
        try:
            pairs.append(
                (unquote_plus(name, errors="strict"), unquote_plus(value, errors="strict"))
            )
        except UnicodeDecodeError:
            raise _invalid(f"The form parameter {name[:40]!r} is not UTF-8 once decoded.") from None
    return pairs


def _tree(pairs: Sequence[tuple[str, str]]) -> Tree:
    """Dotted names as nested dicts; a name given twice, or both as a value and as a
    parent of other names, is refused (JSON cannot say either)."""
    root: Tree = {}
    for name, value in pairs:
        segments = name.split(".")
        if len(segments) > _MAX_DEPTH or not all(segments):
            raise _invalid(f"The parameter name `{name[:80]}` is not a valid dotted path.")
        node = root
        for depth, segment in enumerate(segments[:-1]):
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                parent = ".".join(segments[: depth + 1])
                raise _invalid(f"`{parent}` is given a value and also members (`{name[:80]}`).")
            node = child
        leaf = segments[-1]
        if leaf in node:
            what = "more than once" if isinstance(node[leaf], str) else "a value and also members"
            raise _invalid(f"The parameter `{name[:80]}` is given {what}.")
        node[leaf] = value
    return root


def _scalar(text: str, kind: str) -> Any:
    """``text`` as the documented scalar ``kind``; the text itself when it is not one."""
    if kind == "Integer" and _INTEGER.fullmatch(text):
        return int(text)
    if kind in ("Float", "Double"):
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) else text
    if kind == "Boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


class _Shaper:
    """Walks the dotted-path tree alongside the catalog's description of the inputs."""

    def __init__(self, structure: Callable[[str], Structure]) -> None:
        self.structure = structure

    def members(self, node: Tree, members: Sequence[Param] | None, path: str) -> dict[str, Any]:
        by_name = {p["name"]: p for p in members or ()}
        return {
            name: (
                self.param(child, by_name[name], f"{path}{name}")
                if name in by_name
                else _untyped(child, f"{path}{name}")
            )
            for name, child in node.items()
        }

    def param(self, node: str | Tree, p: Param, path: str) -> Any:
        if not p["array"] or isinstance(node, str):
            return self.item(node, p, path)  # a lone text where an array belongs: checked later
        return [self.item(child, p, f"{path}.{i}") for i, child in enumerate(_items(node, path))]

    def item(self, node: str | Tree, p: Param, path: str) -> Any:
        kind = p["type"]
        if kind in catalog.SCALAR_TYPES:
            if isinstance(node, dict):
                first = next(iter(node))
                raise _invalid(f"`{path}` is a {kind}; it has no member `{path}.{first}`.")
            return _scalar(node, kind)
        if isinstance(node, str):
            return node  # text where a structure belongs: the catalog check names it
        try:
            struct = self.structure(kind)
        except KeyError:
            return _untyped(node, path)
        return self.members(node, struct["members"], f"{path}.")


def _items(node: Tree, path: str) -> list[str | Tree]:
    """An array branch's children in index order; indices must be 0..n-1."""
    bad = next((k for k in node if not _INDEX.fullmatch(k)), None)
    if bad is not None:
        raise _invalid(
            f"`{path}` is an array; `{path}.{bad[:40]}` is not an item index (0, 1, 2, ...)."
        )
    indices = sorted(int(k) for k in node)
    missing = next((i for i, k in enumerate(indices) if i != k), None)
    if missing is not None:
        raise _invalid(
            f"`{path}` items must be numbered from 0 without gaps; `{path}.{missing}` is missing."
        )
    return [node[str(i)] for i in indices]


def _untyped(node: str | Tree, path: str) -> Any:
    """A parameter the catalog does not describe: numbered members read as an array,
    everything else as given (the catalog check refuses unknown names)."""
    if isinstance(node, str):
        return node
    if all(_INDEX.fullmatch(k) for k in node):
        return [_untyped(child, f"{path}.{i}") for i, child in enumerate(_items(node, path))]
    return {k: _untyped(v, f"{path}.{k}") for k, v in node.items()}


def unflatten(
    pairs: Sequence[tuple[str, str]],
    inputs: Sequence[Param],
    *,
    structure: Callable[[str], Structure] = catalog.structure,
) -> dict[str, Any]:
    """The JSON-shaped body the flat ``pairs`` spell, typed by the action's ``inputs``.

    ``[("Filters.0.Name", "zone"), ("Filters.0.Values.0", "ap-guangzhou-3"),
    ("Limit", "20")]`` -> ``{"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}],
    "Limit": 20}``.
    """
    return _Shaper(structure).members(_tree(pairs), inputs, "")
