"""Limits the API documentation states (or its types imply) that the generated catalog
does not carry as schema keywords; the validator adds them, so a call the API would
refuse is refused before it is sent.

- Every ``Integer`` is a signed 64-bit number on the wire.
- Counts of things to buy are at least 1; where one action states a range
  (CreateInstances' InstanceCount, CreateDisks' DiskCount: [1, 30]) its price inquiry,
  which prices the same purchase, gets the same range.
- Offsets are positions in a list (API 简介: Offset=0 is the first item): at least 0.
- Ports are TCP/UDP ports, 1-65535; a renewal Period is months, as for purchases (1-60).
- A required list of IDs holds at least one ID.
- A request body is at most 10 MB (签名方法 v3: "POST 请求使用签名方法 v3 … 支持10MB").
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: The largest request body the API takes (TC3-signed POST).
MAX_REQUEST_BYTES = 10 * 1024 * 1024
REQUEST_LIMIT_TEXT = "requests of at most 10 MB"

#: (minimum, maximum) for integer parameters of these names wherever the catalog has none.
BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "BlueprintCount": (1, None),
    "InstanceCount": (1, 30),
    "DiskCount": (1, 30),
    "Offset": (0, None),
    "HostPort": (1, 65535),
    "ContainerPort": (1, 65535),
    "Period": (1, 60),
}


def tighten(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a validation schema with the limits above added where it has none."""
    out = copy.deepcopy(schema)
    for node in _objects(out):
        required = set(node.get("required", ()))
        for name, prop in node.get("properties", {}).items():
            if prop.get("type") == "integer":
                _bound(prop, BOUNDS.get(name, (None, None)))
            elif prop.get("type") == "array" and name in required and name.endswith("Ids"):
                prop.setdefault("minItems", 1)
            items = prop.get("items")
            if isinstance(items, dict) and items.get("type") == "integer":
                _bound(items, (None, None))
    return out


def _bound(prop: dict[str, Any], documented: tuple[int | None, int | None]) -> None:
    low, high = documented
    if "minimum" not in prop:
        prop["minimum"] = INT64_MIN if low is None else low
    if "maximum" not in prop:
        prop["maximum"] = INT64_MAX if high is None else high


def _objects(schema: Any) -> list[dict[str, Any]]:
    """Every object schema (one with properties) in ``schema``, $defs included."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if isinstance(schema.get("properties"), dict):
            found.append(schema)
        for value in schema.values():
            found += _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            found += _objects(value)
    return found


def request_bytes(arguments: Mapping[str, Any]) -> int:
    """The size of ``arguments`` as a JSON request body (UTF-8), as the client sends it."""
    text = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"), default=str)
    return len(text.encode("utf-8", "surrogatepass"))
