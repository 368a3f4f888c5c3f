"""``fields`` on the tools that return data: which members of the Response to keep.

The pipeline checks the paths against the action's outputSchema before anything is sent
(a misspelt path is a validation error with a did-you-mean, nothing sent) and projects
the Response after the call; the ``all_pages`` wrapper projects each page before it
counts the page against its size cap. The schema text stays a few words because every
tool list pays for it; the rule lives in the server instructions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.server.registry import Registry, ServerArg
from lighthouse_mcp.tools.concise import default_fields
from lighthouse_mcp.tools.fields import FIELDS, all_paths, check_fields, project
from lighthouse_mcp.tools.schema import output_schema
from lighthouse_mcp.tools.validate import Problem

__all__ = ["FIELDS", "applies", "check", "fields_arg", "install", "keep"]

INSTRUCTIONS = (
    f"{FIELDS}: on a tool that returns records, the members to keep as dotted paths "
    '(["InstanceSet.InstanceId", "InstanceSet.PublicAddresses", "TotalCount"]); arrays '
    "need no index, misspelt paths are refused before sending. Result texts leave out "
    "empty members and start with the headline figures; structuredContent has every "
    "member (cut only by fields). InquirePrice* answers leave out the per-period discount "
    "tables unless fields names them. A cut list carries _truncated (why, how many, the "
    "Offset to continue from)."
)


@cache
def _paths(action: str) -> tuple[str, ...]:
    if action not in catalog.action_names():
        return ()  # a tool of the server's own (or a test's), not an API action
    return tuple(all_paths(output_schema(action)))


#: Fewest documented member paths a Response needs for its tool to offer ``fields``:
#: below it the answer is a few values, and the argument would cost the tool list more
#: (every turn) than it saves (bench/bench_tool_list_size.py keeps the list's budget).
MIN_PATHS = 7
#: The argument's schema: no description and no item type, because every tool list pays
#: for them on every turn; INSTRUCTIONS says what it takes, and check() refuses anything
#: but member paths before sending.
SCHEMA: dict[str, Any] = {"type": "array"}


def applies(action: str) -> bool:
    """Tools that return records: the Response has a member with members (a list of
    records or an object) and at least :data:`MIN_PATHS` member paths."""
    paths = _paths(action)
    return len(paths) >= MIN_PATHS and any("." in p for p in paths)


def fields_arg() -> ServerArg:
    return ServerArg(FIELDS, SCHEMA, applies)


def check(action: str, value: Any) -> list[Problem]:
    """Problems with a ``fields`` value (its type is checked by the pipeline already)."""
    if not isinstance(value, list) or not _paths(action):
        return []
    if not value:
        return [Problem(FIELDS, "[]", "at least one member path", f"{FIELDS}: name a member")]
    problems = []
    for i, found in enumerate(check_fields(output_schema(action), value)):
        path = f"{FIELDS}[{value.index(found.path) if found.path in value else i}]"
        problems.append(
            Problem(
                path, repr(found.path)[:40], found.expected, f"{path}: {found.message}. {found.fix}"
            )
        )
    return problems


def keep(action: str, fields: Sequence[str] | None) -> list[str] | None:
    """The paths to keep: the caller's, else the action's default (price quotes leave out
    their detail tables), else None (everything)."""
    if fields:
        return list(fields)
    if not _paths(action):
        return None
    return default_fields(action, output_schema(action))


def apply(action: str, response: Mapping[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    paths = keep(action, fields)
    return project(response, paths) if paths else dict(response)


def install(registry: Registry) -> None:
    registry.add_server_arg(fields_arg())
    registry.add_instructions(INSTRUCTIONS)
