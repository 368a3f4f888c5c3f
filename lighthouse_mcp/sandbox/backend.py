"""State of the sandbox and the handler registry: everything except HTTP.

State is kept per account (SecretId) and region, as plain JSON-serialisable dicts, so
``--state FILE`` can persist it with one ``json.dump`` and tests can look inside.

How to write a family module
============================

A family module (``sandbox/instances.py``, ``sandbox/disks.py``, ...) registers one
function per action with ``@handler``. A handler receives a :class:`Ctx` and the request
parameters (already checked against the catalog: required present, types and enums
right, no unknown names) and returns the ``Response`` body *without* ``RequestId``.
It raises :class:`~lighthouse_mcp.sandbox.errors.SandboxError` (via ``err`` or
``ctx.fail``) for documented errors. Records live in ``ctx.state.table(kind)``, keyed by
resource id, stored in the documented output structure (e.g. ``Instance``) plus
internal fields whose names start with ``_`` (stripped by :func:`public`)::

    from typing import Any
    from lighthouse_mcp.sandbox.backend import Ctx, handler, public

    @handler("StopInstances")
    def stop_instances(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        table = ctx.state.table("instances")
        for iid in params["InstanceIds"]:
            if iid not in table:
                raise ctx.fail("ResourceNotFound.InstanceIdNotFound",
                               f"The instance `{iid}` does not exist.",
                               also=("ResourceNotFound.InstanceNotFound",))
        for iid in params["InstanceIds"]:
            table[iid].update(InstanceState="STOPPING", LatestOperation="StopInstances",
                              LatestOperationState="OPERATING",
                              LatestOperationRequestId=ctx.request_id)
            ctx.schedule("instances", iid, set={"InstanceState": "STOPPED",
                                                "LatestOperationState": "SUCCESS"})
        return {}

    @handler("DescribeInstances")
    def describe(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rows = [public(r) for r in ctx.state.table("instances").values()]
        return {"TotalCount": len(rows), "InstanceSet": rows}

The module is imported by ``sandbox/families.py`` when its file exists (the list of
family module names is there). Notes:

* ``ctx.schedule(kind, id, set={...}, after=s)`` queues a transition; ``after`` defaults
  to ``ctx.delay``; ``remove=True`` deletes the record instead (e.g. a terminated
  instance disappearing). Due transitions are applied before every request, in time order.
* ``ctx.new_id("lhins")`` gives ``lhins-`` + 8 lowercase alphanumerics, unique in the account.
* ``ctx.world.region(name)`` reaches another region (SyncBlueprint); ``ctx.world.regions``
  lists the regions that have state.
* ``ctx.now()`` is the sandbox clock (injectable in tests); ``ctx.rng`` is seeded.
* ``ctx.iso(t)`` formats a timestamp the way the API does (``2020-09-22T00:00:00Z``).
* Tables hold only JSON types (str, int, float, bool, None, list, dict).
* Describe plumbing (paging, Filters, id lookups with their documented codes) is in
  ``listing.py``; the static catalogue (bundles, zones, blueprints, prices) in ``seed.py``;
  quota arithmetic in ``quotas.py``; price quotes in ``prices.py``.
"""

from __future__ import annotations

import copy
import json
import os
import random
import string
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import SandboxError, err, first_documented

Record = dict[str, Any]
Table = dict[str, Record]
Handler = Callable[["Ctx", dict[str, Any]], dict[str, Any]]

#: action name -> handler; filled by the family modules at import time.
HANDLERS: dict[str, Handler] = {}

#: Called with each RegionState the first time an account touches that region (seed data).
RegionSeeder = Callable[["RegionState", random.Random, float], None]

STATE_FORMAT = 1
_ID_ALPHABET = string.ascii_lowercase + string.digits


def handler(action: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the behaviour of ``action``; a second registration is a bug."""

    def register(fn: Handler) -> Handler:
        if action in HANDLERS and HANDLERS[action] is not fn:
            raise RuntimeError(f"two handlers registered for {action}")
        HANDLERS[action] = fn
        return fn

    return register


def public(record: Mapping[str, Any]) -> Record:
    """A deep copy of ``record`` without internal ``_`` fields (at any depth)."""
    return {k: _strip(v) for k, v in record.items() if not k.startswith("_")}


def _strip(value: Any) -> Any:
    if isinstance(value, Mapping):
        return public(value)
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def iso(timestamp: float) -> str:
    """The API's timestamp format: ISO 8601 UTC with a trailing ``Z``, seconds precision."""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RegionState:
    """The resources of one account in one region: named tables of records."""

    def __init__(self, region: str, tables: dict[str, Table] | None = None) -> None:
        self.region = region
        self.tables: dict[str, Table] = tables if tables is not None else {}

    def table(self, kind: str) -> Table:
        """The table ``kind`` (created empty on first use), keyed by resource id."""
        return self.tables.setdefault(kind, {})

    def to_json(self) -> dict[str, Table]:
        return self.tables


class World:
    """One account's state across all regions (cross-region actions use this)."""

    def __init__(self, account: str, backend: Backend) -> None:
        self.account = account
        self._backend = backend
        self.regions: dict[str, RegionState] = {}

    def region(self, name: str) -> RegionState:
        """The state of region ``name``, seeded on first touch."""
        state = self.regions.get(name)
        if state is None:
            state = self.regions[name] = RegionState(name)
            self._backend.seed_region(state)
        return state

    def ids(self) -> Iterable[str]:
        for state in self.regions.values():
            for table in state.tables.values():
                yield from table


@dataclass
class Ctx:
    """What a handler may use: the caller, the clock, the state, ids and lifecycles."""

    action: str
    account: str
    region: str
    request_id: str
    delay: float
    state: RegionState
    world: World
    rng: random.Random
    backend: Backend = field(repr=False)

    def now(self) -> float:
        return self.backend.clock()

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
        entry: dict[str, Any] = {"at": at}
        if set:
            entry["set"] = dict(set)
        if remove:
            entry["remove"] = True
        pending: list[dict[str, Any]] = record.setdefault("_pending", [])
        pending.append(entry)
        pending.sort(key=lambda e: float(e["at"]))
        self.backend.note_due(at)

    def fail(self, code: str, message: str, *, also: Iterable[str] = ()) -> SandboxError:
        """An error with the first of ``code``, ``*also`` that this action documents.

        When the action documents none of them, the common code of ``code``'s family
        answers (``ResourceNotFound`` for ``ResourceNotFound.InstanceIdNotFound``), so a
        client only ever sees codes the action's page or the common list documents;
        ``code`` itself if the catalog is missing. Handlers can thus name a condition
        once for every action.
        """
        documented = _documented_errors(self.action)
        chosen = first_documented((code, *also), documented, "")
        if not chosen:
            # The action's page names none of them: answer with the common code of the
            # family (X.Y -> X, from 公共错误码), which every client handles, rather than
            # a code this action's page never mentions.
            common = _common_errors()
            head = code.split(".", 1)[0]
            chosen = head if documented and code not in common and head in common else code
        return err(chosen, message)

    def documents(self, code: str) -> bool:
        """Whether this action's error list names ``code``."""
        return code in _documented_errors(self.action)


def _common_errors() -> set[str]:
    """Codes of the docs' 公共错误码 list (every action may answer these)."""
    try:
        from lighthouse_mcp import catalog

        return {e["code"] for e in catalog.load_catalog()["common_errors"]}
    except (KeyError, FileNotFoundError, ModuleNotFoundError):
        return set()


def _documented_errors(action: str) -> set[str]:
    try:
        from lighthouse_mcp import catalog

        return {e["code"] for e in catalog.action(action)["errors"]}
    except (KeyError, FileNotFoundError, ModuleNotFoundError):
        return set()


class Backend:
    """All accounts' state, the clock and the lifecycle engine; no HTTP here."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        delay: float = 0.2,
        seeders: Iterable[RegionSeeder] = (),
        rng_seed: int = 20200324,
    ) -> None:
        self.clock = clock
        self.delay = delay
        self.seeders = list(seeders)
        self.rng = random.Random(rng_seed)
        self._rng_seed = rng_seed
        self.worlds: dict[str, World] = {}
        self._next_due = float("inf")

    # -- accounts and regions ---------------------------------------------------------

    def world(self, account: str) -> World:
        found = self.worlds.get(account)
        if found is None:
            found = self.worlds[account] = World(account, self)
        return found

    def seed_region(self, state: RegionState) -> None:
        for seeder in self.seeders:
            seeder(state, self.rng, self.clock())

    def reset(self) -> None:
        """Forget every account's resources; seed data comes back on next touch."""
        self.worlds.clear()
        self.rng = random.Random(self._rng_seed)
        self._next_due = float("inf")

    # -- lifecycles --------------------------------------------------------------------

    def note_due(self, at: float) -> None:
        self._next_due = min(self._next_due, at)

    def apply_due(self) -> int:
        """Apply every pending transition whose time has come; returns how many."""
        now = self.clock()
        if now < self._next_due:
            return 0
        applied = 0
        next_due = float("inf")
        for world in self.worlds.values():
            for state in world.regions.values():
                for table in state.tables.values():
                    for rid in list(table):
                        done, later = _advance(table, rid, now)
                        applied += done
                        next_due = min(next_due, later)
        self._next_due = next_due
        return applied

    # -- dispatch ----------------------------------------------------------------------

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
            backend=self,
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
        fn = HANDLERS.get(action, fallback)
        if fn is None:
            raise err("InvalidAction", f"The action `{action}` is not implemented.")
        return fn(self.context(action, account, region, request_id), params)

    # -- persistence -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "saved_at": self.clock(),
            "accounts": {
                account: {name: state.to_json() for name, state in world.regions.items()}
                for account, world in self.worlds.items()
            },
        }

    def load_json(self, data: Mapping[str, Any]) -> None:
        """Replace all state with ``data`` (as written by :meth:`to_json`)."""
        if data.get("format") != STATE_FORMAT:
            raise ValueError(
                f"unsupported sandbox state format {data.get('format')!r}; expected {STATE_FORMAT}"
            )
        self.reset()
        for account, regions in data.get("accounts", {}).items():
            world = self.world(account)
            for name, tables in regions.items():
                world.regions[name] = RegionState(name, copy.deepcopy(tables))
        self._next_due = float("-inf")  # recompute on the next apply_due

    def save(self, path: Path) -> None:
        """Write the state atomically: a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.to_json(), fh, ensure_ascii=False, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, path: Path) -> None:
        with path.open(encoding="utf-8") as fh:
            self.load_json(json.load(fh))


def _advance(table: Table, rid: str, now: float) -> tuple[int, float]:
    """Apply due transitions of one record; returns (applied, time of the next one)."""
    record = table[rid]
    pending = record.get("_pending")
    if not pending:
        return 0, float("inf")
    applied = 0
    while pending and float(pending[0]["at"]) <= now:
        entry = pending.pop(0)
        applied += 1
        if entry.get("remove"):
            del table[rid]
            return applied, float("inf")
        record.update(entry.get("set", {}))
    if not pending:
        del record["_pending"]
        return applied, float("inf")
    return applied, float(pending[0]["at"])
