"""The API catalog: one loader over the generated JSON and the hand-kept overlay.

Everything in the project (tool schemas, validation, annotations, the gate, the sandbox,
the README tables) reads the Lighthouse API through this module, never the JSON directly,
so the on-disk format has one owner. The shapes below are the contract that
``scripts/build_catalog.py`` writes; they are TypedDicts so loading costs one
``json.load`` and nothing else (cold start matters for an MCP server).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal, NotRequired, TypedDict

API_VERSION = "2020-03-24"
SERVICE = "lighthouse"
CATALOG_FILE = f"lighthouse-{API_VERSION}.json"
OVERLAY_FILE = "overlay.json"

#: Base types as the docs spell them. ``Param.type`` is one of these or a structure name.
SCALAR_TYPES = frozenset(
    {
        "String",
        "Integer",
        "Boolean",
        "Float",
        "Double",
        "Date",
        "Timestamp",
        "Timestamp ISO8601",
        "Binary",
    }
)

SafetyClass = Literal["read", "write", "disruptive", "destructive", "billing"]


class Param(TypedDict):
    """One input/output parameter, or one member of a structure.

    ``name`` never carries the ``.N`` suffix: ``array`` says it is a list and ``type``
    is the element type. Constraint fields are present only when the docs state them.
    """

    name: str
    type: str  # scalar type name (SCALAR_TYPES) or a structure name
    array: bool
    required: bool | None  # None where the docs' table has no 必选 column (output members)
    description: str  # cleaned Chinese text, furniture removed
    example: NotRequired[str]  # 示例值 exactly as documented (a string; may be JSON)
    enum: NotRequired[list[str | int]]  # documented values, in doc order
    enum_labels: NotRequired[dict[str, str]]  # value -> Chinese meaning, where given
    minimum: NotRequired[float]
    maximum: NotRequired[float]
    max_length: NotRequired[int]
    min_items: NotRequired[int]
    max_items: NotRequired[int]
    default: NotRequired[Any]
    nullable: NotRequired[bool]  # output: "此字段可能返回 null"


class Filter(TypedDict):
    """One documented filter name of a ``Filters`` parameter (e.g. ``instance-name``)."""

    name: str
    type: str  # value type, usually "String"
    required: bool
    description: str
    enum: NotRequired[list[str]]


class FilterSpec(TypedDict):
    param: str  # the parameter the filters belong to, usually "Filters"
    filters: list[Filter]
    max_filters: NotRequired[int]  # "Filters 的上限为 10"
    max_values: NotRequired[int]  # "Filter.Values 的上限为 100"


class Constraint(TypedDict):
    """A documented cross-parameter rule."""

    kind: Literal["mutually_exclusive", "one_of_required", "requires"]
    params: list[str]
    text: str  # the sentence of the docs it comes from


class ErrorCode(TypedDict):
    code: str
    description: str


class Example(TypedDict):
    title: str
    input: dict[str, Any] | None  # request body as documented, None if unparseable
    output: dict[str, Any] | None  # the whole {"Response": {...}} object


class Action(TypedDict):
    name: str
    group: str  # Chinese group name as in the API overview, e.g. "实例"
    group_id: str  # stable English id of the group, used by --toolsets, e.g. "instance"
    title_zh: str  # 接口功能, e.g. "销毁实例"
    description: str  # 接口描述, cleaned (no domain line, no rate line, no API Explorer blurb)
    rate_limit: int | None  # 次/秒
    region_required: NotRequired[bool]  # False for account-wide actions (Region 不需要传递)
    asynchronous: bool
    async_note: NotRequired[str]  # how the docs say to observe completion
    inputs: list[Param]  # without the common Action/Version/Region
    outputs: list[Param]  # including RequestId
    filters: NotRequired[FilterSpec]
    constraints: list[Constraint]
    errors: list[ErrorCode]
    examples: list[Example]


class Structure(TypedDict):
    name: str
    description: str
    referenced_by: list[str]  # action names, as the docs list them
    members: list[Param]
    constraints: NotRequired[list[Constraint]]  # rules between members, where documented


class Region(TypedDict):
    region: str  # e.g. "ap-guangzhou"
    name: str  # e.g. "华南地区（广州）"
    financial: bool
    endpoint: NotRequired[str]  # only for financial regions: their dedicated domain


class Group(TypedDict):
    id: str
    name: str
    actions: list[str]


class Endpoints(TypedDict):
    default: str  # "lighthouse.tencentcloudapi.com"
    regional: str  # "lighthouse.{region}.tencentcloudapi.com"
    financial: dict[str, str]  # region -> domain


class CommonParam(TypedDict):
    name: str
    type: str
    required: bool
    description: str


class Catalog(TypedDict):
    service: str
    version: str
    source_sha256: str  # of the docs text the catalog was generated from
    endpoints: Endpoints
    regions: list[Region]
    groups: list[Group]
    common_params: list[CommonParam]  # signing v3 common parameters (X-TC-* headers)
    common_errors: list[ErrorCode]  # 公共错误码
    business_errors: list[ErrorCode]  # 业务错误码
    actions: dict[str, Action]  # keyed by action name, sorted
    structures: dict[str, Structure]  # keyed by structure name, sorted


class ActionOverlay(TypedDict):
    title: str  # short English title
    description: str  # English description for a model choosing the tool (concise)
    safety: SafetyClass
    reason: str  # one line: why this class
    secret_output: NotRequired[bool]
    idempotent: NotRequired[bool]
    params: dict[str, str]  # input parameter name -> short English description


class SecretOutputEntry(TypedDict):
    form: str  # how the value is kept out of tool results (catalog.secret_outputs.FORMS)
    reason: str


class Overlay(TypedDict):
    actions: dict[str, ActionOverlay]
    structures: dict[str, dict[str, str]]  # input structure -> member -> English description
    groups: dict[str, str]  # group_id -> English group name
    #: "Structure.Member" or "Action.Output" -> a secret result member (catalog.secret_outputs)
    secret_outputs: NotRequired[dict[str, SecretOutputEntry]]


def _read(name: str) -> Any:
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


@cache
def load_catalog() -> Catalog:
    """The generated catalog, parsed once per process."""
    data: Catalog = _read(CATALOG_FILE)
    return data


@cache
def load_overlay() -> Overlay:
    """The hand-kept overlay (English texts, safety classes), parsed once per process."""
    data: Overlay = _read(OVERLAY_FILE)
    return data


def action(name: str) -> Action:
    """One action by exact name; KeyError names the action when it is unknown."""
    try:
        return load_catalog()["actions"][name]
    except KeyError:
        raise KeyError(f"unknown Lighthouse action {name!r}") from None


def action_names() -> list[str]:
    return sorted(load_catalog()["actions"])


def structure(name: str) -> Structure:
    return load_catalog()["structures"][name]


def region_ids() -> list[str]:
    return [r["region"] for r in load_catalog()["regions"]]


def safety_class(name: str) -> SafetyClass:
    return load_overlay()["actions"][name]["safety"]


def is_read(name: str) -> bool:
    """True for actions that change nothing; the client retries only these."""
    return safety_class(name) == "read"
