"""What an answer costs a model: the server's answers beside the pre-issue-15 ones, same run.

Real answers from the in-process sandbox through the official MCP client. The baseline
is what the server returned before issue 15, rebuilt in this run from the same data:
one summary line plus the whole Response as JSON (``baseline_text``, the old
server/results.py), and ``all_pages`` with its old caps (1,000 items, 56,000 characters
of whole records). Rows:

- the 20-instance DescribeInstances listing, by default (target >= 3x smaller, and no
  non-empty value of the Response missing from the text) and with a typical ``fields``
  (target >= 10x);
- the 20-instance renewal quote, InquirePriceRenewInstances (target >= 5x);
- ``all_pages`` over 2,000 instances: items returned before vs now with ``fields``
  (target: all of them in one call, no truncation marker).

    uv run python bench/bench_answer_size.py
    uv run python bench/bench_answer_size.py --instances 300   # a smaller whole list
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.client import Client

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.sandbox.engine.seed import instance_record
from lighthouse_mcp.server.api_client import make_client
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.tools.fields import iter_leaves
from lighthouse_mcp.tools.whole_lists import TRUNCATED, all_pages

REGION = "ap-guangzhou"
BUNDLE, BLUEPRINT = "bundle2022_gen_01", "lhbp-uh2t0ifo"
TYPICAL_FIELDS = [
    "InstanceSet.InstanceId",
    "InstanceSet.InstanceName",
    "InstanceSet.InstanceState",
    "InstanceSet.PublicAddresses",
    "TotalCount",
]
WHOLE_LIST_FIELDS = ["InstanceSet.InstanceId", "InstanceSet.PublicAddresses", "TotalCount"]


@dataclass
class Row:
    label: str
    today: int
    new: int
    target: float
    unit: str = "chars"
    note: str = ""
    valid: bool = True  # the new answer keeps what it must (checked beside the ratio)

    @property
    def ratio(self) -> float:
        return self.today / self.new if self.new else float("inf")

    def line(self) -> str:
        ok = "ok" if self.ratio >= self.target and self.valid else "MISSED"
        return (
            f"{self.label:<46} {self.today:>9} {self.new:>9} {self.ratio:>8.1f}x "
            f"{self.target:>6.0f}x  {ok:<6} {self.unit}{'; ' + self.note if self.note else ''}"
        )


def missing_values(response: Mapping[str, Any], text: str) -> list[str]:
    """Non-empty values of ``response`` that the text does not show."""
    out = []
    for path, value in iter_leaves(response):
        if value is None or value == "" or path == "RequestId":
            continue
        shown = value if isinstance(value, str) else json.dumps(value)
        if shown not in text:
            out.append(f"{path}={shown}")
    return out


def add_instances(sb: Sandbox, count: int) -> None:
    """``count`` more instances straight into the sandbox's state: the API's quota (20 per
    bundle type) would refuse them, and the listing is what is measured here."""
    state = sb.backend.world(DEFAULT_SECRET_ID).region(REGION)
    blueprint = state.table("blueprints")[BLUEPRINT]
    rng = random.Random(15)
    now = sb.clock()
    table = state.table("instances")
    for i in range(count):
        iid = f"lhins-b{i:07d}"
        table[iid] = instance_record(
            iid,
            bundle_id=BUNDLE,
            blueprint=blueprint,
            zone=f"{REGION}-3",
            name=f"bulk-{i}",
            now=now,
            rng=rng,
            disk_id=f"lhdisk-b{i:06d}",
            state="RUNNING",
        )


def text_of(result: Any) -> str:
    return "".join(c.text for c in result.content if getattr(c, "type", "") == "text")


#: The old all_pages caps (tools/paging.py before issue 15).
OLD_MAX_ITEMS, OLD_MAX_CHARS = 1000, 56_000


def baseline_text(action: str, response: Mapping[str, Any]) -> str:
    """The text the server returned before issue 15: a summary line, then the JSON."""
    parts = []
    for key, value in response.items():
        if key == "RequestId":
            continue
        if isinstance(value, list):
            parts.append(f"{key}: {len(value)} item{'s' if len(value) != 1 else ''}")
        elif isinstance(value, str) and len(value) <= 40:
            parts.append(f"{key}={json.dumps(value, ensure_ascii=False)}")
        elif isinstance(value, int | float | bool):
            parts.append(f"{key}={value}")
    head = f"{action} succeeded (RequestId {response.get('RequestId')})"
    head += ": " + ", ".join(parts[:8]) if parts else "."
    body = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
    return f"{head}\n{body}"


async def measure(instances: int) -> list[Row]:
    settings = Settings(sandbox=True)
    sb = Sandbox(delay=0)
    direct = make_client(settings, sb)
    await direct.call(
        "CreateInstances",
        {
            "BundleId": BUNDLE,
            "BlueprintId": BLUEPRINT,
            "InstanceChargePrepaid": {"Period": 1},
            "InstanceCount": 18,
        },
        region=REGION,
    )
    rows: list[Row] = []
    server = build_server(settings, sandbox=sb)
    async with Client(server) as client:
        raw = await direct.call("DescribeInstances", {"Limit": 20}, region=REGION)
        today = baseline_text("DescribeInstances", raw)
        listing = await client.call_tool("DescribeInstances", {"Limit": 20, "Region": REGION})
        data = listing.structured_content or {}
        new = text_of(listing)
        assert len(data["InstanceSet"]) == 20, "the listing must hold 20 instances"
        lost = missing_values(data, new)
        rows.append(
            Row(
                "DescribeInstances x20, default",
                len(today),
                len(new),
                3,
                valid=not lost,
                note=f"{len(lost)} non-empty values missing"
                + (f" ({', '.join(lost[:3])})" if lost else ""),
            )
        )
        cut = await client.call_tool(
            "DescribeInstances", {"Limit": 20, "Region": REGION, "fields": TYPICAL_FIELDS}
        )
        rows.append(
            Row("DescribeInstances x20, fields (5 paths)", len(today), len(text_of(cut)), 10)
        )

        ids = [i["InstanceId"] for i in data["InstanceSet"]]
        args = {"InstanceIds": ids, "InstanceChargePrepaid": {"Period": 1}}
        quote_raw = await direct.call("InquirePriceRenewInstances", args, region=REGION)
        quote = await client.call_tool("InquirePriceRenewInstances", {**args, "Region": REGION})
        qtext = text_of(quote)
        rows.append(
            Row(
                "InquirePriceRenewInstances x20, default",
                len(baseline_text("InquirePriceRenewInstances", quote_raw)),
                len(qtext),
                5,
                note=qtext.splitlines()[0].split(": ", 1)[-1].split(" (RequestId")[0],
            )
        )

        add_instances(sb, instances - 20)

        async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            answer: dict[str, Any] = await direct.call(action, params, region=REGION)
            return answer

        before = await all_pages(
            call,
            "DescribeInstances",
            {},
            max_items=OLD_MAX_ITEMS,
            max_chars=OLD_MAX_CHARS,
        )
        whole = await client.call_tool(
            "DescribeInstances",
            {"all_pages": True, "Region": REGION, "fields": WHOLE_LIST_FIELDS},
        )
        merged = whole.structured_content or {}
        got = len(merged.get("InstanceSet") or [])
        marker = "cut: " + merged[TRUNCATED]["hint"] if TRUNCATED in merged else "whole"
        # Items, not characters: here more is better (printed apart in main).
        rows.append(
            Row(
                f"all_pages DescribeInstances x{instances}, fields",
                len(before["InstanceSet"]),
                got,
                0,
                unit="items returned",
                note=f"{got} of {merged.get('TotalCount')}, {marker}; "
                f"text {len(text_of(whole))} chars",
            )
        )
    await server.aclose()
    await direct.aclose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances", type=int, default=2000, help="instances in the whole-list row (default 2000)"
    )
    args = parser.parse_args(argv)
    rows = anyio.run(measure, max(args.instances, 20))
    print(
        f"{'answer':<46} {'before':>9} {'now':>9} {'ratio':>9} {'target':>7}  {'':<6} unit; notes"
    )
    for row in rows[:-1]:
        print(row.line())
    whole = rows[-1]
    ok = "ok" if whole.new == args.instances and "whole" in whole.note else "MISSED"
    gain = whole.new / whole.today if whole.today else float("inf")
    print(
        f"{whole.label:<46} {whole.today:>9} {whole.new:>9} {gain:>8.1f}x "
        f"{'all':>7}  {ok:<6} {whole.unit}; {whole.note}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
