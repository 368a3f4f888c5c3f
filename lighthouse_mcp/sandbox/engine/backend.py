"""The engine's front: every account's state, the clock, the lifecycles, and dispatch to handlers.

No HTTP here (``sandbox/service.py`` runs the request pipeline). The parts live beside
it, one job each: ``state.py`` (tables per account and region), ``context.py`` (what a
handler sees), ``registry.py`` (which handler answers which action), ``scheduler.py``
(transitions that complete later), ``persistence.py`` (``--state FILE``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from . import persistence
from .context import Ctx
from .errors import err
from .registry import Handler
from .scheduler import Scheduler
from .state import RegionState, World

#: Called with each RegionState the first time an account touches that region (seed data).
RegionSeeder = Callable[[RegionState, random.Random, float], None]


class Backend:
    """All accounts' state, the clock and the lifecycle engine, answering through ``handlers``."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        delay: float = 0.2,
        seeders: Iterable[RegionSeeder] = (),
        rng_seed: int = 20200324,
    ) -> None:
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.clock = clock
        self.delay = delay
        self.seeders = list(seeders)
        self.rng = random.Random(rng_seed)
        self._rng_seed = rng_seed
        self.worlds: dict[str, World] = {}
        self.scheduler = Scheduler(clock)

    # -- accounts and regions ---------------------------------------------------------

    def world(self, account: str) -> World:
        found = self.worlds.get(account)
        if found is None:
            found = self.worlds[account] = World(account, self.seed_region)
        return found

    def seed_region(self, state: RegionState) -> None:
        for seeder in self.seeders:
            seeder(state, self.rng, self.clock())

    def reset(self) -> None:
        """Forget every account's resources; seed data comes back on next touch."""
        self.worlds.clear()
        self.rng = random.Random(self._rng_seed)
        self.scheduler.reset()

    # -- lifecycles and dispatch -------------------------------------------------------

    def apply_due(self) -> int:
        """Apply every pending transition whose time has come; returns how many."""
        return self.scheduler.apply_due(self.worlds.values())

    def context(self, action: str, account: str, region: str, request_id: str) -> Ctx:
        world = self.world(account)
        return Ctx(
            action=action,
            account=account,
            region=region,
            request_id=request_id,
            delay=self.delay,
            state=world.region(region),
            world=world,
            rng=self.rng,
            clock=self.clock,
            scheduler=self.scheduler,
        )

    def call(
        self,
        action: str,
        params: dict[str, Any],
        *,
        account: str,
        region: str,
        request_id: str,
        fallback: Handler | None = None,
    ) -> dict[str, Any]:
        """Run ``action``'s handler (or ``fallback``) after applying due transitions."""
        self.apply_due()
        fn = self.handlers.get(action, fallback)
        if fn is None:
            raise err("InvalidAction", f"The action `{action}` is not implemented.")
        return fn(self.context(action, account, region, request_id), params)

    # -- persistence -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return persistence.dump(self.worlds, self.clock())

    def load_json(self, data: Mapping[str, Any]) -> None:
        """Replace all state with ``data`` (as written by :meth:`to_json`); raises
        persistence.StateFileError, changing nothing, when it is not that shape."""
        self._replace(persistence.regions_of(data))

    def _replace(self, accounts: dict[str, dict[str, RegionState]]) -> None:
        self.reset()
        for account, regions in accounts.items():
            self.world(account).regions.update(regions)
        self.scheduler.rescan()

    def save(self, path: Path) -> None:
        persistence.write(path, self.to_json())

    def load(self, path: Path) -> None:
        """Replace all state with the file's; raises OSError or persistence.StateFileError
        (naming the file and what is wrong in it), changing nothing."""
        self._replace(persistence.read(path))
