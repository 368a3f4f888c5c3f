"""What features build on, through the official MCP client: progress notifications,
prompts and resources, elicitation (handshake era) and input-required results
(2026 era) for the confirmation gate, and the server instructions."""

from __future__ import annotations

from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.context import ClientRequestContext

from lighthouse_mcp.server.hooks import GateDecision, PendingCall, SessionInfo, ToolContext
from lighthouse_mcp.server.registry import (
    PromptSpec,
    ResourceSpec,
    ResourceTemplateSpec,
    ToolSpec,
)
from lighthouse_mcp.server.results import text_result, tool_error
from tests.unit.server.fakes import FakeClient, fake_registry, fake_server

pytestmark = pytest.mark.anyio
SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_progress_reaches_the_client(mode: str) -> None:
    reg = fake_registry()

    async def slow(args: dict[str, Any], ctx: ToolContext) -> Any:
        for step in range(3):
            await ctx.report_progress(step + 1, 3, f"step {step + 1}")
        return text_result("done")

    reg.add_tool(
        ToolSpec(
            "slow",
            "Slow",
            "reports progress",
            {"type": "object"},
            types.ToolAnnotations(read_only_hint=True),
            slow,
        )
    )
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(fake_server(FakeClient(), registry=reg), mode=mode) as c:
        result = await c.call_tool("slow", {}, progress_callback=on_progress)
    assert not result.is_error
    assert seen == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]


async def test_prompts_resources_and_instructions() -> None:
    reg = fake_registry()

    async def render(args: dict[str, str]) -> types.GetPromptResult:
        return types.GetPromptResult(
            messages=[
                types.PromptMessage(
                    role="user", content=types.TextContent(type="text", text=f"hi {args['who']}")
                )
            ]
        )

    async def read_doc(uri: str) -> str:
        return "regions: ap-guangzhou"

    async def read_action(uri: str) -> str:
        if not uri.startswith("lighthouse://actions/"):
            raise KeyError(uri)
        return uri.rsplit("/", 1)[1]

    reg.add_prompt(
        PromptSpec(
            types.Prompt(name="greet", arguments=[types.PromptArgument(name="who", required=True)]),
            render,
        )
    )
    reg.add_resource(
        ResourceSpec(
            types.Resource(uri="lighthouse://regions", name="regions", mime_type="text/plain"),
            read_doc,
        )
    )
    reg.add_resource_template(
        ResourceTemplateSpec(
            types.ResourceTemplate(uri_template="lighthouse://actions/{name}", name="action"),
            read_action,
        )
    )
    reg.add_instructions("Extra line from a feature.")
    server = fake_server(FakeClient(), registry=reg)
    assert server.instructions and server.instructions.endswith("Extra line from a feature.")
    async with Client(server, mode="legacy") as c:
        prompts = (await c.list_prompts()).prompts
        got = await c.get_prompt("greet", {"who": "ops"})
        resources = (await c.list_resources()).resources
        doc = await c.read_resource("lighthouse://regions")
        templated = await c.read_resource("lighthouse://actions/DescribeInstances")
    assert [p.name for p in prompts] == ["greet"]
    content = got.messages[0].content
    assert isinstance(content, types.TextContent) and content.text == "hi ops"
    assert [str(r.uri) for r in resources] == ["lighthouse://regions"]
    first, second = doc.contents[0], templated.contents[0]
    assert isinstance(first, types.TextResourceContents) and first.text.startswith("regions")
    assert isinstance(second, types.TextResourceContents) and second.text == "DescribeInstances"


class ElicitingGate:
    """Asks the user through elicitation where possible, else via input-required."""

    def __init__(self) -> None:
        self.sessions: list[SessionInfo] = []

    async def check(self, call: PendingCall, session: SessionInfo) -> GateDecision:
        self.sessions.append(session)
        if session.can_elicit:
            answer = await session.elicit(f"Really run {call.action}?", SCHEMA)
            ok = answer.action == "accept" and bool((answer.content or {}).get("ok"))
            return GateDecision(ok, None if ok else tool_error("declined", code="Declined"))
        if session.input_responses and "confirm" in session.input_responses:
            answer = session.input_responses["confirm"]
            ok = getattr(answer, "action", None) == "accept"
            return GateDecision(ok, None if ok else tool_error("declined", code="Declined"))
        return GateDecision.refuse(
            types.InputRequiredResult(
                input_requests={
                    "confirm": types.ElicitRequest(
                        params=types.ElicitRequestFormParams(
                            message=f"Really run {call.action}?", requested_schema=SCHEMA
                        )
                    )
                }
            )
        )


def _answering(accept: bool) -> Any:
    async def answer(
        ctx: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        return types.ElicitResult(
            action="accept" if accept else "decline", content={"ok": True} if accept else None
        )

    return answer


@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.parametrize("accept", [True, False])
async def test_gate_can_ask_the_user(mode: str, accept: bool) -> None:
    api, gate = FakeClient(), ElicitingGate()
    reg = fake_registry()
    reg.set_gate(gate)
    async with Client(
        fake_server(api, registry=reg), mode=mode, elicitation_callback=_answering(accept)
    ) as c:
        result = await c.call_tool("DeleteThing", {"ThingId": "t-1"})
    assert result.is_error is (not accept)
    assert len(api.calls) == (1 if accept else 0)
    assert gate.sessions[0].can_elicit is (mode == "legacy")


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_client_cancellation_stops_the_handler(mode: str) -> None:
    """A waiter blocked in anyio.sleep unwinds when the client gives up on the call."""
    import anyio

    reg = fake_registry()
    state = {"started": anyio.Event(), "cleaned_up": anyio.Event()}

    async def wait_forever(args: dict[str, Any], ctx: ToolContext) -> Any:
        state["started"].set()
        try:
            await anyio.sleep(30)
        finally:
            state["cleaned_up"].set()
        return text_result("never")

    reg.add_tool(
        ToolSpec(
            "wait_forever",
            "Wait",
            "sleeps",
            {"type": "object"},
            types.ToolAnnotations(read_only_hint=True),
            wait_forever,
        )
    )
    async with Client(fake_server(FakeClient(), registry=reg), mode=mode) as c:
        with anyio.move_on_after(0.3):
            await c.call_tool("wait_forever", {})
        with anyio.fail_after(5):
            await state["cleaned_up"].wait()
    assert state["started"].is_set()
