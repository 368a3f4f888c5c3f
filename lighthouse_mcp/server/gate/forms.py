"""The elicitation mechanism's form: what the person is shown and how an answer counts.

Used both when the server sends an elicitation request (handshake-era connections) and
when the form travels in an InputRequiredResult (2026-era connections). Destructive
actions ask for a typed phrase (a model cannot type into the person's form); other
gated calls ask for a ticked approval box.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lighthouse_mcp.tools.previews import Preview

#: The form field a person types the confirmation phrase into (destructive actions).
PHRASE_FIELD = "confirm"
#: The form field a person ticks for gated calls that need no phrase (billing, ...).
APPROVE_FIELD = "approve"
#: The key of the confirmation form in a 2026-era input-required round trip.
INPUT_KEY = "confirm"


def form_schema(preview: Preview) -> dict[str, Any]:
    """A typed phrase for destructive actions, a yes/no box for the rest."""
    if preview.phrase:
        return {
            "type": "object",
            "properties": {
                PHRASE_FIELD: {
                    "type": "string",
                    "title": "Confirmation phrase",
                    "description": "Type exactly the text shown in backticks at the end of the "
                    "message to run this call.",
                }
            },
            "required": [PHRASE_FIELD],
        }
    return {
        "type": "object",
        "properties": {
            APPROVE_FIELD: {
                "type": "boolean",
                "title": "Run this call",
                "default": False,
                "description": "Tick to run the call exactly as shown.",
            }
        },
        "required": [APPROVE_FIELD],
    }


def answer_problem(phrase: str | None, content: Mapping[str, Any]) -> str | None:
    """Why an accepted form does not confirm the call, or None when it does."""
    if phrase:
        typed = content.get(PHRASE_FIELD)
        if not isinstance(typed, str) or typed.strip() != phrase:
            return "the confirmation phrase did not match"
        return None
    if content.get(APPROVE_FIELD) is not True:
        return "the person did not tick the approval box"
    return None


def input_answer(answer: Any) -> tuple[str, Mapping[str, Any]]:
    """(verdict, content) of a client's answer to an input-required form, given as a
    mapping or as an ElicitResult."""
    if isinstance(answer, Mapping):
        verdict, content = answer.get("action"), answer.get("content")
    else:
        verdict, content = getattr(answer, "action", None), getattr(answer, "content", None)
    return str(verdict), content or {}
