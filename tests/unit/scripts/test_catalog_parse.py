"""The docs parsers on small hand-made extracts: furniture, wrapped lines, broken rows, facts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))

from catalog_parse import facts
from catalog_parse.examples import loads_lenient, query_to_body
from catalog_parse.furniture import clean_lines
from catalog_parse.tables import Layout, parse_errors, parse_params
from catalog_parse.text import join_wrapped

PAGE_BREAK = """实例 ID 列表。

查看实例列表
最近更新时间：2025-05-14 01:42:38

推荐使用 API Explorer 点击调试

https://cloud.tencent.com/document/api/1207/47564
https://console.cloud.tencent.com/api/explorer?Product=lighthouse
 参数名称 必选 类型 描述

Offset 否 Integer
"""


def test_furniture_is_dropped_and_the_title_kept() -> None:
    lines, titles = clean_lines(PAGE_BREAK)
    assert lines == ["实例 ID 列表。", "参数名称 必选 类型 描述", "Offset 否 Integer"]
    assert [(t.title, t.group_heading, t.index) for t in titles] == [("查看实例列表", None, 1)]


def test_copyright_header_and_heading_fragments() -> None:
    text = "a\n\n轻量应用服务器\n\n版权所有：腾讯云计算（北京）有限责任公司 第40 共415页\n"
    text += "\nb\n接 描述\n"
    text += "https://cloud.tencent.com/x\n 1. 接口描述\n"
    lines, _ = clean_lines(text)
    assert lines == ["a", "b", "1. 接口描述"]


def test_title_lost_above_a_blank_line_is_not_eaten() -> None:
    lines, titles = clean_lines('"InstanceId": "lhins-1"\n}\n\n最近更新时间：2025-05-14\n')
    assert lines == ['"InstanceId": "lhins-1"', "}"]
    assert titles[0].title == ""


def test_group_heading_before_title() -> None:
    _, titles = clean_lines("x\n镜像相关接口\n\n创建镜像\n最近更新时间：2025\n")
    assert (titles[0].title, titles[0].group_heading) == ("创建镜像", "镜像相关接口")


def test_join_wrapped_glues_full_lines_only() -> None:
    full = "唯" * 50  # 100 columns: the widest line of the column
    assert join_wrapped([full, "续。", "短行。", "下一段"]) == full + "续。\n短行。\n下一段"
    # A bracket left open is always continued.
    assert join_wrapped(["ENTERPRISE_BUNDLE( 企业型", "套餐)", "x"], 200) == (
        "ENTERPRISE_BUNDLE( 企业型套餐)\nx"
    )


def test_join_wrapped_keeps_list_items_and_word_spaces() -> None:
    column = 100
    item = "NOTIFY_AND_MANUAL_RENEW：通知过期不自动续费，用户需要手动续费" + "x" * 20  # 84 cols
    assert join_wrapped([item, "DISABLE_NOTIFY_AND_MANUAL_RENEW：不通知"], column) == (
        item + "\nDISABLE_NOTIFY_AND_MANUAL_RENEW：不通知"
    )
    # A line cut after an enumeration comma continues even before an item-looking line.
    cut = "NORMAL（正常）、SYNCING（同步中）、OFFLINE（下线）、ISOLATED（已隔离）、"
    tail = "CREATEFAILED（创建失败）。"
    assert join_wrapped([cut, tail], 90) == cut + tail
    path = "对于 POWERSHELL 命令默认为 C:\\Program"  # 37 of 40 columns: cut by the layout
    assert join_wrapped([path, "Files\\qcloud"], 40) == path + " Files\\qcloud"


def test_broken_rows() -> None:
    body = [
        "参数名称 必选 类型 描述",
        "DiskIds.N 是",
        "Array of",
        "String",
        "云硬盘ID列表。",
        '示例值：["lhdisk-1"]',
        "Filters.N 否 Array of Filter 过滤器列表。",
        "Zone 否 String",
        "可用区。",
    ]
    rows = parse_params(body, Layout.REQUIRED_FIRST, frozenset({"Filter"}))
    assert [(r.name, r.type, r.array, r.required) for r in rows] == [
        ("DiskIds", "String", True, True),
        ("Filters", "Filter", True, False),
        ("Zone", "String", False, False),
    ]
    assert rows[0].example == '["lhdisk-1"]' and rows[0].description == "云硬盘ID列表。"
    assert rows[1].description == "过滤器列表。"


def test_output_rows_with_split_timestamp_and_unknown_types() -> None:
    body = ["CreatedTime", "Timestamp", "ISO8601", "创建时间。", "Foo Bar", "Set", "Array of",
            "Instance", "列表。"]  # fmt: skip
    rows = parse_params(body, Layout.NO_REQUIRED, frozenset({"Instance"}))
    assert [(r.name, r.type, r.array, r.required) for r in rows] == [
        ("CreatedTime", "Timestamp ISO8601", False, None),
        ("Set", "Instance", True, None),
    ]
    # "Foo Bar" names no known type, so it is description text, not a row.
    assert rows[0].description == "创建时间。\nFoo Bar"


def test_input_structure_rows() -> None:
    rows = parse_params(["Protocol String 是", "协议。", "Port String 否"],
                        Layout.REQUIRED_LAST, frozenset())  # fmt: skip
    assert [(r.name, r.required) for r in rows] == [("Protocol", True), ("Port", False)]


def test_error_rows() -> None:
    rows = parse_errors(["错误码 描述", "FailedOperation 操作失败。",
                         "AuthFailure.SecretIdNotFound", "密钥不存在。",
                         "Timestamp 和服务器时间相差过大。"])  # fmt: skip
    assert rows == [
        ("FailedOperation", "操作失败。"),
        ("AuthFailure.SecretIdNotFound", "密钥不存在。\nTimestamp 和服务器时间相差过大。"),
    ]


@pytest.mark.parametrize(
    ("type_", "text", "enum"),
    [
        ("String", "取值：ACCEPT（允许），DROP（拒绝）。默认为 ACCEPT。", ["ACCEPT", "DROP"]),
        ("String", "状态。取值范围：\nRUNNING：运行中。\nSTOPPED：已关机。\n默认取值：RUNNING。",
         ["RUNNING", "STOPPED"]),
        ("String", '取值范围："A_B"：甲。 "C_D"：乙。默认按甲。', ["A_B", "C_D"]),
        ("Integer", "可选值：1, 2, 3, 12。", [1, 2, 3, 12]),
        ("String", "端口，取值：ALL，单独的端口。", None),
        ("Integer", "成功后此字段取值为 100。", None),
        ("String", "枚举值:\nno: 不重启。\non-failure[:max-retries]: 重启。", None),
        ("Integer", "购买数量。取值范围：[1，30]。默认取值：1。", None),
    ],
)  # fmt: skip
def test_enums(type_: str, text: str, enum: list[str | int] | None) -> None:
    assert facts.enum_facts(type_, text).get("enum") == enum


def test_bounds_and_defaults() -> None:
    def param(type_: str, text: str, array: bool = False) -> dict[str, object]:
        p = {"name": "X", "type": type_, "array": array, "required": False, "description": text}
        return facts.param_facts(p)

    limit = param("Integer", "返回数量，默认为 20，最大值为 100。")
    assert limit == {"default": 20, "maximum": 100}
    assert param("Integer", "取值范围：[1，30]。默认取值：1。") == {
        "minimum": 1, "maximum": 30, "default": 1,
    }  # fmt: skip
    assert param("String", "镜像名称。最大长度60。") == {"max_length": 60}
    assert param("String", "列表。列表长度最大值为100。", array=True) == {"max_items": 100}
    assert param("Boolean", "取值范围：\nTrue：是\nFalse：否\n默认取值：True") == {"default": True}
    assert param("String", "默认为全部可用区。") == {}
    out = {"name": "X", "type": "String", "array": False, "required": None,
           "description": "注意：此字段可能返回 null，表示取不到有效值。最大长度60。"}  # fmt: skip
    assert facts.param_facts(out) == {"nullable": True}


def test_constraints() -> None:
    params = [
        {"name": "InstanceIds", "description": "x"},
        {"name": "Filters", "description": "参数不支持同时指定 InstanceIds 和 Filters。"},
        {"name": "Order", "description": "默认升序。当传入该字段时，必须指定OrderField。"},
        {"name": "OrderField", "description": "y"},
    ]
    assert [(c["kind"], c["params"]) for c in facts.constraints(params)] == [
        ("mutually_exclusive", ["InstanceIds", "Filters"]),
        ("requires", ["Order", "OrderField"]),
    ]


def test_query_examples_become_typed_bodies() -> None:
    def coerce(path: list[str], raw: str) -> object:
        return int(raw) if path == ["Limit"] else raw

    body = query_to_body(
        "Action=DescribeInstances&Limit=1&Filters.0.Name=zone&Filters.0.Values.0=ap-1"
        "&InstanceIds.0=a&InstanceIds.1=b&<公共请求参数>",
        coerce,
    )
    assert body == {
        "Limit": 1,
        "Filters": [{"Name": "zone", "Values": ["ap-1"]}],
        "InstanceIds": ["a", "b"],
    }
    assert query_to_body("InstanceIds.1=b", coerce) is None  # index 1 before index 0


def test_lenient_json() -> None:
    assert loads_lenient('{"a": [1, 2,], }发者资源') == {"a": [1, 2]}
    assert loads_lenient("not json") is None
