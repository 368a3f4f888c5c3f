"""``Ctx``: what a handler may use — the caller, the clock, the state, new ids, lifecycles."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lighthouse_mcp import catalog

from .errors import SandboxError, err, first_documented
from .scheduler import Scheduler
from .state import RegionState, World, iso

_ID_ALPHABET = string.ascii_lowercase + string.digits


@dataclass
class Ctx:
    """One request's view of the engine, handed to the action's handler."""

    action: str
    account: str
    region: str
    request_id: str
    delay: float
    state: RegionState
    world: World
    rng: random.Random
    clock: Callable[[], float] = field(repr=False)
    scheduler: Scheduler = field(repr=False)

    def now(self) -> float:
        return self.clock()

    def iso(self, timestamp: float | None = None) -> str:
        return iso(self.now() if timestamp is None else timestamp)

    def new_id(self, prefix: str) -> str:
        """``prefix-`` + 8 lowercase alphanumerics, not used by any resource of the account."""
        taken = set(self.world.ids())
        while True:
            candidate = f"{prefix}-" + "".join(self.rng.choices(_ID_ALPHABET, k=8))
            if candidate not in taken:
                return candidate

    def schedule(
        self,
        kind: str,
        resource_id: str,
        *,
        set: Mapping[str, Any] | None = None,
        after: float | None = None,
        remove: bool = False,
    ) -> None:
        """Queue a transition of ``state.table(kind)[resource_id]`` ``after`` seconds from now.

        ``set`` fields are merged into the record when due; ``remove`` deletes it instead.
        """
        record = self.state.table(kind)[resource_id]
        at = self.now() + (self.delay if after is None else after)
        self.scheduler.schedule(record, at, set=set, remove=remove)

    def fail(self, code: str, message: str, *, also: Iterable[str] = ()) -> SandboxError:
        """An error with the first of ``code``, ``*also`` that this action documents.

        When the action documents none of them, the common code of ``code``'s family
        answers (``ResourceNotFound`` for ``ResourceNotFound.InstanceIdNotFound``), so a
        client only ever sees codes the action's page or the common list documents;
        ``code`` itself if the catalog is missing. Handlers can thus name a condition
        once for every action.
        """
        documented = _documented_errors(self.action)
        chosen = first_documented((code, *also), documented or set(), "")
        if not chosen:
            # The action's page names none of them: answer with the common code of the
            # family (X.Y -> X, from 公共错误码), which every client handles, rather than
            # a code this action's page never mentions.
            # An action whose page lists no codes (the newer ones only the spec describes)
            # gets the common codes too.
            common = _common_errors()
            head = code.split(".", 1)[0]
            known = documented is not None
            chosen = head if known and code not in common and head in common else code
        return err(chosen, message)

    def documents(self, code: str) -> bool:
        """Whether this action's error list names ``code``."""
        return code in (_documented_errors(self.action) or set())


def _common_errors() -> set[str]:
    """Codes of the docs' 公共错误码 list (every action may answer these)."""
    try:
        return {e["code"] for e in catalog.load_catalog()["common_errors"]}
    except (KeyError, FileNotFoundError):
        return set()


def _documented_errors(action: str) -> set[str] | None:
    """The codes ``action``'s page lists (maybe none), or None for an unknown action."""
    try:
        return {e["code"] for e in catalog.action(action)["errors"]}
    except (KeyError, FileNotFoundError):
        return None
