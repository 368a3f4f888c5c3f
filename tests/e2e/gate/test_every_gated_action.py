"""Every action the default policy gates, called once through the MCP client with the
docs' example arguments: each answers with a preview and a token, or, where the example
is certain to fail on the sandbox's resources, with a refusal naming why before anyone
is asked; not one request that could change anything reaches the sandbox (dry runs
aside)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp.client import Client

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.gate import policy_from_settings
from tests.e2e.gate.helpers import CLIENT, audit, error_code, gate_server, mutations
from tests.support.examples import scenario_state, tool_arguments

pytestmark = pytest.mark.anyio

#: Examples certain to fail here, refused before asking, and what the refusal names.
REFUSED_BEFORE_ASKING = {
    "CreateInstances": "dry run says the API would refuse it (InvalidParameter.BundleIdNotFound)",
    "ModifyInstancesBundle": "the instance lhins-1a2b3c does not exist",
    "TerminateDisks": "TerminateDisks needs SHUTDOWN: IsolateDisks first",
    "TerminateInstances": "TerminateInstances needs SHUTDOWN: IsolateInstances first",
}


async def test_every_gated_action_previews_and_sends_nothing(tmp_path: Path) -> None:
    policy = policy_from_settings(Settings())
    gated = [a for a in catalog.action_names() if policy.needs_confirmation(a)]
    sb = Sandbox(delay=0)
    sb.backend.load_json(await scenario_state())  # a resource of each kind to preview
    answers: dict[str, str | None] = {}
    refusals: dict[str, str] = {}
    async with Client(
        gate_server(sb, tmp_path, confirm_mode="token"), mode="legacy", client_info=CLIENT
    ) as c:
        for action in gated:
            result = await c.call_tool(action, tool_arguments(sb, action))
            answers[action] = error_code(result)
            if answers[action] == "WouldFail":
                refusals[action] = result.content[0].text  # type: ignore[union-attr]
            if answers[action] == "ConfirmationRequired":
                preview = (result.structured_content or {})["Error"]["Preview"]
                assert preview["Action"] == action and preview["Class"]
    assert mutations(sb) == []
    not_asked = {a: code for a, code in answers.items() if code != "ConfirmationRequired"}
    assert not_asked == dict.fromkeys(REFUSED_BEFORE_ASKING, "WouldFail")
    for action, why in REFUSED_BEFORE_ASKING.items():
        assert why in refusals[action] and "nobody was asked" in refusals[action]
    issued = [r["action"] for r in audit(tmp_path) if r["decision"] == "token-issued"]
    assert sorted(issued) == sorted(set(gated) - set(REFUSED_BEFORE_ASKING))
    refused = [r["action"] for r in audit(tmp_path) if r["decision"] == "refused"]
    assert sorted(refused) == sorted(REFUSED_BEFORE_ASKING)
