"""The engine: registry, ids, lifecycles, persistence — no HTTP involved."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from lighthouse_mcp.sandbox.engine.backend import Backend
from lighthouse_mcp.sandbox.engine.context import Ctx
from lighthouse_mcp.sandbox.engine.errors import NotFoundError, SandboxError
from lighthouse_mcp.sandbox.engine.registry import Family, Registry
from lighthouse_mcp.sandbox.engine.state import RegionState, public


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def seed_one(state: RegionState, rng: random.Random, now: float) -> None:
    state.table("things")["thing-seed0001"] = {"Name": "seeded", "_secret": 1}


def make(clock: Clock | None = None) -> Backend:
    return Backend(clock=clock or Clock(), delay=5.0, seeders=[seed_one])


def ctx(b: Backend, region: str = "ap-guangzhou", action: str = "X") -> Ctx:
    return b.context(action, "AKIDtest", region, "req-1")


def test_new_id_format_and_uniqueness() -> None:
    b = make()
    c = ctx(b)
    ids = set()
    for _ in range(200):
        rid = c.new_id("lhins")
        assert re.fullmatch(r"lhins-[a-z0-9]{8}", rid)
        c.state.table("instances")[rid] = {}
        ids.add(rid)
    assert len(ids) == 200


def test_seeded_on_first_touch_and_public_strips_internal_fields() -> None:
    b = make()
    rec = ctx(b).state.table("things")["thing-seed0001"]
    assert public({"a": rec, "l": [rec]}) == {"a": {"Name": "seeded"}, "l": [{"Name": "seeded"}]}


def test_schedule_applies_in_time_order_only_when_due() -> None:
    clock = Clock()
    b = make(clock)
    c = ctx(b)
    t = c.state.table("instances")
    t["lhins-aaaaaaaa"] = {"InstanceState": "PENDING"}
    c.schedule("instances", "lhins-aaaaaaaa", set={"InstanceState": "STOPPING"}, after=2)
    c.schedule("instances", "lhins-aaaaaaaa", set={"InstanceState": "RUNNING"})  # delay 5
    assert b.apply_due() == 0
    clock.t += 2
    assert b.apply_due() == 1
    assert t["lhins-aaaaaaaa"]["InstanceState"] == "STOPPING"
    clock.t += 3
    assert b.apply_due() == 1
    assert t["lhins-aaaaaaaa"] == {"InstanceState": "RUNNING"}


def test_schedule_remove_deletes_record() -> None:
    clock = Clock()
    b = make(clock)
    c = ctx(b)
    c.state.table("instances")["lhins-bbbbbbbb"] = {"InstanceState": "SHUTDOWN"}
    c.schedule("instances", "lhins-bbbbbbbb", remove=True, after=1)
    clock.t += 1
    b.apply_due()
    assert "lhins-bbbbbbbb" not in c.state.table("instances")


def test_registry_dispatch_and_fallback() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    family = Family("test")

    @family.handler("ZzTestAction")
    def _h(c: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        seen.append((c.region, params))
        return {"Ok": True}

    b = Backend(Registry([family]).handlers, clock=Clock(), delay=5.0, seeders=[seed_one])
    out = b.call("ZzTestAction", {"A": 1}, account="k", region="ap-beijing", request_id="r")
    assert out == {"Ok": True} and seen == [("ap-beijing", {"A": 1})]
    with pytest.raises(RuntimeError):
        family.handler("ZzTestAction")(lambda c, p: {})
    fb = b.call(
        "ZzUnknown",
        {},
        account="k",
        region="r",
        request_id="r",
        fallback=lambda c, p: {"Fallback": c.action},
    )
    assert fb == {"Fallback": "ZzUnknown"}
    with pytest.raises(SandboxError) as exc:
        b.call("ZzUnknown", {}, account="k", region="r", request_id="r")
    assert exc.value.code == "InvalidAction"


def test_registry_refuses_one_action_in_two_families() -> None:
    first, second = Family("first"), Family("second")
    first.handler("ZzTestAction")(lambda c, p: {})
    second.handler("ZzTestAction")(lambda c, p: {})
    with pytest.raises(RuntimeError, match="first and second"):
        Registry([first, second])
    assert Registry([first]).coverage("ZzTestAction") == "stateful"
    assert Registry([first]).coverage("ZzOther") is None


def test_fail_picks_documented_code_else_first() -> None:
    c = ctx(make(), action="NoSuchActionInCatalog")
    e = c.fail("ResourceNotFound.InstanceIdNotFound", "gone", also=("ResourceNotFound",))
    assert isinstance(e, NotFoundError) and e.code == "ResourceNotFound.InstanceIdNotFound"


def test_state_roundtrip_through_file_keeps_pending(tmp_path: Path) -> None:
    clock = Clock()
    b = make(clock)
    c = ctx(b)
    c.state.table("instances")["lhins-cccccccc"] = {"InstanceState": "STOPPING"}
    c.schedule("instances", "lhins-cccccccc", set={"InstanceState": "STOPPED"}, after=1)
    path = tmp_path / "sub" / "state.json"
    b.save(path)
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp left over
    b2 = make(clock)
    b2.load(path)
    clock.t += 1
    b2.apply_due()
    st = b2.world("AKIDtest").region("ap-guangzhou").table("instances")
    assert st["lhins-cccccccc"]["InstanceState"] == "STOPPED"
    # the seed of a region already in the file is not applied again
    assert st is b2.world("AKIDtest").regions["ap-guangzhou"].table("instances")


def test_load_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        make().load_json(json.loads('{"format": 99}'))


def test_reset_forgets_everything() -> None:
    b = make()
    ctx(b).state.table("instances")["lhins-dddddddd"] = {}
    b.reset()
    assert "lhins-dddddddd" not in ctx(b).state.table("instances")


def test_fail_folds_codes_the_action_does_not_document_to_their_family() -> None:
    c = ctx(make(), action="DescribeRegions")  # documents no ResourceNotFound.* code
    assert c.fail("ResourceNotFound.InstanceIdNotFound", "gone").code == "ResourceNotFound"
    assert c.fail("InternalError", "boom").code == "InternalError"  # already common
    d = ctx(make(), action="StopInstances")
    assert d.fail("ResourceNotFound.InstanceIdNotFound", "gone").code == (
        "ResourceNotFound.InstanceIdNotFound"
    )
