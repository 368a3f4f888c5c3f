"""DescribeAllScenes and DescribeScenes: the usage scenes blueprints are grouped by."""

from __future__ import annotations

from typing import Any

from ..engine import seed
from ..engine.context import Ctx
from ..engine.listing import page
from ..engine.registry import Family

family = Family("scenes", coverage="seed")


def _scenes(ctx: Ctx, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [dict(s) for s in seed.SCENES]
    wanted = params.get("SceneIds")
    if wanted:
        known = {s["SceneId"] for s in rows}
        missing = [sid for sid in wanted if sid not in known]
        if missing:
            raise ctx.fail(
                "InvalidParameterValue.InvalidSceneIdMalformed",
                f"The scene `{missing[0]}` does not exist; see DescribeAllScenes.",
                also=("InvalidParameterValue",),
            )
        rows = [s for s in rows if s["SceneId"] in set(wanted)]
    return rows


@family.handler("DescribeAllScenes")
def describe_all_scenes(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = _scenes(ctx, params)
    return {"TotalCount": len(rows), "SceneInfoSet": page(ctx, rows, params)}


@family.handler("DescribeScenes")
def describe_scenes(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    rows = _scenes(ctx, params)
    return {"TotalCount": len(rows), "SceneSet": page(ctx, rows, params)}
