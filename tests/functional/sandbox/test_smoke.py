"""First light: a signed request gets the seeded instances back."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_describe_instances_answers(api) -> None:  # type: ignore[no-untyped-def]
    data = await api.ok("DescribeRegions")
    assert any(r["Region"] == "ap-guangzhou" for r in data["RegionSet"])
    data = await api.ok("DescribeInstances", {"Limit": 1})
    print(data)
