"""Validation cost per tool call, beside jsonschema on the same schema in the same run.

Every tool call is validated before anything is sent, so validation must cost
microseconds. The baseline is jsonschema's compiled Draft 2020-12 validator (the one the
MCP client uses for outputs) over the identical schema; ours also collects every problem,
suggests corrections and applies the catalog's cross-parameter rules.

    uv run python bench/bench_validate.py
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jsonschema

from lighthouse_mcp.tools.schema import input_schema
from lighthouse_mcp.tools.validate import validate

CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "DescribeInstances",
        "typical read",
        {
            "Filters": [
                {"Name": "instance-state", "Values": ["RUNNING"]},
                {"Name": "tag:env", "Values": ["prod"]},
            ],
            "Limit": 20,
            "Region": "ap-guangzhou",
        },
    ),
    (
        "CreateInstances",
        "big write",
        {
            "BundleId": "bundle_gen_03",
            "BlueprintId": "lhbp-g0tn7djh",
            "InstanceChargePrepaid": {"Period": 1, "RenewFlag": "NOTIFY_AND_MANUAL_RENEW"},
            "InstanceName": "web",
            "InstanceCount": 1,
            "Zones": ["ap-guangzhou-3"],
            "LoginConfiguration": {"AutoGeneratePassword": "YES"},
            "Containers": [
                {
                    "ContainerImage": "nginx",
                    "PublishPorts": [{"HostPort": 80, "ContainerPort": 80}],
                    "Envs": [{"Key": "A", "Value": "b"}],
                }
            ],
            "Tags": [{"Key": "team", "Value": "web"}],
            "Region": "ap-guangzhou",
        },
    ),
    (
        "DescribeInstances",
        "invalid call",
        {
            "Limit": True,
            "instanceids": ["x"],
            "Order": "asc",
            "Region": "guangzhou",
            "Filters": [{"Name": "instance-nam", "Values": ["a"]}],
        },
    ),
]


def _per_call(fn: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def _reference_errors(
    checker: jsonschema.Draft202012Validator, arguments: dict[str, Any]
) -> list[jsonschema.ValidationError]:
    return list(checker.iter_errors(arguments))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="validation cost per call")
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args(argv)
    print(
        f"{'action':<20} {'case':<22} {'ours µs':>8} {'jsonschema µs':>14} {'ratio':>6}  problems"
    )
    for action, label, arguments in CASES:
        problems = validate(action, arguments)  # compile once, outside the timing
        ours = _per_call(partial(validate, action, arguments), args.number)
        checker = jsonschema.Draft202012Validator(input_schema(action, region_enum=True))
        base = _per_call(partial(_reference_errors, checker, arguments), args.number)
        print(
            f"{action:<20} {label:<22} {ours:>8.1f} {base:>14.1f} {ours / base:>6.2f}  "
            f"{len(problems)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
