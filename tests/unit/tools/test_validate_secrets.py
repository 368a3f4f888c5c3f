"""tools.validate never repeats a secret value: not in a Problem, not in ValidationFailed.

Every shape a secret can be wrong in (type, nesting, length, inside a secret structure,
an env value), for the actions that carry passwords and env values.
"""

from __future__ import annotations

from typing import Any

import pytest

from lighthouse_mcp.tools.validate import ValidationFailed, check, validate

CANARY = "S3CR3T-canary-validate-0c1d"

#: Wrong shapes for a string field (a password, an env Value).
SHAPES: list[Any] = [[CANARY], {"p": CANARY}, 12345678, [{"x": CANARY}], [f"DB_PASSWORD={CANARY}"]]
#: Wrong shapes for a {Key, Value} list or item: also docker-style "NAME=value" text.
PAIR_SHAPES: list[Any] = [*SHAPES, f"DB_PASSWORD={CANARY}"]

CASES: list[tuple[str, dict[str, Any]]] = (
    [("ResetInstancesPassword", {"InstanceIds": ["lhins-aaaaaaaa"], "Password": s}) for s in SHAPES]
    + [("ResetInstance", {"InstanceId": "lhins-aaaaaaaa", "LoginConfiguration": s}) for s in SHAPES]
    + [
        (
            "ResetInstance",
            {
                "InstanceId": "lhins-aaaaaaaa",
                "LoginConfiguration": {"Password": s, "AutoGeneratePassword": s},
            },
        )
        for s in SHAPES
    ]
    + [
        (
            "ModifyDockerContainer",
            {
                "InstanceId": "lhins-aaaaaaaa",
                "ContainerId": "x",
                "Envs": [{"Key": "K", "Value": s, "Extra": s}],
            },
        )
        for s in SHAPES
    ]
    + [
        (
            "RunDockerContainers",
            {"InstanceId": "lhins-aaaaaaaa", "Containers": [{"ContainerImage": "x", "Envs": s}]},
        )
        for s in PAIR_SHAPES
    ]
    + [
        (
            "RunDockerContainers",
            {"InstanceId": "lhins-aaaaaaaa", "Containers": [{"ContainerImage": "x", "Envs": [s]}]},
        )
        for s in PAIR_SHAPES
        if not isinstance(s, dict)
    ]
)


def test_env_keys_stay_visible() -> None:
    """Only values are secret: a wrong Key is still shown, so the caller can fix it."""
    problems = validate(
        "ModifyDockerContainer",
        {
            "InstanceId": "lhins-aaaaaaaa",
            "ContainerId": "x",
            "Envs": [{"Key": ["NAME_AS_LIST"], "Value": CANARY}],
        },
    )
    assert any(p.path == "Envs[0].Key" and "array" in p.message for p in problems)
    assert all(CANARY not in p.message for p in problems)


@pytest.mark.parametrize(("action", "arguments"), CASES)
def test_problems_never_show_a_secret(action: str, arguments: dict[str, Any]) -> None:
    problems = validate(action, arguments)
    assert problems, arguments  # every case is invalid somewhere: the check can fail
    for p in problems:
        assert CANARY not in f"{p} {p!r} {p.path} {p.given} {p.expected} {p.message}"
    with pytest.raises(ValidationFailed) as info:
        check(action, arguments)
    assert CANARY not in str(info.value) and CANARY not in repr(info.value)
    assert all(CANARY not in str(a) for a in info.value.args)
