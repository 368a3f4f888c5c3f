"""Resource ids and names: format checks, batch checks and lookups with documented codes.

Every family looks resources up the same way — the id's documented form first
(``lhins-`` + 8 lowercase alphanumerics, ...), then existence — and each action answers
with the spelling of the code its own error list uses (``ctx.fail`` picks it). The core
already validates top-level request parameters against the catalog; these helpers also
cover ids that arrive nested (``LoginConfiguration.KeyIds``), in another action's name
(``FirewallTemplateId``) or from the state itself, so the checks stay in one place.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from lighthouse_mcp.tools import catalog

from .backend import Ctx
from .errors import SandboxError, err

Record = dict[str, Any]


def id_pattern(prefix: str) -> re.Pattern[str]:
    """``prefix-`` followed by 8 lowercase alphanumerics, like every Lighthouse id."""
    return re.compile(rf"^{re.escape(prefix)}-[a-z0-9]{{8}}$")


def _form(pattern: re.Pattern[str]) -> str:
    """``lhins-[a-z0-9]{8}`` -> ``lhins-xxxxxxxx`` for messages."""
    return re.sub(r"\[a-z0-9\]\{(\d+)\}", lambda m: "x" * int(m.group(1)),
                  pattern.pattern.strip("^$").replace("\\", ""))


def check_unique(ctx: Ctx, values: Sequence[str], field: str) -> None:
    """Refuse repeated ids in a batch, as every batch action documents."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise fail(ctx,
                "InvalidParameterValue.Duplicated",
                f"`{field}` contains `{value}` more than once; each id may appear once.",
            )
        seen.add(value)


def check_count(ctx: Ctx, values: Sequence[Any], field: str, maximum: int) -> None:
    """Refuse a batch larger than the documented maximum."""
    if len(values) > maximum:
        raise fail(ctx,
            "InvalidParameterValue.LimitExceeded",
            f"`{field}` has {len(values)} items; at most {maximum} are allowed per request.",
            also=("InvalidParameterValue.OutOfRange", "InvalidParameter"),
        )


def check_ids(
    ctx: Ctx,
    values: Sequence[str],
    field: str,
    pattern: re.Pattern[str],
    malformed_code: str,
    *,
    maximum: int | None = None,
) -> None:
    """Count, uniqueness and format of an id list, each with its documented code."""
    if maximum is not None:
        check_count(ctx, values, field, maximum)
    check_unique(ctx, values, field)
    for value in values:
        if not pattern.match(value):
            raise fail(ctx,
                malformed_code,
                f"`{value}` in `{field}` is not a valid id; expected the form "
                f"{_form(pattern)}.",
            )


def check_length(ctx: Ctx, value: str | None, field: str, maximum: int, code: str) -> None:
    """Refuse a text parameter longer than documented, with the action's ``*TooLong`` code."""
    if value is not None and len(value) > maximum:
        raise fail(ctx, code, f"`{field}` has {len(value)} characters; at most {maximum}.",
                   also=("InvalidParameterValue.TooLong", "InvalidParameterValue"))


def lookup_id(
    ctx: Ctx,
    table: Mapping[str, Record],
    value: str,
    *,
    field: str,
    pattern: re.Pattern[str],
    malformed: str | tuple[str, ...],
    not_found: Sequence[str],
    kind: str,
) -> Record:
    """The record ``value`` of ``table``: the id's format first, then its existence.

    ``malformed`` may be several candidate codes (the first one the action documents wins).
    """
    if not pattern.match(value):
        codes = (malformed,) if isinstance(malformed, str) else malformed
        raise fail(ctx, codes[0], f"`{field}` value `{value}` is not a valid {kind} id; "
                   f"expected the form {_form(pattern)}.", also=codes[1:])
    record = table.get(value)
    if record is None:
        raise fail(ctx, not_found[0], f"The {kind} `{value}` does not exist in {ctx.region}.",
                   also=tuple(not_found[1:]))
    return record


def fail(ctx: Ctx, code: str, message: str, *, also: Sequence[str] = ()) -> SandboxError:
    """``ctx.fail``, never answering a specific code the action does not document.

    ``ctx.fail`` picks the first of ``code, *also`` that the action's page lists and
    otherwise keeps ``code``. A page's list is often incomplete (ModifyFirewallTemplate
    lists no not-found code at all), and a client written against the docs only knows the
    codes there and the common ones; so when none of the candidates is documented, the
    answer is the common code of the same family (``ResourceNotFound``,
    ``UnsupportedOperation``, ``InvalidParameterValue``, ...).
    """
    candidates = (code, *also)
    if any(ctx.documents(c) for c in candidates):
        return ctx.fail(code, message, also=also)
    head = code.split(".", 1)[0]
    return err(head if head in _common_codes() else code, message)


@cache
def _common_codes() -> frozenset[str]:
    return frozenset(e["code"] for e in catalog.load_catalog()["common_errors"])
