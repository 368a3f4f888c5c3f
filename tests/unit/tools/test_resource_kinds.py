"""The resource-kind table (tools/resources.json) names only what the catalog has."""

from __future__ import annotations

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.resource_kinds import (
    CONTEXT_ONLY,
    FOLLOW_UPS,
    GONE,
    ID_ARGUMENTS,
    KINDS,
    OPERATION,
    PRICE_QUOTES,
    record_members,
)
from lighthouse_mcp.tools.waits import DETAILS


def _inputs(action: str) -> set[str]:
    return {p["name"] for p in catalog.action(action)["inputs"]}


@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_is_looked_up_through_members_the_catalog_documents(name: str) -> None:
    kind = KINDS[name]
    assert kind.name == name and kind.label
    assert {kind.ids_param, *kind.context} <= _inputs(kind.describe)
    members = record_members(kind.describe, kind.set_field)
    assert kind.id_field in members
    assert set(kind.preview_fields) <= set(members), name
    if kind.wait is not None:
        assert kind.wait.state_field in members
        assert kind.wait.detail is None or kind.wait.detail in DETAILS


def test_id_arguments_are_real_arguments_and_name_one_kind_each() -> None:
    every_input = {p for a in catalog.action_names() for p in _inputs(a)}
    claimed = [arg for kind in KINDS.values() for arg in kind.id_arguments]
    assert len(claimed) == len(set(claimed)) == len(ID_ARGUMENTS)
    assert set(ID_ARGUMENTS) <= every_input


def test_per_action_rows_name_real_actions_and_arguments() -> None:
    for action, follow_up in FOLLOW_UPS.items():
        act = catalog.action(action)
        names = _inputs(action) | {p["name"] for p in act["outputs"]}
        assert follow_up.ids in names and set(follow_up.context) <= _inputs(action), action
        kind = KINDS[follow_up.kind]
        assert follow_up.target in (*kind.states, OPERATION) and kind.wait is not None
    assert FOLLOW_UPS["TerminateInstances"].target == GONE
    for action, located_by in CONTEXT_ONLY.items():
        assert located_by <= _inputs(action), action
    for action, quote in PRICE_QUOTES.items():
        assert catalog.safety_class(action) == "billing"
        assert quote in catalog.action_names()
