"""Every tool, driven through the official MCP client (in-memory) against the in-process
sandbox with arguments hypothesis builds from the tool's own input schema.

- Schema-valid arguments reach the sandbox exactly once and come back as an API answer
  (data or an API error with a Code); the only refusals allowed before sending are the
  documented cross-parameter rules, per-filter value lists and the docs' prose rules
  (tools/doc_rules.py), which JSON Schema cannot express (or the tool list would pay for)
  and the validator adds.
- Arguments broken in one known place (wrong type at any depth, unknown key, missing
  required key, too long, too many items, out of enum, above maximum, lone surrogate,
  nesting 120 deep; the raw JSON-RPC tests go deeper) are refused with InvalidArguments
  naming that field, and nothing is sent (the sandbox's request log does not grow).
- No answer carries a traceback, a source path or an internal exception name.
- With the confirmation gate on, schema-valid arguments to a gated tool come back as a
  preview asking for confirmation (or a refusal before asking, when the preview shows the
  call would fail) and nothing that could change anything is sent.

Example counts are small per tool (one per action); PROOF_EXAMPLES raises them for a long run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import anyio
import mcp_types as types
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import RecordedRequest
from lighthouse_mcp.server.app import Feature
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.gate import policy_from_settings
from lighthouse_mcp.tools import doc_rules
from lighthouse_mcp.tools.schema import validation_schema
from tests.e2e.proof.harness import Session, assert_no_leak, error_code, session
from tests.e2e.proof.strategies import Breakage, breakages, valid

EXAMPLES = int(os.environ.get("PROOF_EXAMPLES", "3"))
ACTIONS = catalog.action_names()
GATED = [a for a in ACTIONS if policy_from_settings(Settings()).needs_confirmation(a)]
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def _rule_params(schema: object) -> set[str]:
    """Names in every cross-parameter rule anywhere in a schema (structures have them too)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for rule in schema.get("x-constraints", []):
            found.update(p.split(".")[-1] for p in rule["params"])
        for value in schema.values():
            found |= _rule_params(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _rule_params(value)
    return found


def _may_refuse(action: str, field: str) -> bool:
    """Whether the validator may refuse a schema-valid argument at ``field``: a rule
    JSON Schema cannot say (cross-parameter rules, per-filter value lists) or one the
    docs state in prose (tools/doc_rules.py: KeyName, Password, ID formats)."""
    last = re.sub(r"\[\d+\]", "", field).split(".")[-1]
    spec = catalog.action(action).get("filters")
    top = re.split(r"[.\[]", field)[0]
    return (
        field == ""
        or last in _rule_params(validation_schema(action))
        or doc_rules.governs(last)
        or (spec is not None and top == spec["param"])
    )


def _problem_fields(result: object) -> list[str]:
    error = (getattr(result, "structured_content", None) or {}).get("Error", {})
    return [str(p["Field"]) for p in error.get("Problems", [])]


def _counted(
    s: Session, action: str, arguments: dict[str, Any]
) -> tuple[types.CallToolResult, list[RecordedRequest]]:
    """Call a tool; return its result and the requests it made reach the sandbox. Every
    answer, whatever the input, must be free of tracebacks and internal names."""
    before = len(s.sandbox.requests)
    result = s.call(action, arguments)
    assert_no_leak(result)
    return result, s.sandbox.requests[before:]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with session(tmp_path_factory.mktemp("plain")) as s:
        yield s


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with session(
        tmp_path_factory.mktemp("gated"), features=(Feature.GATE,), confirm_mode="token"
    ) as s:
        yield s


@pytest.mark.parametrize("action", ACTIONS)
@PROFILE
@given(data=st.data())
def test_schema_valid_arguments_get_an_api_answer(
    plain: Session, action: str, data: st.DataObject
) -> None:
    schema = validation_schema(action)
    result, sent = _counted(plain, action, data.draw(valid(schema), label="arguments"))
    code = error_code(result)
    if code == "InvalidArguments":
        assert sent == []
        assert all(_may_refuse(action, f) for f in _problem_fields(result)), result.content
        return
    # No faults here, so InternalError is a sandbox handler crashing, and a read would
    # also be retried (more than one request): both are bugs.
    assert code not in ("InternalError", "InternalServerError"), result.content
    assert [r.action for r in sent] == [action], (code, result.content)
    if result.is_error:
        assert code and code[0].isupper(), result.content
    else:
        assert isinstance(result.structured_content, dict)
        assert result.structured_content.get("RequestId") == sent[0].request_id


@pytest.mark.parametrize("action", ACTIONS)
@PROFILE
@given(data=st.data())
def test_arguments_broken_in_one_place_are_refused_naming_it(
    plain: Session, action: str, data: st.DataObject
) -> None:
    schema = validation_schema(action)
    arguments = data.draw(valid(schema), label="valid base")
    options = breakages(arguments, schema)
    if not options:
        return
    breakage: Breakage
    breakage, broken = data.draw(st.sampled_from(options), label="breakage")
    result, sent = _counted(plain, action, broken)
    assert sent == [], breakage
    assert error_code(result) == "InvalidArguments", (breakage, result.content)
    assert breakage.field in _problem_fields(result), (breakage, _problem_fields(result))


@pytest.mark.parametrize("action", GATED)
@PROFILE
@given(data=st.data())
def test_gated_tools_preview_and_send_nothing_that_changes(
    gated: Session, action: str, data: st.DataObject
) -> None:
    result, sent = _counted(
        gated, action, data.draw(valid(validation_schema(action)), label="arguments")
    )
    # A request refused before its parameters were read (a region the service does not
    # serve) changed nothing, whatever it was.
    changed = [
        r
        for r in sent
        if not catalog.is_read(str(r.action))
        and not (r.params or {}).get("DryRun")
        and not (r.params is None and r.error_code)
    ]
    assert changed == []
    # asked for confirmation, refused as invalid, or refused before asking because the
    # preview shows it would fail (a target that does not exist, a state that forbids it)
    assert error_code(result) in {
        "ConfirmationRequired",
        "InvalidArguments",
        "PreviewFailed",
        "WouldFail",
    }, result.content


def _empty_lists(schema: dict[str, Any]) -> dict[str, Any]:
    """Each top-level array parameter as [] (plus whatever else hypothesis adds)."""
    return {k: [] for k, v in schema.get("properties", {}).items() if v.get("type") == "array"}


@pytest.mark.parametrize("action", [a for a in ACTIONS if _empty_lists(validation_schema(a))])
@PROFILE
@given(data=st.data())
def test_empty_lists_never_crash_the_sandbox(
    plain: Session, action: str, data: st.DataObject
) -> None:
    schema = validation_schema(action)
    arguments = data.draw(valid(schema), label="arguments") | _empty_lists(schema)
    result, sent = _counted(plain, action, arguments)
    assert error_code(result) not in ("InternalError", "InternalServerError"), result.content
    assert len(sent) <= 1


def test_found_by_hypothesis_renew_quote_for_no_disks(plain: Session) -> None:
    """Regression: the sandbox's quote indexed the first of zero disks (InternalError).
    An empty required ID list is now refused before sending (tools/limits.py); the
    sandbox, asked directly, still answers it as the API does."""
    arguments = {"DiskIds": [], "RenewDiskChargePrepaid": {"Period": 1}}
    result, sent = _counted(plain, "InquirePriceRenewDisks", arguments)
    assert error_code(result) == "InvalidArguments" and sent == []

    async def direct() -> str:
        from lighthouse_mcp.client import Credentials, InvalidInputError, LighthouseClient
        from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

        async with LighthouseClient(
            credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY),
            region="ap-guangzhou",
            endpoint="http://sandbox",
            transport=Sandbox(delay=0).transport(),
            max_attempts=1,
        ) as client:
            with pytest.raises(InvalidInputError) as info:
                await client.call("InquirePriceRenewDisks", arguments)
            return info.value.code

    assert anyio.run(direct) == "InvalidParameterValue"
