"""Imports every resource-family module so their ``@handler`` registrations take effect.

Families are listed by name and imported when their file exists, so a family landing on
its own branch needs no edit here, and a missing one leaves its actions on the generic
fallback rather than breaking the sandbox. An import error inside a family is a bug and
is raised.
"""

from __future__ import annotations

import importlib
import importlib.util

#: Core families (owner: sandbox) then resource families (owners: sbx-compute, sbx-storage).
FAMILY_MODULES = (
    "regions",
    "bundles",
    "scenes",
    "quotas",
    "prices",
    "instances",
    "firewall",
    "firewall_templates",
    "keypairs",
    "snapshots",
    "blueprints",
    "disks",
    "disk_backups",
    "docker",
    "ccn",
)


def load_families() -> list[str]:
    """Import the family modules present; returns the names imported."""
    found: list[str] = []
    for name in FAMILY_MODULES:
        qualified = f"{__package__}.{name}"
        if importlib.util.find_spec(qualified) is None:
            continue
        importlib.import_module(qualified)
        found.append(name)
    return found
