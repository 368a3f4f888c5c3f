"""Which actions this server exposes, decided once from the flags.

The flags are an upper bound: --toolsets and --tools narrow, --exclude-tools removes
(and wins over both), --read-only keeps only reads. The pipeline checks the same set
again on every call, so a compact-mode `call_action` cannot reach past it either.
"""

from __future__ import annotations

import difflib

from lighthouse_mcp import catalog
from lighthouse_mcp.server.config import ConfigError, Settings


def _unknown(kind: str, flag: str, names: tuple[str, ...], known: list[str]) -> None:
    bad = [n for n in names if n not in known]
    if not bad:
        return
    hints = []
    for name in bad:
        close = difflib.get_close_matches(name, known, n=1)
        hints.append(f"{name} (did you mean {close[0]}?)" if close else name)
    raise ConfigError(f"{flag}: unknown {kind} {', '.join(hints)}")


def group_ids() -> list[str]:
    return [g["id"] for g in catalog.load_catalog()["groups"]]


def exposed_actions(settings: Settings) -> tuple[str, ...]:
    """The exposed action names, in catalog order; raises ConfigError naming a bad flag value."""
    names = catalog.action_names()
    groups = group_ids()
    if settings.toolsets is not None:
        _unknown("toolset", "--toolsets", settings.toolsets, groups)
    if settings.tools is not None:
        _unknown("action", "--tools", settings.tools, names)
    _unknown("action", "--exclude-tools", settings.exclude_tools, names)

    chosen = []
    for name in names:
        group = catalog.action(name)["group_id"]
        if settings.toolsets is not None and group not in settings.toolsets:
            continue
        if settings.tools is not None and name not in settings.tools:
            continue
        if name in settings.exclude_tools:
            continue
        if settings.read_only and not catalog.is_read(name):
            continue
        chosen.append(name)
    return tuple(chosen)
