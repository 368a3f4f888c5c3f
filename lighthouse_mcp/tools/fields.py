"""``fields``: keep only the named members of a Response, structure preserved.

A path names members from the Response down, dot-separated; arrays are stepped through
without an index (``InstanceSet.InstanceId`` keeps the ``InstanceId`` of every element
of ``InstanceSet``). Paths are checked against the action's outputSchema before the call
is sent, so a misspelt path costs nothing and is answered with the member it most
likely meant. The same paths cut the outputSchema, so the tool can still promise what
the projected structuredContent holds.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JSONSchema = dict[str, Any]
#: A parsed set of paths: member -> the paths below it, or None for "the whole member".
FieldTree = dict[str, "FieldTree | None"]

#: The server-added argument's name (lower snake_case, like every server argument).
FIELDS = "fields"
#: Members kept whatever ``fields`` says: what support asks for, and the server's own
#: markers (whole-list paging, truncation) that say how to continue.
ALWAYS_KEPT = ("RequestId", "Paging", "_truncated", "Next")


@dataclass(frozen=True)
class FieldProblem:
    """One path that names no member: which, what was expected there, how to fix it."""

    path: str
    message: str
    expected: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}; expected {self.expected}. {self.fix}"


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    while isinstance(ref, str) and ref.startswith("#/$defs/"):
        node = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        ref = node.get("$ref")
    return node


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return {"object"} if "properties" in node else set()


def _element(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node`` with arrays stepped through (an array of arrays too)."""
    node = _resolve(node, root)
    while "array" in _types(node) and isinstance(node.get("items"), Mapping):
        node = _resolve(node["items"], root)
    return node


def _members(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The documented members of an object node, or None when it has none to name
    (a scalar, or an open object the docs leave undescribed)."""
    node = _element(node, root)
    props = node.get("properties")
    return props if isinstance(props, Mapping) else None


def all_paths(schema: Mapping[str, Any]) -> list[str]:
    """Every path ``fields`` accepts for ``schema``, parents before children."""
    out: list[str] = []

    def walk(node: Mapping[str, Any], prefix: str, seen: frozenset[str]) -> None:
        members = _members(node, schema)
        for name, sub in (members or {}).items():
            path = f"{prefix}{name}"
            out.append(path)
            ref = sub.get("$ref") if isinstance(sub, Mapping) else None
            if isinstance(ref, str) and ref in seen:
                continue  # a structure that contains itself: stop at one level
            walk(sub, path + ".", seen | {ref} if isinstance(ref, str) else seen)

    walk(schema, "", frozenset())
    return out


def _suggest(path: str, known: Sequence[str]) -> str | None:
    lowered = {p.lower(): p for p in known}
    if path.lower() in lowered:
        return lowered[path.lower()]
    close = difflib.get_close_matches(path, known, n=1, cutoff=0.6)
    if close:
        return close[0]
    last = path.rsplit(".", 1)[-1].lower()  # the right member under another parent
    ends = [p for p in known if p.lower().rsplit(".", 1)[-1] == last]
    return ends[0] if len(ends) == 1 else None


def _listing(names: Iterable[str], limit: int = 12) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


def check_fields(schema: Mapping[str, Any], paths: Sequence[str]) -> list[FieldProblem]:
    """Every path of ``paths`` that names no member of ``schema`` (an outputSchema).

    Below an object the docs leave undescribed any member is accepted: outputs describe,
    never forbid (DESIGN.md), so a member a newer service returns stays reachable.
    """
    known = all_paths(schema)
    problems: list[FieldProblem] = []
    for path in paths:
        if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
            problems.append(
                FieldProblem(
                    str(path),
                    "is not a member path",
                    f"dot-separated member names, e.g. {known[0] if known else 'TotalCount'}",
                    "Remove the empty or stray dots.",
                )
            )
            continue
        node: Mapping[str, Any] = schema
        walked: list[str] = []
        for part in path.split("."):
            members = _members(node, schema)
            if members is None:
                if walked and "object" not in _types(_element(node, schema)):
                    parent = ".".join(walked)
                    problems.append(
                        FieldProblem(
                            path,
                            f"{parent} is a value and has no members",
                            f"{parent} itself",
                            f'Use "{parent}".',
                        )
                    )
                break  # an open object: anything below is allowed
            if part not in members:
                where = ".".join(walked) or "the Response"
                hint = _suggest(path, known)
                problems.append(
                    FieldProblem(
                        path,
                        f"{where} has no member {part!r}",
                        f"one of {_listing(members)}",
                        f'Did you mean "{hint}"?' if hint else "Pick a listed member.",
                    )
                )
                break
            walked.append(part)
            node = members[part]
    return problems


def parse_fields(paths: Iterable[str]) -> FieldTree:
    """The paths as a tree; a path that names a whole member wins over paths below it."""
    tree: FieldTree = {}
    for path in sorted(set(paths), key=lambda p: p.count(".")):
        node: FieldTree | None = tree
        parts = path.split(".")
        for i, part in enumerate(parts):
            assert node is not None
            if part in node and node[part] is None:
                break  # the whole member is already kept
            if i == len(parts) - 1:
                node[part] = None
            else:
                node = node.setdefault(part, {})
    return tree


def _project(value: Any, tree: FieldTree | None) -> Any:
    if tree is None:
        return value
    if isinstance(value, list):
        return [_project(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: _project(v, tree[k]) for k, v in value.items() if k in tree}
    return value  # a scalar where members were named: the data disagrees, keep it


def project(
    response: Mapping[str, Any], paths: Sequence[str], always: Sequence[str] = ALWAYS_KEPT
) -> dict[str, Any]:
    """``response`` with only the members ``paths`` name (plus ``always``), in its order.

    Arrays keep every element (each cut the same way); members absent in the data stay
    absent. The input is not changed; kept values are shared, not copied.
    """
    tree = parse_fields([*paths, *(a for a in always if a in response)])
    projected: dict[str, Any] = _project(dict(response), tree)
    return projected


def _cut_schema(
    node: Mapping[str, Any], tree: FieldTree | None, root: Mapping[str, Any]
) -> JSONSchema:
    if tree is None:
        return dict(node)
    resolved = _resolve(node, root)
    if "array" in _types(resolved) and isinstance(resolved.get("items"), Mapping):
        return {**resolved, "items": _cut_schema(resolved["items"], tree, root)}
    props = resolved.get("properties")
    if not isinstance(props, Mapping):
        return dict(resolved)  # open object: nothing to cut
    kept = {k: _cut_schema(v, tree[k], root) for k, v in props.items() if k in tree}
    out = {**resolved, "properties": kept}
    if isinstance(resolved.get("required"), list):
        out["required"] = [r for r in resolved["required"] if r in kept]
    return out


def project_schema(schema: Mapping[str, Any], paths: Sequence[str]) -> JSONSchema:
    """The outputSchema of a result projected with ``paths`` (a fresh copy).

    ``$defs`` stay whole: a kept member may still refer to them.
    """
    out = _cut_schema(copy.deepcopy(dict(schema)), parse_fields(paths), schema)
    return out


def fields_arg_schema(example: str | None = None) -> JSONSchema:
    """The ``fields`` argument as a tool's inputSchema lists it (few words: every tool
    list pays for them; the rule lives in the server instructions)."""
    text = "members to keep, as paths"
    if example:
        text += f", e.g. {example}"
    return {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": text}


def example_path(schema: Mapping[str, Any]) -> str | None:
    """A path worth showing as the example: the first member of the first list's items,
    else the first member."""
    paths = all_paths(schema)
    nested = (p for p in paths if p.count(".") == 1)
    return next(nested, paths[0] if paths else None)


def iter_leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, scalar) for every scalar in ``value``; arrays add no step to the path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from iter_leaves(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for item in value:
            yield from iter_leaves(item, prefix)
    else:
        yield prefix, value
