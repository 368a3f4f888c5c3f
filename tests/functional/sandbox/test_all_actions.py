"""Every action answers, with its documented shape or a documented error.

Each action is called with its first documented example input. An answer passes when it
carries a RequestId and either no error, or an error code that the action's page or the
common error list documents (an example may name a resource this account lacks).
"""

from __future__ import annotations

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox.protocol.checks import region_required
from tests.support.spec import spec_action_names

from .conftest import COMMON_ERRORS, Api, example_input

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("name", catalog.action_names())
async def test_action_answers(api: Api, name: str) -> None:
    entry = catalog.action(name)
    region = "ap-guangzhou" if region_required(entry) else None
    data = await api.call(name, example_input(name), region=region)
    error = data.get("Error")
    if error is None:
        documented = {p["name"] for p in entry["outputs"]}
        assert set(data) <= documented, f"undocumented fields {set(data) - documented}"
        return
    allowed = {e["code"] for e in entry["errors"]} | COMMON_ERRORS
    assert error["Code"] in allowed, f"{name}: {error}"


def test_every_spec_action_is_in_the_catalog() -> None:
    assert catalog.action_names() == spec_action_names()
