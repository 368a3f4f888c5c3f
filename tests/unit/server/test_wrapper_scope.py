"""Call wrappers are chosen per action: a call goes only through the wrappers that can
change it. Secret outputs are not a wrapper but an output filter over every response."""

from __future__ import annotations

from typing import Any

from lighthouse_mcp import catalog
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.hooks import CallNext, PendingCall, ToolContext
from lighthouse_mcp.tools.followups import recipe
from lighthouse_mcp.tools.paging import paging_spec


def _kinds(wrappers: tuple[Any, ...]) -> list[str]:
    return [getattr(w, "__name__", type(w).__name__) for w in wrappers]


def test_wrappers_per_action() -> None:
    pipeline = build_server(Settings(sandbox=True)).pipeline
    assert _kinds(pipeline.wrappers_for("DescribeInstances")) == ["AllPages"]
    assert _kinds(pipeline.wrappers_for("DescribeRegions")) == []
    assert _kinds(pipeline.wrappers_for("CreateKeyPair")) == []
    assert _kinds(pipeline.wrappers_for("DescribeDockerContainerDetail")) == []
    assert _kinds(pipeline.wrappers_for("StartInstances")) == ["NextStep"]


def test_every_action_keeps_the_wrappers_that_apply_to_it() -> None:
    """The registration order holds per action, and every action a wrapper acts on (by
    its own check) still goes through it."""
    pipeline = build_server(Settings(sandbox=True)).pipeline
    order = ["AllPages", "NextStep"]
    for action in catalog.action_names():
        chosen = _kinds(pipeline.wrappers_for(action))
        assert [order.index(k) for k in chosen] == sorted(order.index(k) for k in chosen)
        assert ("AllPages" in chosen) is (paging_spec(action) is not None), action
        assert ("NextStep" in chosen) is (recipe(action) is not None), action


def test_return_secrets_leaves_the_secret_output_filter_out() -> None:
    assert build_server(Settings(sandbox=True)).registry.output_filters
    assert build_server(Settings(sandbox=True, return_secrets=True)).registry.output_filters == []


def test_a_wrapper_added_later_is_seen() -> None:
    server = build_server(Settings(sandbox=True))
    assert server.pipeline.wrappers_for("DescribeRegions") == ()

    async def tag(call: PendingCall, ctx: ToolContext, call_next: CallNext) -> dict[str, Any]:
        return await call_next(call)

    server.registry.add_call_wrapper(tag)
    assert server.pipeline.wrappers_for("DescribeRegions") == (tag,)
