"""What an answer costs a model: today's result text beside the concise text, same run.

Real answers from the in-process sandbox. "Today" is the text the assembled server
returns through the official MCP client; "new" is built from the same structuredContent
by lighthouse_mcp.tools.fields / concise / whole_lists (the modules of issue 15, before
they are wired into the server). Rows:

- the 20-instance DescribeInstances listing, by default (target >= 3x smaller, and no
  non-empty value of the Response missing from the text) and with a typical ``fields``
  (target >= 10x);
- the 20-instance renewal quote, InquirePriceRenewInstances (target >= 5x);
- ``all_pages`` over 2,000 instances: items returned today vs with ``fields`` (target:
  all of them, no truncation marker).

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
from lighthouse_mcp.tools.concise import concise_text, default_fields, left_out_note
from lighthouse_mcp.tools.fields import iter_leaves, project
from lighthouse_mcp.tools.schema import output_schema
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
        listing = await client.call_tool("DescribeInstances", {"Limit": 20, "Region": REGION})
        data = listing.structured_content or {}
        today = text_of(listing)
        assert len(data["InstanceSet"]) == 20, "the listing must hold 20 instances"
        new = concise_text("DescribeInstances", data, REGION)
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
        cut = concise_text("DescribeInstances", project(data, TYPICAL_FIELDS), REGION)
        rows.append(Row("DescribeInstances x20, fields (5 paths)", len(today), len(cut), 10))

        ids = [i["InstanceId"] for i in data["InstanceSet"]]
        quote = await client.call_tool(
            "InquirePriceRenewInstances",
            {"InstanceIds": ids, "InstanceChargePrepaid": {"Period": 1}, "Region": REGION},
        )
        qdata = quote.structured_content or {}
        paths = default_fields(
            "InquirePriceRenewInstances", output_schema("InquirePriceRenewInstances")
        )
        shown = project(qdata, paths) if paths else qdata
        qtext = concise_text("InquirePriceRenewInstances", shown, REGION)
        note = left_out_note("InquirePriceRenewInstances", qdata)
        qtext += "\n" + note if note else ""
        rows.append(
            Row(
                "InquirePriceRenewInstances x20, default",
                len(text_of(quote)),
                len(qtext),
                5,
                note=qtext.splitlines()[0].split(": ", 1)[-1].split(" (RequestId")[0],
            )
        )

        add_instances(sb, instances - 20)
        whole = await client.call_tool("DescribeInstances", {"all_pages": True, "Region": REGION})
        got_today = len((whole.structured_content or {}).get("InstanceSet") or [])

        async def call(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
            answer: dict[str, Any] = await direct.call(action, params, region=REGION)
            return answer

        merged = await all_pages(call, "DescribeInstances", {}, fields=WHOLE_LIST_FIELDS)
        got = len(merged["InstanceSet"])
        text = concise_text("DescribeInstances", merged, REGION)
        marker = "cut: " + merged[TRUNCATED]["hint"] if TRUNCATED in merged else "whole"
        # Items, not characters: here more is better (printed apart in main).
        rows.append(
            Row(
                f"all_pages DescribeInstances x{instances}, fields",
                got_today,
                got,
                0,
                unit="items returned",
                note=f"{got} of {merged.get('TotalCount')}, {marker}; text {len(text)} chars",
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
    print(f"{'answer':<46} {'today':>9} {'new':>9} {'ratio':>9} {'target':>7}  {'':<6} unit; notes")
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
