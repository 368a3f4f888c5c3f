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


#: Services besides Lighthouse; each is one toolset named after it (``tat``, ``monitor``).
OTHER_SERVICES = tuple(s for s in catalog.SERVICES if s != catalog.SERVICE)


def group_ids() -> list[str]:
    """Lighthouse's groups, then one toolset per other service."""
    return [g["id"] for g in catalog.load_catalog()["groups"]] + list(OTHER_SERVICES)


def _wanted_by_default(name: str, settings: Settings) -> bool:
    """Without --toolsets: Lighthouse's actions; another service's only in --compact mode
    (they cost nothing there) or when --tools names them, so the default list stays lean."""
    if catalog.split_name(name)[0] == catalog.SERVICE:
        return True
    return settings.compact or (settings.tools is not None and name in settings.tools)


def exposed_actions(settings: Settings) -> tuple[str, ...]:
    """The exposed action names (another service's as ``tat_RunCommand``), Lighthouse's
    first, in catalog order; raises ConfigError naming a bad flag value."""
    names = catalog.action_names() + [n for s in OTHER_SERVICES for n in catalog.action_names(s)]
    groups = group_ids()
    if settings.toolsets is not None:
        _unknown("toolset", "--toolsets", settings.toolsets, groups)
    if settings.tools is not None:
        _unknown("action", "--tools", settings.tools, names)
    _unknown("action", "--exclude-tools", settings.exclude_tools, names)

    chosen = []
    for name in names:
        if settings.toolsets is None:
            if not _wanted_by_default(name, settings):
                continue
        elif catalog.action(name)["group_id"] not in settings.toolsets:
            continue
        if settings.tools is not None and name not in settings.tools:
            continue
        if name in settings.exclude_tools:
            continue
        if settings.read_only and not catalog.is_read(name):
            continue
        chosen.append(name)
    return tuple(chosen)
