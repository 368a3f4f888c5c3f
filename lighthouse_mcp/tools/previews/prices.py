"""What a billing call costs: the matching InquirePrice quote and the API's dry run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lighthouse_mcp.catalog import action as catalog_action
from lighthouse_mcp.tools.lookup import Call
from lighthouse_mcp.tools.previews.render import Preview
from lighthouse_mcp.tools.resource_kinds import PRICE_QUOTES


async def quote_price(
    call: Call, action: str, arguments: Mapping[str, Any], preview: Preview
) -> None:
    quote = PRICE_QUOTES.get(action)
    if quote is None:
        preview.price_note = "No price quote is available from the API for this action."
        return
    accepted = {p["name"] for p in catalog_action(quote)["inputs"]}
    params = {k: v for k, v in arguments.items() if k in accepted}
    try:
        response = await call(quote, params)
    except Exception as error:
        code = getattr(error, "code", type(error).__name__)
        preview.price_note = f"The price could not be quoted ({code})."
        return
    preview.price = {k: v for k, v in response.items() if k != "RequestId"}


async def dry_run(
    call: Call, action: str, arguments: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """What the API's dry run of the call says, and the error code when it would fail
    (None when it would succeed, or the action has no dry run)."""
    if "DryRun" not in {p["name"] for p in catalog_action(action)["inputs"]}:
        return None, None
    try:
        await call(action, {**arguments, "DryRun": True})
    except Exception as error:
        code = str(getattr(error, "code", "")) or type(error).__name__
        if code == "DryRunOperation":
            return "the API says the request would succeed", None
        return f"the API says the request would fail: {code}", code
    return "the API accepted the dry run", None
