"""tools/list, through the official MCP client, has a tool for every action of Tencent's
machine-readable spec, and each tool takes exactly that action's request members (plus
``Region``, a common request parameter, where the action takes one, and the
server's own arguments: the confirmation token of a gated tool, ``all_pages`` of a
paged Describe, ``fields`` of a tool whose answers hold records): nothing the API
accepts is refused, nothing it does not know is offered (issue 13)."""

from __future__ import annotations

import pytest
from mcp.client import Client

from lighthouse_mcp.sandbox import Sandbox
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.gate import TOKEN_ARG
from lighthouse_mcp.server.paging import ALL_PAGES
from lighthouse_mcp.server.projection import FIELDS
from tests.support.spec import lighthouse_api, spec_action_names

pytestmark = pytest.mark.anyio


async def test_every_spec_action_is_a_tool_with_exactly_its_inputs() -> None:
    server = build_server(Settings(sandbox=True, region="ap-guangzhou"), sandbox=Sandbox())
    try:
        async with Client(server) as client:
            listed = await client.list_tools()
    finally:
        await server.aclose()
    tools = {t.name: t for t in listed.tools}
    objects = lighthouse_api()["objects"]
    missing = [a for a in spec_action_names() if a not in tools]
    assert missing == []
    wrong = {}
    for action in spec_action_names():
        spec_inputs = {m["name"] for m in objects[f"{action}Request"]["members"]}
        offered = set(tools[action].input_schema.get("properties", {})) - {
            TOKEN_ARG,
            ALL_PAGES,
            FIELDS,
            "Region",
        }
        if offered != spec_inputs:
            wrong[action] = (sorted(spec_inputs - offered), sorted(offered - spec_inputs))
    assert wrong == {}, wrong
