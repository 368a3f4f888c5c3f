"""Facts the docs state in prose: enums, bounds, defaults, filters, cross-parameter rules.

Only what a description states explicitly is extracted, and only in the shapes the docs
actually use; anything ambiguous stays absent rather than guessed, because validation
built on these facts must never reject a call the API would accept. An enum, for
instance, is kept only when every listed item is a plain token (``RUNNING``, ``TCP``):
a list that mixes in prose ("ALL，单独的端口，…") or patterns (``on-failure[:n]``) is
not exhaustive and is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .tables import RawParam
from .text import join_wrapped

Coerce = Callable[[list[str], str], Any]

_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_QUOTES = "\"'“”‘’「」"


def typed_value(type_: str, raw: str) -> Any:
    """A documented literal as the JSON value of ``type_``; the raw text if it is not one."""
    text = raw.strip().strip(_QUOTES)
    if type_ == "Integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if type_ in ("Float", "Double") and re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text)
    if type_ == "Boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def async_note(description: str) -> str | None:
    """The paragraph that says the action is asynchronous and how to observe completion."""
    for paragraph in description.split("\n"):
        if "异步接口" in paragraph or re.search(r"返回的\s*ActivityIds?\s*调用", paragraph):
            return paragraph.strip()
    return None


# --- enums -------------------------------------------------------------------------

#: Where a value list starts: 取值范围：, 可选值：, 枚举值如下：, 取值为：, 可取值: ... The
#: bare 取值/取值为 need a colon ("成功后此字段取值为 100" states no list).
_ENUM_TRIGGER = re.compile(
    r"(?<!默认)(?:(?:取值范围|可选值|枚举值(?:如下)?)\s*[:：]?|(?:取值为|可取值|目前取值|取值)\s*[:：])\s*"
)
_Q = "[" + _QUOTES + "]?"
#: One "VALUE：label" / "VALUE（label）" / "VALUE - label" / "VALUE 中文label" item.
_ITEM = re.compile(
    r"^\s*[-*]?\s*"
    + _Q
    + r"(?P<value>[A-Za-z0-9][A-Za-z0-9_.\-]*)"
    + _Q
    + r"\s*(?:(?:[:：]|\s-\s?|-\s)\s*(?P<label1>.*?)|[（(]\s*(?P<label2>[^）)]*?)\s*[）)]"
    r"|\s+(?P<label3>[^\x00-\x7f].*?))?\s*[。.;；,，]?\s*$"
)
_SPLIT = re.compile(r"\s*(?:[，,、;；]|或)\s*")
#: Where glued items meet: after a sentence end, or at a "- " list dash.
_GLUE = re.compile(
    r"(?:(?<=[。；;])\s*|\s*-\s+|(?<=\S)-\s)(?="
    + _Q
    + r"[A-Za-z][A-Za-z0-9_]+"
    + _Q
    + r"\s*[：:(（\s])|(?<=[\u4e00-\u9fff])(?=[A-Z0-9][A-Za-z0-9_]*[：:]\s)"
)
#: A paragraph that tries to be an item but is not a plain one (``on-failure[:n]: …``):
#: the list is not a closed set of tokens.
_ITEM_LIKE = re.compile(r"^\s*[-*]?\s*[A-Za-z][\w\-]*(?:\[|[:：]\S*[:：])")


def _label(item: re.Match[str]) -> str:
    label = item.group("label1") or item.group("label2") or item.group("label3") or ""
    return label.strip().rstrip("。.;；")


def _items(text: str) -> list[tuple[str, str]] | None:
    """(value, label) pairs if ``text`` is nothing but enum items, else None.

    Tried in turn: items split at commas (``A（x）、B（y）``), items glued after sentence
    ends (``A：x。 B：y。``), and one item whose label may hold commas.
    """
    text = text.strip()
    pieces = [p for p in _SPLIT.split(text.rstrip("。.")) if p]
    split = [_ITEM.match(p) for p in pieces]
    if len(pieces) > 1 and all(split):
        return [(m.group("value"), _label(m)) for m in split if m]
    parts = [p for p in _GLUE.split(text) if p.strip()]
    glued = [_ITEM.match(p) for p in parts]
    if len(parts) > 1 and all(m and _label(m) for m in glued):
        return [(m.group("value"), _label(m)) for m in glued if m]
    single = _ITEM.match(text)
    if single is not None:
        return [(single.group("value"), _label(single))]
    return None


def _enum_block(paragraphs: list[str], start: int, rest: str) -> list[tuple[str, str]] | None:
    """Items after a trigger: inline on the trigger's paragraph, or one per next paragraph."""
    if rest.strip():
        first_sentence = rest.split("。")[0]
        return _items(rest) or _items(first_sentence)
    found: list[tuple[str, str]] = []
    for paragraph in paragraphs[start + 1 :]:
        items = _items(paragraph)
        if items is None:
            if _ITEM_LIKE.match(paragraph):
                return None
            break
        found += items
    return found or None


def enum_facts(type_: str, description: str) -> dict[str, Any]:
    """enum (and enum_labels) when the description lists the values exhaustively."""
    if type_ not in ("String", "Integer"):
        return {}
    paragraphs = description.split("\n")
    values: list[str | int] = []
    labels: dict[str, str] = {}
    for k, paragraph in enumerate(paragraphs):
        for trigger in _ENUM_TRIGGER.finditer(paragraph):
            rest = paragraph[trigger.end() :]
            if re.match(r"\s*[\[［]?\s*\d+\s*(?:[,，]\s*\d+\s*[\]］]|[-~到]\s*\d+)", rest):
                continue  # a numeric range, read by bound_facts
            items = _enum_block(paragraphs, k, rest)
            if not items:
                continue
            for value, label in items:
                typed = typed_value(type_, value)
                if type_ == "Integer" and not isinstance(typed, int):
                    return {}
                if typed not in values:
                    values.append(typed)
                if label and str(typed) not in labels:
                    labels[str(typed)] = label
            break
    if not values or not all(_TOKEN.match(str(v)) for v in values):
        return {}
    out: dict[str, Any] = {"enum": values}
    if labels:
        out["enum_labels"] = labels
    return out


# --- bounds, lengths, defaults -----------------------------------------------------

_RANGE = re.compile(
    r"取值范围\s*(?:为|是)?\s*[:：]?\s*[\[［]?\s*(-?\d+)\s*(?:[,，]|-|~|到)\s*(-?\d+)\s*[\]］]?(?!\s*[,，]\s*\d)"
)
_BRACKET_RANGE = re.compile(r"[\[［]\s*(-?\d+)\s*(?:[,，]|-)\s*(-?\d+)\s*[\]］]")
_MAXIMUM = re.compile(r"最大值(?:为|是)?\s*(\d+)")
_MAX_LENGTH = (
    re.compile(r"最大长度\s*(?:为|是|[:：])?\s*(\d+)"),
    re.compile(r"长度不(?:超过|能超过|可超过)\s*(\d+)\s*(?:个)?(?:字符|位)"),
    re.compile(r"不超过\s*(\d+)\s*个\s*(?:ASCII\s*)?字符"),
)
_MAX_ITEMS = (
    re.compile(r"(?<!Values 的)(?<!Values的)上限(?:数量)?(?:为|是)\s*(\d+)"),
    re.compile(r"列表(?:长度最大值|最大长度)(?:为|是)?\s*(\d+)"),
    re.compile(r"最大长度\s*[:：]\s*(\d+)"),
    re.compile(r"最多(?:同时指定|支持)\s*(\d+)\s*个"),
    re.compile(r"个数取值最大为\s*(\d+)"),
)
_DEFAULTS = (
    re.compile(
        r"默认(?:取值|值)?\s*(?:为|是|[:：])\s*" + _Q + r"([^\s，。,；;" + _QUOTES + r"（(]+)"
    ),
    re.compile(r"默认\s*(\d+)\s*秒"),
    re.compile(r"(?:^|\n|[-\s])([A-Za-z0-9_]+)\s*[（(]默认[）)]"),
)


def bound_facts(param: dict[str, Any]) -> dict[str, Any]:
    """minimum/maximum, max_length, max_items and default, from an input description."""
    text: str = param["description"]
    type_: str = param["type"]
    out: dict[str, Any] = {}
    if type_ in ("Integer", "Float", "Double") and not param["array"]:
        lows: list[int] = []
        highs: list[int] = []
        for match in [*_RANGE.finditer(text), *_BRACKET_RANGE.finditer(text)]:
            lows.append(int(match.group(1)))
            highs.append(int(match.group(2)))
        if lows and "enum" not in param:
            out["minimum"], out["maximum"] = min(lows), max(highs)
        elif (maximum := _MAXIMUM.search(text)) is not None:
            out["maximum"] = int(maximum.group(1))
    if type_ == "String" and not param["array"]:
        for pattern in _MAX_LENGTH:
            if (length := pattern.search(text)) is not None:
                out["max_length"] = int(length.group(1))
                break
    if param["array"]:
        for pattern in _MAX_ITEMS:
            if (items := pattern.search(text)) is not None:
                out["max_items"] = int(items.group(1))
                break
    default = _default(param)
    if default is not None:
        out["default"] = default
    return out


def _default(param: dict[str, Any]) -> Any:
    if param["array"] or param["type"] not in ("String", "Integer", "Boolean", "Float"):
        return None
    for pattern in _DEFAULTS:
        match = pattern.search(param["description"])
        if match is None:
            continue
        raw = match.group(1).rstrip(".")
        value = typed_value(param["type"], raw)
        if param["type"] != "String" and isinstance(value, str):
            continue
        if param["type"] == "String" and not _TOKEN.match(value):
            continue
        enum = param.get("enum")
        if enum is not None and value not in enum:
            continue
        return value
    return None


def param_facts(param: dict[str, Any]) -> dict[str, Any]:
    """Every fact of one parameter; input-only facts only where ``required`` is known."""
    out: dict[str, Any] = {}
    out.update(enum_facts(param["type"], param["description"]))
    if param["required"] is None:
        if "此字段可能返回 null" in param["description"]:
            out["nullable"] = True
        return out
    out.update(bound_facts({**param, **out}))
    return out


#: Batch limits an action's description states for the resource ids it takes.
_BATCH_NOUNS = {
    "实例": "InstanceIds", "云硬盘": "DiskIds", "快照": "SnapshotIds", "密钥对": "KeyIds",
}  # fmt: skip
_BATCH = re.compile(r"每次(?:请求)?批量(?:请求)?(实例|云硬盘|快照|密钥对)的?上限为\s*(\d+)")


def apply_batch_limits(description: str, inputs: list[dict[str, Any]]) -> None:
    """``每次请求批量实例的上限为100`` in the action text bounds its ``InstanceIds`` when
    the parameter's own description does not (its own statement wins)."""
    for match in _BATCH.finditer(description):
        name = _BATCH_NOUNS[match.group(1)]
        for param in inputs:
            if param["name"] == name and param["array"] and "max_items" not in param:
                param["max_items"] = int(match.group(2))


# --- filters -----------------------------------------------------------------------

_FILTER_NAME = re.compile(r"^[a-z][a-zA-Z0-9_-]*(?::[a-zA-Z0-9_-]+)?$")
_FILTER_TYPE = re.compile(r"^类型\s*[:：]\s*(\S+)$")
_FILTER_REQUIRED = re.compile(r"^必选\s*[:：]\s*(是|否)$")


def filter_spec(params: list[dict[str, Any]], raw: list[RawParam]) -> dict[str, Any] | None:
    """The documented filter names of the action's ``Filter``-typed parameter.

    The filter list is moved out of the parameter's description (which keeps its intro
    and closing notes) into the spec.
    """
    for param, source in zip(params, raw, strict=True):
        if param["type"] != "Filter":
            continue
        intro: list[str] = []
        outro: list[str] = []
        filters: list[dict[str, Any]] = []
        texts: list[list[str]] = []
        lines = source.description_lines
        for k, line in enumerate(lines):
            nxt = lines[k + 1] if k + 1 < len(lines) else ""
            if _FILTER_NAME.match(line) and (nxt.startswith("按照") or _FILTER_TYPE.match(nxt)):
                filters.append({"name": line, "type": "String", "required": False})
                texts.append([])
            elif filters and (m := _FILTER_TYPE.match(line)):
                filters[-1]["type"] = m.group(1)
            elif filters and (m := _FILTER_REQUIRED.match(line)):
                filters[-1]["required"] = m.group(1) == "是"
            elif not filters:
                intro.append(line)
            elif outro or _is_outro(line):
                outro.append(line)
            else:
                texts[-1].append(line)
        if not filters:
            return None
        for spec, text in zip(filters, texts, strict=True):
            spec["description"] = join_wrapped(text, source.column_width)
            enum = enum_facts("String", spec["description"]).get("enum")
            if enum:
                spec["enum"] = enum
        param["description"] = join_wrapped(intro + outro, source.column_width)
        result: dict[str, Any] = {"param": param["name"], "filters": filters}
        note = join_wrapped(outro, source.column_width)
        if (m := re.search(r"Filters\s*的上限为\s*(\d+)", note)) is not None:
            result["max_filters"] = int(m.group(1))
            param["max_items"] = int(m.group(1))
        if (m := re.search(r"Filter\.Values\s*的上限为\s*(\d+)", note)) is not None:
            result["max_values"] = int(m.group(1))
        return result
    return None


def _is_outro(line: str) -> bool:
    """Closing notes of a filter list (limits, exclusivity), as opposed to a filter's text."""
    return bool(re.search(r"Filters\s*的上限|每次请求的|参数不支持同时指定", line))


# --- cross-parameter rules ---------------------------------------------------------

_EXCLUSIVE = re.compile(r"不支持同时指定\s*([A-Z][A-Za-z0-9]*)[^和]{0,80}?和\s*([A-Z][A-Za-z0-9]*)")
_EXCLUSIVE_WITH = re.compile(r"和\s*([A-Z][A-Za-z0-9]*)\s*互斥")
_ONE_OF = re.compile(r"该参数与\s*([A-Z][A-Za-z0-9]*)\s*必须指定其一")
_REQUIRES = re.compile(r"当传入该字段时，必须指定\s*([A-Z][A-Za-z0-9]*)")


def constraints(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """mutually_exclusive / one_of_required / requires rules stated in the descriptions of
    an action's inputs or a structure's members (rules naming both parameters only)."""
    names = {p["name"] for p in params}
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, frozenset[str]]] = set()

    def add(kind: str, members: list[str], text: str) -> None:
        key = (kind, frozenset(members))
        if key in seen or not set(members) <= names or len(set(members)) < 2:
            return
        seen.add(key)
        found.append({"kind": kind, "params": members, "text": text})

    for param in params:
        description = param["description"]
        for sentence in re.split(r"(?<=[。；])", description.replace("\n", "")):
            if (m := _EXCLUSIVE.search(sentence)) is not None:
                add("mutually_exclusive", [m.group(1), m.group(2)], sentence.strip())
            if (m := _EXCLUSIVE_WITH.search(sentence)) is not None:
                add("mutually_exclusive", [param["name"], m.group(1)], sentence.strip())
            if (m := _ONE_OF.search(sentence)) is not None:
                pair = [param["name"], m.group(1)]
                add("one_of_required", pair, sentence.strip())
                if "不支持同时指定" in sentence:
                    add("mutually_exclusive", pair, sentence.strip())
            if (m := _REQUIRES.search(sentence)) is not None:
                add("requires", [param["name"], m.group(1)], sentence.strip())
    return found
