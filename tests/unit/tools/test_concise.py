"""Concise text: empty members left out (said once), headline figures, tables that lose no
value, price quotes without discount tables by default."""

from __future__ import annotations

import json
from typing import Any

from lighthouse_mcp.tools.concise import (
    EMPTY_NOTE,
    concise_text,
    default_fields,
    drop_empty,
    headline,
    left_out_note,
    table,
)
from lighthouse_mcp.tools.fields import check_fields, iter_leaves, project
from lighthouse_mcp.tools.schema import output_schema


def _instance(i: int, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "InstanceId": f"lhins-{i:04d}",
        "InstanceName": f"web|{i}",
        "InstanceState": state,
        "CPU": 2,
        "PublicAddresses": [f"1.2.3.{i}"],
        "Tags": [],
        "IsolatedTime": None,
        "LatestOperationState": "SUCCESS",
        "SystemDisk": {"DiskType": "CLOUD_SSD", "DiskSize": 40 + i},
        **extra,
    }


LISTING: dict[str, Any] = {
    "TotalCount": 3,
    "InstanceSet": [
        _instance(1, "RUNNING"),
        _instance(2, "RUNNING"),
        _instance(3, "STOPPED", LoginSettings={}),
    ],
    "RequestId": "req-9",
}


def test_drop_empty_counts_and_keeps_positions() -> None:
    value: dict[str, Any] = {
        "a": None,
        "b": "",
        "c": [],
        "d": {},
        "e": {"f": [], "g": 0},
        "h": [{}, 1, None],
        "i": False,
    }
    kept, dropped = drop_empty(value)
    assert kept == {"e": {"g": 0}, "h": [{}, 1, None], "i": False}
    assert dropped == 5


def test_headline_counts_states_and_region() -> None:
    line = headline("DescribeInstances", LISTING, "ap-guangzhou")
    assert line == (
        "DescribeInstances succeeded in ap-guangzhou: 3 instances: 2 RUNNING, 1 STOPPED"
    )


def test_headline_says_of_total_when_a_page_is_partial() -> None:
    page = {**LISTING, "TotalCount": 40}
    assert "3 of 40 instances" in headline("DescribeInstances", page)


def test_headline_nouns() -> None:
    assert "2 disk backups" in headline("X", {"DiskBackupSet": [{}, {}]})
    assert headline("X", {"KeyPairSet": [{"KeyId": "k"}]}).endswith(": 1 key pair")
    assert "0 instances" in headline("X", {"InstanceSet": []})


def test_price_headline_with_currency_and_discount() -> None:
    quote = {
        "Price": {
            "InstancePrice": {
                "OriginalPrice": 1200.0,
                "DiscountPrice": 1020.0,
                "Discount": 85,
                "Currency": "CNY",
            }
        }
    }
    line = headline("InquirePriceRenewInstances", quote, "ap-shanghai")
    assert line == (
        "InquirePriceRenewInstances succeeded in ap-shanghai: total 1,200.00 CNY, "
        "discounted 1,020.00 CNY (85% of list)"
    )
    disk = {"DiskPrice": {"OriginalPrice": 30.0, "DiscountPrice": 30.0, "Discount": 100}}
    assert "total 30.00, discounted 30.00" in headline("InquirePriceCreateDisks", disk)


def test_table_writes_shared_values_once_and_loses_nothing() -> None:
    lines = table(LISTING["InstanceSet"])
    assert lines[0].startswith("same in all: ")
    assert "CPU=2" in lines[0] and "SystemDisk.DiskType=CLOUD_SSD" in lines[0]
    header = lines[1].split("|")
    assert "InstanceId" in header and "SystemDisk.DiskSize" in header
    assert len(lines) == 2 + 3
    assert '"web|1"' in lines[2]  # a value holding the separator is quoted


def test_text_keeps_every_non_empty_value_and_says_empties_once() -> None:
    text = concise_text("DescribeInstances", LISTING, "ap-guangzhou")
    for path, value in iter_leaves(LISTING):
        if value in (None, "") or path == "RequestId":
            continue
        shown = value if isinstance(value, str) else json.dumps(value)
        assert shown in text, (path, value)
    assert text.count(EMPTY_NOTE) == 1
    assert "Tags" not in text and "IsolatedTime" not in text and "LoginSettings" not in text
    assert text.splitlines()[0].endswith("(RequestId req-9)")


def test_no_note_when_nothing_is_empty() -> None:
    assert EMPTY_NOTE not in concise_text("DescribeRegions", {"TotalCount": 1})


def test_price_quotes_default_to_totals_without_discount_tables() -> None:
    schema = output_schema("InquirePriceRenewInstances")
    paths = default_fields("InquirePriceRenewInstances", schema)
    assert paths is not None and check_fields(schema, paths) == []
    assert "InstancePriceDetailSet.InstanceId" in paths
    assert "InstancePriceDetailSet.InstancePrice" in paths
    assert not any("DiscountDetail" in p for p in paths)
    quote = {
        "Price": {"InstancePrice": {"OriginalPrice": 60.0, "DiscountPrice": 60.0}},
        "InstancePriceDetailSet": [
            {
                "InstanceId": "lhins-1",
                "InstancePrice": {"DiscountPrice": 60.0},
                "DiscountDetail": [{"TimeSpan": 1}] * 16,
            }
        ],
    }
    projected = project(quote, paths)
    assert projected["InstancePriceDetailSet"] == [
        {"InstanceId": "lhins-1", "InstancePrice": {"DiscountPrice": 60.0}}
    ]
    note = left_out_note("InquirePriceRenewInstances", quote)
    assert note is not None and "InstancePriceDetailSet.DiscountDetail" in note


def test_no_default_projection_outside_price_quotes() -> None:
    assert default_fields("DescribeInstances", output_schema("DescribeInstances")) is None
    assert (
        default_fields("InquirePriceCreateInstances", output_schema("InquirePriceCreateInstances"))
        is None
    )
    assert left_out_note("DescribeInstances", LISTING) is None
