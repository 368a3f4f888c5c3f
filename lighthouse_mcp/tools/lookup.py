"""Records by ID through a Describe* action, where "not found" means "absent".

The wait loop and the gate's previews both need the same answer to "which of these IDs
exist right now, and what do they look like": one batched Describe call, and when the
API refuses the whole batch because one ID is unknown, one call per ID to tell the
missing from the present. Kept here once so both read resources the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

#: How tools/ code sends a read: an async ``call(action, params)`` returning the Response,
#: bound to a region by the caller (the server's pipeline, or a test's sandbox client).
Call = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]


def is_not_found(error: Exception) -> bool:
    """Whether an API error says a resource does not exist (an ID that is malformed
    cannot name one either)."""
    code = str(getattr(error, "code", ""))
    return code.startswith("ResourceNotFound") or code.endswith(("NotFound", "IdMalformed"))


async def records_by_id(
    call: Call,
    describe: str,
    params: Mapping[str, Any],
    *,
    ids_param: str,
    ids: Sequence[str],
    set_field: str,
    id_field: str,
) -> dict[str, dict[str, Any]]:
    """The records ``describe`` lists for ``ids`` (plus ``params``), keyed by ID.

    An ID the API calls not found is simply absent from the result; other errors raise.
    """
    try:
        response = await call(describe, {**params, ids_param: list(ids)})
    except Exception as error:
        if not is_not_found(error):
            raise
        if len(ids) <= 1:
            return {}
        found: dict[str, dict[str, Any]] = {}
        for rid in ids:  # find out which ones are missing, one at a time
            found.update(
                await records_by_id(
                    call,
                    describe,
                    params,
                    ids_param=ids_param,
                    ids=[rid],
                    set_field=set_field,
                    id_field=id_field,
                )
            )
        return found
    return {str(r.get(id_field)): r for r in response.get(set_field) or []}
