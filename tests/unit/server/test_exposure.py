"""The exposed action set is the upper bound the flags draw (real catalog)."""

from __future__ import annotations

import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.server.config import ConfigError, Settings
from lighthouse_mcp.server.exposure import exposed_actions, group_ids
from tests.support.spec import spec_action_names


def test_everything_by_default_and_under_the_128_cap() -> None:
    names = exposed_actions(Settings())
    assert names == tuple(spec_action_names()) and len(names) <= 128


def test_read_only_keeps_only_reads() -> None:
    names = exposed_actions(Settings(read_only=True))
    assert names and all(catalog.is_read(n) for n in names)
    assert "TerminateInstances" not in names and "DescribeInstances" in names


def test_toolsets_tools_and_exclude_compose_with_exclude_winning() -> None:
    fw = exposed_actions(Settings(toolsets=("firewall",)))
    assert fw and {catalog.action(n)["group_id"] for n in fw} == {"firewall"}
    both = exposed_actions(Settings(toolsets=("firewall", "keypair")))
    assert set(fw) < set(both)
    picked = exposed_actions(
        Settings(tools=("DescribeInstances", "StopInstances"), exclude_tools=("StopInstances",))
    )
    assert picked == ("DescribeInstances",)
    narrowed = exposed_actions(Settings(toolsets=("firewall",), tools=("DescribeInstances",)))
    assert narrowed == ()
    ro = exposed_actions(Settings(tools=("StopInstances", "DescribeInstances"), read_only=True))
    assert ro == ("DescribeInstances",)


def test_unknown_names_are_errors_with_suggestions() -> None:
    with pytest.raises(ConfigError, match=r"--toolsets: unknown toolset firewal \(did you mean"):
        exposed_actions(Settings(toolsets=("firewal",)))
    with pytest.raises(ConfigError, match="--tools: unknown action DescribeInstance "):
        exposed_actions(Settings(tools=("DescribeInstance",)))
    with pytest.raises(ConfigError, match="--exclude-tools"):
        exposed_actions(Settings(exclude_tools=("Nope",)))


def test_group_ids_match_the_contract() -> None:
    assert set(group_ids()) == {
        "blueprint",
        "disk-backup",
        "firewall",
        "snapshot",
        "keypair",
        "instance",
        "ccn",
        "disk",
        "other",
        "scene",
        "bundle",
        "docker",
        "quota",
        "region",
        "mcp-server",
    }
