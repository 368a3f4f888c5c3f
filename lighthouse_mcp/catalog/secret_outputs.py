"""Which members of an action's *result* hold secrets, as data, and where they sit.

The overlay's ``secret_outputs`` table names them, each as ``Structure.Member`` (every
result that carries that structure, at any depth: ``ContainerEnv.Value``) or
``Action.Output`` (one action's top-level output: ``DescribeDockerContainerDetail.
ContainerDetail``), with a ``form`` saying how the value is kept out of a tool result:

- ``blank``: the value becomes ``<redacted>``;
- ``docker-inspect-env``: base64 of ``docker inspect`` JSON; the values of its
  ``Config.Env`` list become ``<redacted>``, the names stay;
- ``key-file``: a private key; the server writes it to a file only the user can read and
  returns the file's path instead.

The catalog's output types turn each entry into concrete paths per action
(:func:`secret_output_paths`), so a new action or structure that carries a listed
structure is covered without code. The server applies the paths to every result of
every action in one place (server/secret_outputs.py). catalog/secrets.py is the other
list: field names blanked in arguments and logs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.catalog.secrets import REDACTED

FORMS = ("blank", "docker-inspect-env", "key-file")

#: A path step that means "every item of this list".
EACH = "[]"


class SecretOutputError(ValueError):
    """The overlay's secret_outputs table names something the catalog lacks."""


@dataclass(frozen=True)
class SecretOutput:
    """One secret member of one action's result: where it is and how it is kept out."""

    path: tuple[str, ...]  # member names from the Response down; EACH steps into lists
    form: str
    rule: str  # the overlay key that marked it
    reason: str

    @property
    def dotted(self) -> str:
        return ".".join(self.path).replace(f".{EACH}", EACH)


@cache
def rules() -> dict[str, tuple[str, str]]:
    """The overlay table, checked: key -> (form, reason). Raises SecretOutputError naming
    an entry whose structure/action, member or form is unknown."""
    table = catalog.load_overlay().get("secret_outputs") or {}
    data = catalog.load_catalog()
    out: dict[str, tuple[str, str]] = {}
    for key, entry in table.items():
        owner, dot, member = key.partition(".")
        where = f"overlay.json secret_outputs[{key!r}]"
        if not dot or not member:
            raise SecretOutputError(f"{where}: expected 'Structure.Member' or 'Action.Output'")
        if owner in data["structures"]:
            members = [m["name"] for m in data["structures"][owner]["members"]]
        elif owner in data["actions"]:
            members = [o["name"] for o in data["actions"][owner]["outputs"]]
        else:
            raise SecretOutputError(f"{where}: {owner!r} is neither a structure nor an action")
        if member not in members:
            raise SecretOutputError(f"{where}: {owner} has no member {member!r}")
        form, reason = entry.get("form"), entry.get("reason")
        if form not in FORMS:
            raise SecretOutputError(f"{where}: form must be one of {', '.join(FORMS)}")
        if not reason:
            raise SecretOutputError(f"{where}: needs a one-line 'reason'")
        out[key] = (form, reason)
    return out


@cache
def secret_output_paths(action: str) -> tuple[SecretOutput, ...]:
    """Every secret member of ``action``'s result, found by walking its output types."""
    table = rules()
    structures = catalog.load_catalog()["structures"]
    found: list[SecretOutput] = []

    def visit(owner: str, members: list[Any], prefix: tuple[str, ...], seen: set[str]) -> None:
        for member in members:
            path = (*prefix, member["name"], *((EACH,) if member["array"] else ()))
            key = f"{owner}.{member['name']}"
            if key in table:
                form, reason = table[key]
                found.append(SecretOutput(path, form, key, reason))
                continue
            kind = member["type"]
            if kind in structures and kind not in seen:
                visit(kind, structures[kind]["members"], path, seen | {kind})

    visit(action, list(catalog.action(action)["outputs"]), (), set())
    return tuple(found)


#: What a form function returns to remove the member altogether.
DROP = object()


def transform(value: Any, path: tuple[str, ...], change: Callable[[Any], Any]) -> Any:
    """``value`` with ``change`` applied to whatever sits at ``path`` (a copy along the
    path; the rest is shared). Absent or null members are left alone; ``change`` may
    return DROP to remove the member."""
    if not path:
        return change(value)
    step, rest = path[0], path[1:]
    if step == EACH:
        if not isinstance(value, list):
            return value
        return [transform(item, rest, change) for item in value]
    if not isinstance(value, dict) or value.get(step) is None:
        return value
    if not rest:
        new = change(value[step])
        return (
            {k: v for k, v in value.items() if k != step} if new is DROP else {**value, step: new}
        )
    return {**value, step: transform(value[step], rest, change)}


def blank(value: Any) -> Any:
    return REDACTED
