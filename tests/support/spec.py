"""The vendored machine-readable spec, as the independent count tests compare with.

Counts in tests come from the spec (what Tencent publishes), never a typed-in number, so
a spec update that adds actions changes them in one place: specs/.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SPECS = Path(__file__).resolve().parents[2] / "specs"


@cache
def lighthouse_api() -> dict[str, Any]:
    api: dict[str, Any] = json.loads(
        (SPECS / "lighthouse" / "v20200324" / "api.json").read_text(encoding="utf-8")
    )
    return api


def spec_action_names() -> list[str]:
    return sorted(lighthouse_api()["actions"])
