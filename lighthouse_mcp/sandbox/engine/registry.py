"""Which function answers which action: families of handlers and the registry built from them.

A family module makes one :class:`Family` and decorates each handler with
``@family.handler("Action")``; ``sandbox/families/__init__.py`` lists the families and a
:class:`Registry` joins them, refusing two handlers for one action. Nothing registers
itself at import time, so the engine answers exactly the families it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

from lighthouse_mcp import catalog

from .context import Ctx

Handler = Callable[[Ctx, dict[str, Any]], dict[str, Any]]

#: How a handler answers, for COVERAGE.md: ``stateful`` reads or changes the account's
#: resources; ``seed`` answers from the static catalogue (regions, zones, bundles, scenes).
Coverage = Literal["stateful", "seed"]


class Family:
    """The handlers of one resource family (one module), by action name.

    ``service`` is the API the family answers (``tat``, ``monitor``); its handlers are
    keyed by the qualified name (``tat_RunCommand``), Lighthouse's by the bare action.
    """

    def __init__(
        self, name: str, *, coverage: Coverage = "stateful", service: str = catalog.SERVICE
    ) -> None:
        self.name = name
        self.service = service
        self.coverage = coverage
        self.handlers: dict[str, Handler] = {}
        self.coverage_by_action: dict[str, Coverage] = {}

    def __repr__(self) -> str:
        return f"Family({self.name!r}, {len(self.handlers)} actions)"

    def handler(
        self, action: str, *, coverage: Coverage | None = None
    ) -> Callable[[Handler], Handler]:
        """Register the decorated function as the behaviour of ``action``.

        ``coverage`` overrides the family's kind for this action in COVERAGE.md.
        """

        key = catalog.tool_name(self.service, action)

        def register(fn: Handler) -> Handler:
            if key in self.handlers and self.handlers[key] is not fn:
                raise RuntimeError(f"two handlers registered for {key}")
            self.handlers[key] = fn
            self.coverage_by_action[key] = coverage or self.coverage
            return fn

        return register


class Registry:
    """action -> handler (and its family) across every family given."""

    def __init__(self, families: Iterable[Family] = ()) -> None:
        self.handlers: dict[str, Handler] = {}
        self.families: dict[str, Family] = {}
        for family in families:
            for action, fn in family.handlers.items():
                if action in self.handlers:
                    raise RuntimeError(
                        f"two handlers registered for {action}: "
                        f"{self.families[action].name} and {family.name}"
                    )
                self.handlers[action] = fn
                self.families[action] = family

    def __contains__(self, action: str) -> bool:
        return action in self.handlers

    def coverage(self, action: str) -> Coverage | None:
        """How ``action`` is answered, or None when no family handles it (the fallback)."""
        family = self.families.get(action)
        return None if family is None else family.coverage_by_action[action]
