"""Every tool called through the official MCP client against the
in-process sandbox with the docs' example arguments, and every one succeeds; invalid
arguments never reach the sandbox (its request log proves it).

Each tool runs on a fresh copy of one scenario world (tests/support/examples.py): the
example's placeholder ids become the account's own and its values are typed as the
tool's schema says; the state the example assumes (a stopped instance, an attached
disk) is made first by the preparations in tests/support/example_setup.py, sent straight
to the sandbox, so the one MCP call per tool is the docs' example itself. The server runs
with its confirmation gate: the gated tools (by class, or by a default rule over the
example's arguments) must ask the person (who accepts, typing the phrase where one is
asked) and no other tool may ask.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client import Client

from lighthouse_mcp import catalog
from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import ConfirmMode, Settings
from lighthouse_mcp.server.gate import TOKEN_ARG, policy_from_settings
from tests.e2e.gate.helpers import CLIENT, GATE_ONLY, Person, audit, error_code
from tests.support.example_setup import prepare
from tests.support.examples import REGION, scenario_state, tool_arguments
from tests.support.sandbox_api import Api, Clock
from tests.support.spec import spec_action_names

pytestmark = pytest.mark.anyio
ACTIONS = len(spec_action_names())


def problem_of(
    result: types.CallToolResult, sandbox: Sandbox, action: str, sent_from: int
) -> str | None:
    """Why ``result`` is not a success of ``action`` answered by the sandbox, or None."""
    content = result.structured_content or {}
    if result.is_error:
        error = content.get("Error") or {}
        text = getattr(result.content[0], "text", "") if result.content else ""
        return f"{error.get('Code', 'tool error')}: {error.get('Message') or text}"[:300]
    request_id = content.get("RequestId")
    answered = [
        r
        for r in sandbox.requests[sent_from:]
        if r.action == action and r.ok and r.request_id == request_id
    ]
    return None if answered else f"no successful {action} {request_id!r} reached the sandbox"


class Elicited:
    """Confirmation through MCP elicitation: a person who accepts every preview. Keeps
    the tools that asked, once per question."""

    decision = "elicited-accept"

    def __init__(self) -> None:
        self.person = Person("accept")
        self.asked: list[str] = []

    def client_options(self) -> dict[str, Any]:
        return {"elicitation_callback": self.person}

    async def call(self, c: Client, action: str, arguments: dict[str, Any]) -> types.CallToolResult:
        seen = len(self.person.seen)
        try:
            return await c.call_tool(action, arguments)
        finally:
            self.asked += [action] * (len(self.person.seen) - seen)


class Tokens:
    """Confirmation by token: the preview's confirm_token sent back with the same
    arguments. Keeps the tools that asked."""

    decision = "model-relayed"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def client_options(self) -> dict[str, Any]:
        return {}

    async def call(self, c: Client, action: str, arguments: dict[str, Any]) -> types.CallToolResult:
        first = await c.call_tool(action, arguments)
        if error_code(first) != "ConfirmationRequired":
            return first
        self.asked.append(action)
        token = (first.structured_content or {})["Error"][TOKEN_ARG]
        return await c.call_tool(action, {**arguments, TOKEN_ARG: token})


async def call_example(
    c: Client, confirm: Elicited | Tokens, api: Api, action: str, state: dict[str, Any]
) -> str | None:
    """Load the scenario, prepare, then call the tool with the example's arguments (once,
    or twice when the second call carries the confirmation token): why it failed, or
    None when it succeeded."""
    api.sandbox.backend.load_json(state)
    try:
        arguments = await prepare(api, action, tool_arguments(api.sandbox, action))
    except Exception as exc:  # reported with the others, not a stop of the whole run
        return f"preparation failed: {type(exc).__name__}: {exc}"[:300]
    sent_from = len(api.sandbox.requests)
    try:
        result = await confirm.call(c, action, arguments)
    except RuntimeError as exc:  # the client checks structuredContent against outputSchema
        return str(exc)[:300]
    return problem_of(result, api.sandbox, action, sent_from)


#: Tools the default argument rules (tools/risk_rules.json) gate with the docs' examples.
BY_ARGUMENTS = {
    "AssociateInstancesKeyPairs",
    "CreateFirewallRules",
    "DisassociateInstancesKeyPairs",
    "ResetInstancesPassword",
}


@pytest.fixture(scope="module")
def scenario() -> dict[str, Any]:
    """The state after the shared scenario, built once (key generation is slow)."""
    return anyio.run(scenario_state)


@pytest.mark.parametrize("mode", ["elicit", "token"])
async def test_every_tool_called_with_example_arguments(
    tmp_path: Path, mode: ConfirmMode, scenario: dict[str, Any]
) -> None:
    settings = Settings(
        sandbox=True,
        region=REGION,
        audit_log=tmp_path / "audit.jsonl",
        key_dir=tmp_path / "keys",
        confirm_mode=mode,
    )
    policy = policy_from_settings(settings)
    gated = {a for a in catalog.action_names() if policy.needs_confirmation(a)}
    confirm = Elicited() if mode == "elicit" else Tokens()
    clock = Clock()  # one clock for the sandbox, the preparations' signer and the server's
    sb = Sandbox(clock=clock, delay=5.0)
    api = Api(sb, clock)
    client = LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=REGION,
        endpoint="http://sandbox",
        transport=sb.transport(),
        clock=clock,
    )
    server = build_server(settings, client=client, sandbox=sb, features=GATE_ONLY)
    outcomes: dict[str, str | None] = {}
    async with client, Client(server, client_info=CLIENT, **confirm.client_options()) as c:
        tools = sorted(t.name for t in (await c.list_tools()).tools)
        assert len(tools) == ACTIONS
        for action in tools:
            outcomes[action] = await call_example(c, confirm, api, action, scenario)
    await api.http.aclose()
    failed = {a: why for a, why in outcomes.items() if why is not None}
    asked = set(confirm.asked)
    print(
        f"{ACTIONS - len(failed)} of {ACTIONS} tools succeeded with example arguments; "
        f"{len(asked)} asked for confirmation ({mode})"
    )
    assert not failed, "\n".join(f"{a}: {why}" for a, why in sorted(failed.items()))
    # ordinary writes whose docs examples trip a default rule over arguments (an admin
    # port opened to 0.0.0.0/0, key pairs bound or unbound, a password reset) ask too
    gated |= BY_ARGUMENTS
    assert asked == gated, {"asked, not gated": asked - gated, "gated, not asked": gated - asked}
    assert len(confirm.asked) == len(gated), "a tool asked more than once"
    confirmed = {r["action"] for r in audit(tmp_path) if r["decision"] == confirm.decision}
    assert confirmed == gated


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("DescribeInstances", {"Limit": "20"}, "Limit"),
    ("DescribeInstances", {"InstanceIdz": ["lhins-00000000"]}, "InstanceIdz"),
    ("StopInstances", {}, "InstanceIds"),
    ("DescribeInstances", {"Limit": 101}, "Limit"),
    ("DescribeInstances", {"Region": "ap atlantis"}, "Region"),
]


@pytest.mark.parametrize(
    ("action", "arguments", "field"),
    INVALID,
    ids=["wrong-type", "unknown-argument", "missing-required", "out-of-range", "malformed-region"],
)
async def test_invalid_arguments_never_reach_the_sandbox(
    action: str, arguments: dict[str, Any], field: str
) -> None:
    sb = Sandbox(delay=0)
    async with Client(build_server(Settings(sandbox=True), sandbox=sb, features=())) as c:
        result = await c.call_tool(action, arguments)
    assert result.is_error
    block = result.content[0]
    assert isinstance(block, types.TextContent) and f"- {field}:" in block.text
    assert sb.requests == []


async def test_a_well_formed_unknown_region_is_the_apis_to_judge() -> None:
    """Regions newer than the catalog's table pass validation; the service answers for
    them (the sandbox, like the API, says UnsupportedRegion for one it does not serve)."""
    sb = Sandbox(delay=0)
    async with Client(build_server(Settings(sandbox=True), sandbox=sb, features=())) as c:
        result = await c.call_tool("DescribeInstances", {"Region": "ap-atlantis"})
    assert result.is_error and len(sb.requests) == 1
    block = result.content[0]
    assert isinstance(block, types.TextContent) and "UnsupportedRegion" in block.text


async def test_read_only_sandbox_server_sends_no_write() -> None:
    sb = Sandbox(delay=0)
    server = build_server(Settings(sandbox=True, read_only=True), sandbox=sb, features=())
    async with Client(server) as c:
        listed = (await c.list_tools()).tools
        result = await c.call_tool("StopInstances", {"InstanceIds": ["lhins-00000000"]})
    assert all(catalog.is_read(t.name) for t in listed)
    assert result.is_error and sb.requests == []
