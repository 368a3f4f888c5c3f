"""The server's own tools (wait_for; compact mode's search_actions, describe_action,
call_action) get the same treatment as the catalog tools: arguments built by hypothesis
from the inputSchema the server publishes, valid and broken in one place. Valid ones
never end in an internal error; broken ones are refused as tool errors naming the field;
no answer leaks internals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lighthouse_mcp.server.app import Feature
from tests.e2e.proof.harness import Session, assert_no_leak, error_code, session, text_of
from tests.e2e.proof.strategies import breakages, valid

EXAMPLES = int(os.environ.get("PROOF_EXAMPLES", "3"))
PROFILE = settings(
    max_examples=EXAMPLES * 3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
WAITERS = (Feature.WAITS,)


@pytest.fixture(scope="module")
def waiting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with session(tmp_path_factory.mktemp("waiters"), features=WAITERS) as s:
        yield s


@pytest.fixture(scope="module")
def compact(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with session(tmp_path_factory.mktemp("compact"), compact=True) as s:
        yield s


def _schema(s: Session, name: str) -> dict[str, Any]:
    tools = s.portal.call(s.client.list_tools).tools
    return dict(next(t for t in tools if t.name == name).input_schema)


def _bounded(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """wait_for polls until its timeout: keep each example to about a second."""
    return arguments | {"timeout_seconds": 1} if name == "wait_for" else arguments


def _check(s: Session, name: str, data: st.DataObject) -> None:
    schema = _schema(s, name)
    arguments = _bounded(name, data.draw(valid(schema), label="valid"))
    result = s.call(name, arguments)
    assert_no_leak(result)
    assert error_code(result) != "InternalServerError", text_of(result)
    options = [
        (b, v)
        for b, v in breakages(arguments, schema)
        if not (name == "wait_for" and b.field == "timeout_seconds")
    ]
    if not options:
        return
    breakage, broken = data.draw(st.sampled_from(options), label="breakage")
    refused = s.call(name, _bounded(name, broken) if "timeout_seconds" in broken else broken)
    assert_no_leak(refused)
    assert refused.is_error, (breakage, text_of(refused))
    top = breakage.field.split(".")[0].split("[")[0]
    assert top in text_of(refused) or top == "", (breakage, text_of(refused))


@PROFILE
@given(data=st.data())
def test_wait_for(waiting: Session, data: st.DataObject) -> None:
    _check(waiting, "wait_for", data)


@pytest.mark.parametrize("name", ["search_actions", "describe_action", "call_action"])
@PROFILE
@given(data=st.data())
def test_compact_tools(compact: Session, name: str, data: st.DataObject) -> None:
    _check(compact, name, data)
