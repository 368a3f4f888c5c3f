"""The generated catalog: its shape for every action, its self-consistency, and pinned facts.

The catalog is built from the vendored spec (specs/lighthouse/v20200324) plus the docs'
facts the spec lacks. The pinned facts were read off both by hand; they fail if the
generator misreads a description (a lost enum, bound or filter, markup left in a text).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any, get_type_hints

import pytest

from lighthouse_mcp import catalog as cat
from lighthouse_mcp.catalog import SCALAR_TYPES, Action, Param, action, load_catalog

REPO = Path(__file__).resolve().parents[3]
#: The docs text the catalog is generated from (not in the checkout: it sits next to it).
DOCS = Path(
    os.environ.get("LIGHTHOUSE_API_DOCS") or REPO.parent / "shared" / "lighthouse-api-docs.txt"
)
SPEC = json.loads((REPO / "specs" / "lighthouse" / "v20200324" / "api.json").read_text("utf-8"))
CATALOG = load_catalog()
ACTIONS = sorted(CATALOG["actions"])
STRUCTURES = CATALOG["structures"]
FURNITURE = re.compile(
    r"版权所有|共415页|最近更新时间|推荐使用 API Explorer|https?://(?:cloud\.tencent|console\.cloud"
    r"|github|gitee)|^轻量应用服务器$",
    re.M,
)
#: The actions of the spec that the docs text does not cover (stated defaults apply).
SPEC_ONLY = {
    "CreateMcpServer", "DescribeMcpServers", "DescribeMcpServerTemplates", "ModifyMcpServer",
    "RemoveMcpServers", "RestartMcpServers", "StartMcpServers", "StopMcpServers",
    "DescribeImagesToShare", "ModifyImageSharePermission", "DescribeBlueprintBundles",
    "DescribeBlueprintsShareAcrossAccountInfos",
}  # fmt: skip
#: Group sizes of the API overview table (接口名称 接口功能 per group heading).
OVERVIEW_GROUP_SIZES = {
    "blueprint": 9, "disk-backup": 6, "firewall": 19, "snapshot": 6, "keypair": 6,
    "instance": 20, "ccn": 4, "disk": 17, "other": 2, "scene": 2, "bundle": 2,
    "docker": 12, "quota": 1, "region": 2,
}  # fmt: skip


def _params(act: Action) -> list[tuple[str, Param]]:
    return [("input", p) for p in act["inputs"]] + [("output", p) for p in act["outputs"]]


def _all_params() -> list[tuple[str, Param]]:
    found = [(f"{n}.{kind}", p) for n in ACTIONS for kind, p in _params(action(n))]
    for name, struct in STRUCTURES.items():
        found += [(f"structure {name}", m) for m in struct["members"]]
    return found


def _param(params: list[Param], name: str) -> Param:
    return next(p for p in params if p["name"] == name)


# --- shape and self-consistency ------------------------------------------------------


def test_every_spec_action_and_structure() -> None:
    assert sorted(SPEC["actions"]) == ACTIONS
    io = {a["input"] for a in SPEC["actions"].values()} | {
        a["output"] for a in SPEC["actions"].values()
    }
    assert set(STRUCTURES) == set(SPEC["objects"]) - io
    assert CATALOG["service"] == "lighthouse" and CATALOG["version"] == "2020-03-24"
    assert re.fullmatch(r"[0-9a-f]{64}", CATALOG["source_sha256"])
    source = json.loads((REPO / "specs" / "SOURCE.json").read_text("utf-8"))
    assert CATALOG["spec"] == {
        "package": "tccli",
        "version": source["version"],
        "path": "specs/lighthouse/v20200324",
    }


def test_spec_only_actions_carry_stated_defaults() -> None:
    defaulted = {n for n in ACTIONS if action(n).get("defaults")}
    assert defaulted == SPEC_ONLY
    stated = CATALOG["stated_defaults"]
    for name in SPEC_ONLY:
        act = action(name)
        assert act["defaults"] == ["errors", "group", "rate_limit"]
        assert act["rate_limit"] == stated["rate_limit"] and act["errors"] == stated["errors"]
    assert {action(n)["group_id"] for n in SPEC_ONLY} == {"mcp-server", "blueprint", "bundle"}
    assert "default" in stated["text"]


def test_groups_match_overview() -> None:
    sizes = {
        g["id"]: len([a for a in g["actions"] if a not in SPEC_ONLY]) for g in CATALOG["groups"]
    }
    assert {k: v for k, v in sizes.items() if v} == OVERVIEW_GROUP_SIZES
    assert sum(len(g["actions"]) for g in CATALOG["groups"]) == len(ACTIONS)
    for group in CATALOG["groups"]:
        for name in group["actions"]:
            assert action(name)["group_id"] == group["id"]
            assert action(name)["group"] == group["name"]


@pytest.mark.parametrize("name", ACTIONS)
def test_action_shape(name: str) -> None:
    act = action(name)
    optional = ("async_note", "filters", "defaults")
    required_keys = {k for k in get_type_hints(Action) if k not in optional}
    assert required_keys <= set(act)
    assert act["name"] == name
    assert act["title_zh"] and act["description"]
    assert isinstance(act["rate_limit"], int) and act["rate_limit"] > 0
    assert act["asynchronous"] == ("async_note" in act)
    assert act["outputs"][-1]["name"] == "RequestId"
    names = [p["name"] for p in act["inputs"]]
    assert len(names) == len(set(names)), "duplicate input"
    assert not {"Action", "Version", "Region"} & set(names) or name == "DescribeRegions"
    for kind, p in _params(act):
        assert not p["name"].endswith(".N")
        assert p["required"] is None if kind == "output" else isinstance(p["required"], bool)
        assert p["type"] in SCALAR_TYPES or p["type"] in STRUCTURES, p
        assert p["description"], f"{name} {p['name']} has no description"
    assert act["errors"] or name in SPEC_ONLY, "every documented action lists error codes"
    assert act["examples"], "every action has an example"
    for ex in act["examples"]:
        assert ex["output"] is not None and "Response" in ex["output"]
        assert "RequestId" in ex["output"]["Response"]


def test_no_furniture_anywhere() -> None:
    texts: list[tuple[str, str]] = []
    for name in ACTIONS:
        act = action(name)
        texts.append((name, act["description"]))
        texts += [(f"{name}.{p['name']}", p["description"]) for _, p in _params(act)]
        texts += [(f"{name} error {e['code']}", e["description"]) for e in act["errors"]]
        for spec in act.get("filters", {}).get("filters", []):
            texts.append((f"{name} filter {spec['name']}", spec["description"]))
    for sname, struct in STRUCTURES.items():
        texts.append((sname, struct["description"]))
        texts += [(f"{sname}.{m['name']}", m["description"]) for m in struct["members"]]
    dirty = [(where, text[:80]) for where, text in texts if FURNITURE.search(text)]
    assert dirty == []
    # Heading fragments that page breaks leave behind ("接 描述", "发者资源") are gone too.
    assert not [w for w, t in texts if re.search(r"(^|\n)(接 描述|发者资源|例|输出参数)($|\n)", t)]


def test_every_structure_is_defined_and_used() -> None:
    used = {p["type"] for _, p in _all_params() if p["type"] in STRUCTURES}
    assert used == set(STRUCTURES)
    for struct in STRUCTURES.values():
        assert struct["members"], struct["name"]
        assert set(struct["referenced_by"]) <= set(ACTIONS), struct["name"]


def test_examples_only_use_documented_fields() -> None:
    """Every key of every example (nested too) is a documented parameter or member."""

    def check(value: Any, params: list[Param], where: str) -> None:
        if not isinstance(value, dict):
            return
        by_name = {p["name"]: p for p in params}
        for key, item in value.items():
            assert key in by_name, f"{where}: example key {key} is not documented"
            struct = STRUCTURES.get(by_name[key]["type"])
            if struct is not None:
                for element in item if isinstance(item, list) else [item]:
                    check(element, struct["members"], f"{where}.{key}")

    checked = 0
    for name in ACTIONS:
        act = action(name)
        for ex in act["examples"]:
            assert ex["output"] is not None
            response = {k: v for k, v in ex["output"]["Response"].items() if k != "RequestId"}
            check(response, act["outputs"], name)
            if ex["input"] is not None:
                check(ex["input"], act["inputs"], name)
                checked += 1
    assert checked >= 100


def test_example_values_are_typed_from_query_strings() -> None:
    # DescribeInstances' example is a GET query string: Limit=1 must become an integer.
    assert action("DescribeInstances")["examples"][0]["input"] == {"Limit": 1}
    ex = action("DescribeBlueprintInstances")["examples"][0]["input"]
    assert ex == {"InstanceIds": ["lhins-f4s49nap"]}


def test_regions_and_endpoints() -> None:
    regions = {r["region"]: r for r in CATALOG["regions"]}
    # The docs' 地域列表 lists 15 regions; the financial ones and ap-chongqing come from
    # the endpoint table.
    assert len(regions) == 18
    assert regions["ap-chongqing"] == {
        "region": "ap-chongqing",
        "name": "西南地区（重庆）",
        "financial": False,
    }
    assert {"ap-guangzhou", "ap-shanghai", "na-siliconvalley", "sa-saopaulo"} <= set(regions)
    assert regions["ap-guangzhou"] == {
        "region": "ap-guangzhou", "name": "华南地区（广州）", "financial": False,
    }  # fmt: skip
    assert regions["ap-shenzhen-fsi"]["financial"] is True
    fsi = regions["ap-shenzhen-fsi"]
    assert fsi["endpoint"] == "lighthouse.ap-shenzhen-fsi.tencentcloudapi.com"
    assert CATALOG["endpoints"]["default"] == "lighthouse.tencentcloudapi.com"
    assert CATALOG["endpoints"]["regional"] == "lighthouse.{region}.tencentcloudapi.com"
    assert set(CATALOG["endpoints"]["financial"]) == {"ap-shanghai-fsi", "ap-shenzhen-fsi"}
    assert cat.region_ids()[0] == "ap-bangkok"


def test_common_params_and_errors() -> None:
    common = {p["name"]: p for p in CATALOG["common_params"]}
    assert set(common) == {
        "Action", "Region", "Timestamp", "Version", "Authorization", "Token", "Language",
    }  # fmt: skip
    assert common["Timestamp"]["type"] == "Integer" and common["Timestamp"]["required"]
    assert common["Token"]["required"] is False
    assert "X-TC-Language" in common["Language"]["description"]
    codes = {e["code"] for e in CATALOG["common_errors"]}
    assert {"AuthFailure.SignatureExpire", "RequestLimitExceeded", "InternalError"} <= codes
    business = {e["code"]: e["description"] for e in CATALOG["business_errors"]}
    assert business["UnsupportedOperation.InvalidInstanceState"] == "不支持的操作，实例状态不合法。"
    assert len(CATALOG["common_errors"]) == 38


# --- pinned facts (read off the docs by hand) -----------------------------------------


def test_terminate_instances() -> None:
    act = action("TerminateInstances")
    assert [p["name"] for p in act["inputs"]] == ["InstanceIds"]
    ids = act["inputs"][0]
    assert (ids["type"], ids["array"], ids["required"]) == ("String", True, True)
    assert act["asynchronous"] is True
    assert "DescribeInstances" in act["async_note"]
    assert act["group_id"] == "instance" and act["title_zh"] == "销毁实例"
    assert act["rate_limit"] == 10
    # "每次请求批量实例的上限为100" is stated in the action's text, not the parameter's.
    assert ids["max_items"] == 100


def test_create_instances_nested_structures() -> None:
    act = action("CreateInstances")
    prepaid = _param(act["inputs"], "InstanceChargePrepaid")
    assert (prepaid["type"], prepaid["array"], prepaid["required"]) == (
        "InstanceChargePrepaid", False, True,
    )  # fmt: skip
    login = _param(act["inputs"], "LoginConfiguration")
    assert (login["type"], login["required"]) == ("LoginConfiguration", False)
    members = {m["name"]: m for m in STRUCTURES["InstanceChargePrepaid"]["members"]}
    assert members["Period"]["type"] == "Integer" and members["Period"]["required"] is True
    assert members["Period"]["enum"][-1] == 60
    assert members["RenewFlag"]["default"] == "NOTIFY_AND_MANUAL_RENEW"
    assert {"AutoGeneratePassword", "Password", "KeyIds"} <= {
        m["name"] for m in STRUCTURES["LoginConfiguration"]["members"]
    }
    containers = _param(act["inputs"], "Containers")  # a broken "Array of" row in the docs
    assert (containers["type"], containers["array"]) == ("DockerContainerConfiguration", True)
    count = _param(act["inputs"], "InstanceCount")
    assert (count["minimum"], count["maximum"], count["default"]) == (1, 30, 1)
    assert _param(act["inputs"], "ClientToken")["max_length"] == 64


def test_describe_instances_limit_and_filters() -> None:
    act = action("DescribeInstances")
    limit = _param(act["inputs"], "Limit")
    assert (limit["type"], limit["default"], limit["maximum"]) == ("Integer", 20, 100)
    assert _param(act["inputs"], "Offset")["default"] == 0
    filters = act["filters"]
    names = [f["name"] for f in filters["filters"]]
    assert {"instance-name", "tag:tag-key", "private-ip-address", "instance-state"} <= set(names)
    assert (filters["param"], filters["max_filters"], filters["max_values"]) == ("Filters", 10, 100)
    assert _param(act["inputs"], "Filters")["max_items"] == 10
    assert _param(act["inputs"], "InstanceIds")["max_items"] == 100
    kinds = {(c["kind"], tuple(c["params"])) for c in act["constraints"]}
    assert ("mutually_exclusive", ("InstanceIds", "Filters")) in kinds
    assert ("requires", ("Order", "OrderField")) in kinds
    assert _param(act["inputs"], "Order")["enum"] == ["ASC", "DESC"]
    # The filter list moved into the spec; the parameter keeps intro and limits only.
    assert "instance-name" not in _param(act["inputs"], "Filters")["description"]
    assert act["rate_limit"] == 100


def test_stop_instances_errors() -> None:
    codes = [e["code"] for e in action("StopInstances")["errors"]]
    assert "UnsupportedOperation.InvalidInstanceState" in codes
    assert codes == sorted(codes)  # the docs list them alphabetically; nothing got lost


def test_broken_rows_and_timestamp_types() -> None:
    disks = _param(action("AttachDisks")["inputs"], "DiskIds")
    assert (disks["type"], disks["array"], disks["required"]) == ("String", True, True)
    created = _param(STRUCTURES["Blueprint"]["members"], "CreatedTime")
    assert created["type"] == "Timestamp ISO8601" and created["nullable"] is True
    set_ = _param(action("DescribeBlueprintInstances")["outputs"], "BlueprintInstanceSet")
    assert (set_["type"], set_["array"], set_["required"]) == ("BlueprintInstance", True, None)


def test_enums_with_labels() -> None:
    state = _param(STRUCTURES["Instance"]["members"], "InstanceState")
    assert {"RUNNING", "STOPPED", "SHUTDOWN", "PENDING"} <= set(state["enum"])
    rule = {m["name"]: m for m in STRUCTURES["FirewallRule"]["members"]}
    assert rule["Protocol"]["enum"] == ["TCP", "UDP", "ICMP", "ALL", "ICMPv6"]
    assert rule["Action"]["enum"] == ["ACCEPT", "DROP"]
    assert rule["Action"]["enum_labels"] == {"ACCEPT": "允许", "DROP": "拒绝"}
    assert rule["Action"]["default"] == "ACCEPT"
    assert rule["Protocol"]["required"] is True and rule["Port"]["required"] is False
    disk_type = _param(action("CreateDisks")["inputs"], "DiskType")
    assert disk_type["enum"] == ["CLOUD_PREMIUM", "CLOUD_SSD"]
    quotas = _param(action("DescribeGeneralResourceQuotas")["inputs"], "ResourceNames")
    assert "USER_KEY_PAIR" in quotas["enum"] and quotas["array"]


def test_lists_that_are_not_closed_sets_get_no_enum() -> None:
    # "ALL，单独的端口，逗号分隔的离散端口…" mixes prose into the list.
    port = _param(STRUCTURES["FirewallRule"]["members"], "Port")
    assert "enum" not in port
    # "on-failure[:max-retries]" is a pattern, so the policy list is not exhaustive.
    policy = _param(action("ModifyDockerContainer")["inputs"], "RestartPolicy")
    assert "enum" not in policy
    # "成功后此字段取值为 100" states a value, not a list.
    percent = _param(STRUCTURES["Snapshot"]["members"], "Percent")
    assert "enum" not in percent


def test_structure_constraints() -> None:
    rule = STRUCTURES["FirewallRule"]["constraints"]
    assert [(c["kind"], c["params"]) for c in rule] == [
        ("mutually_exclusive", ["CidrBlock", "Ipv6CidrBlock"]),
    ]
    renew = {c["kind"]: c["params"] for c in STRUCTURES["RenewDiskChargePrepaid"]["constraints"]}
    assert renew == {
        "one_of_required": ["CurInstanceDeadline", "Period"],
        "mutually_exclusive": ["CurInstanceDeadline", "Period"],
    }
    for struct in STRUCTURES.values():
        names = {m["name"] for m in struct["members"]}
        for constraint in struct.get("constraints", []):
            assert set(constraint["params"]) <= names


def test_boolean_defaults_and_lengths() -> None:
    force = _param(action("CreateBlueprint")["inputs"], "ForcePowerOff")
    assert force["default"] is True
    assert _param(action("CreateBlueprint")["inputs"], "BlueprintName")["max_length"] == 60
    assert _param(action("CreateKeyPair")["inputs"], "KeyName")["max_length"] == 25
    assert _param(action("DeleteKeyPairs")["inputs"], "KeyIds")["max_items"] == 10


def test_asynchronous_actions() -> None:
    asynchronous = {n for n in ACTIONS if action(n)["asynchronous"]}
    assert {"StartInstances", "StopInstances", "RebootInstances", "DetachDisks"} <= asynchronous
    assert {"RunDockerContainers", "StopDockerContainers"} <= asynchronous  # via ActivityId
    assert not {"DescribeInstances", "CreateKeyPair"} & asynchronous


def test_descriptions_are_cleaned() -> None:
    desc = action("DescribeInstances")["description"]
    assert desc.startswith("本接口（DescribeInstances）用于查询一个或多个实例的详细信息。")
    assert "接口请求域名" not in desc and "默认接口请求频率限制" not in desc
    assert "API Explorer" not in desc
    # Markdown links, list bullets and HTML tags of the spec are gone; the words stay.
    assert "过滤信息详细请见过滤器 Filters 。" in desc and "](" not in desc and "* " not in desc
    markup = re.compile(r"</?(?:li|p|a|br|code|ul)\b|\]\(http|`")
    assert [where for where, p in _all_params() if markup.search(p["description"])] == []


def test_parameters_the_docs_lacked() -> None:
    """The spec's newer parameters, members and filters (issue 13's list)."""
    stop = _param(action("StopInstances")["inputs"], "StopType")
    assert stop["enum"] == ["SOFT", "HARD", "SOFT_FIRST"] and stop["default"] == "SOFT_FIRST"
    assert _param(action("RebootInstances")["inputs"], "StopType")["enum"] == stop["enum"]
    bind = _param(action("AssociateInstancesKeyPairs")["inputs"], "AssociateType")
    assert bind["enum"] == ["ONLINE", "OFFLINE"]
    assert _param(action("DisassociateInstancesKeyPairs")["inputs"], "Username")
    for name in (
        "CreateDisks",
        "CreateKeyPair",
        "ImportKeyPair",
        "CreateBlueprint",
        "CreateInstanceSnapshot",
        "CreateDiskBackup",
    ):
        tags = _param(action(name)["inputs"], "Tags")
        assert (tags["type"], tags["array"], tags["required"]) == ("Tag", True, False), name
    assert _param(action("DescribeBundles")["inputs"], "BlueprintId")["type"] == "String"
    sync = _param(action("SyncBlueprint")["outputs"], "DestinationRegionBlueprintSet")
    assert (sync["type"], sync["array"]) == ("DestinationRegionBlueprint", True)
    assert _param(STRUCTURES["KeyPair"]["members"], "AssociatedInstanceSet")
    assert _param(STRUCTURES["Bundle"]["members"], "TrafficUnlimited")["type"] == "Boolean"
    names = {f["name"] for f in action("DescribeInstances")["filters"]["filters"]}
    assert "bundle-id" in names
    disks = {f["name"] for f in action("DescribeDisks")["filters"]["filters"]}
    assert {"tag-key", "tag-value", "tag:tag-key"} <= disks


def test_spec_facts_of_new_actions() -> None:
    create = action("CreateMcpServer")
    assert create["asynchronous"] and "DescribeMcpServers" in create["async_note"]
    assert _param(create["inputs"], "Name")["max_length"] == 64  # "最大长度：64"
    assert _param(create["inputs"], "Envs")["max_items"] == 10
    assert _param(action("RemoveMcpServers")["inputs"], "McpServerIds")["max_items"] == 10
    state = _param(STRUCTURES["McpServer"]["members"], "State")
    assert {"PENDING", "RUNNING", "STOPPED", "REMOVING"} <= set(state["enum"])
    bundles = action("DescribeBundles")["filters"]
    assert (bundles["max_filters"], bundles["max_values"]) == (10, 5)
    kinds = {(c["kind"], tuple(c["params"])) for c in action("DescribeBundles")["constraints"]}
    assert ("mutually_exclusive", ("BundleIds", "Filters")) in kinds


def test_loader_errors_name_the_action() -> None:
    with pytest.raises(KeyError, match="NoSuchAction"):
        action("NoSuchAction")


# --- regeneration ---------------------------------------------------------------------


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_catalog", REPO / "scripts" / "build_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_catalog_is_regenerated_byte_for_byte() -> None:
    builder = _builder()
    #: The docs text adds facts the spec lacks (not in the checkout: it sits next to it).
    docs = Path(os.environ.get("LIGHTHOUSE_API_DOCS") or builder.DEFAULT_DOCS)
    if not docs.is_file():
        missing = f"the API docs text is not at {docs} (set LIGHTHOUSE_API_DOCS to its path)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; CI must compare the committed catalog with its sources")
        pytest.skip(f"NOT CHECKED, the committed catalog may be stale: {missing}")
    service = builder.SERVICES["lighthouse"]
    text = builder.render(service, builder.DEFAULT_SPECS, docs.read_text(encoding="utf-8"))
    committed = (REPO / "lighthouse_mcp" / "catalog" / cat.CATALOG_FILE).read_text(encoding="utf-8")
    assert text == committed, "run: uv run python scripts/build_catalog.py"


@pytest.mark.parametrize("service", ["tat", "monitor"])
def test_other_services_build_from_their_specs(service: str) -> None:
    """The same generator serves TAT and Cloud Monitor (no docs: every fact from the spec)."""
    builder = _builder()
    catalog = json.loads(builder.render(builder.SERVICES[service], builder.DEFAULT_SPECS, None))
    assert catalog["service"] == service and catalog["actions"]
    assert catalog["endpoints"]["regional"] == f"{service}.{{region}}.tencentcloudapi.com"
    for act in catalog["actions"].values():
        assert act["defaults"] == ["errors", "group", "rate_limit"]
        assert act["outputs"][-1]["name"] == "RequestId"
    if service == "tat":
        assert "RunCommand" in catalog["actions"]
    else:
        assert set(catalog["actions"]) == set(builder.SERVICES["monitor"].actions)
