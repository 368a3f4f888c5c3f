"""What an instance's machine is doing at a time: load, memory, disk and network, made up
deterministically from its id, bundle and the clock.

Cloud Monitor's series (``monitor.py``) and the diagnostics the TAT agent answers
(``tat_shell.py``: ``uptime``, ``free -m``, ``df -h``) read the same figures, so a model
that compares them sees one machine. The same instance and time always give the same
value (a hash of the id seeds a daily rhythm plus noise per minute); nothing is stored.
Only a RUNNING instance has figures: a stopped machine reports nothing.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Record = dict[str, Any]
DAY = 86400.0


def stable_unit(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) from ``parts``."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True, slots=True)
class Sample:
    """One instant of one machine. Percentages 0-100; bandwidth in Mbps."""

    cpu: float
    load1: float
    load5: float
    load15: float
    mem: float
    mem_used_mb: float
    mem_total_mb: float
    disk: float
    disk_used_gb: float
    disk_total_gb: float
    bw_in: float
    bw_out: float
    pkg_in: float
    pkg_out: float


def sample(instance: Record, t: float) -> Sample:
    """The machine's figures at ``t`` (minute resolution), from its id and bundle."""
    iid = str(instance.get("InstanceId", ""))
    minute = int(t // 60)
    base = 8 + 30 * stable_unit(iid, "cpu")  # each instance has its own busy level
    rhythm = 0.5 + 0.5 * math.sin(2 * math.pi * ((t % DAY) / DAY - 0.25))  # daytime peak
    cpu = min(99.0, base * (0.6 + 0.8 * rhythm) + 12 * stable_unit(iid, "cpu", minute) ** 3)
    cores = max(1, int(instance.get("CPU") or 1))
    load1 = cores * cpu / 100 * (0.8 + 0.4 * stable_unit(iid, "l1", minute))
    load5 = cores * cpu / 100 * (0.85 + 0.2 * stable_unit(iid, "l5", minute // 5))
    load15 = cores * cpu / 100 * (0.9 + 0.1 * stable_unit(iid, "l15", minute // 15))
    total_mb = float(instance.get("Memory") or 1) * 1024
    mem = min(
        95.0, 25 + 35 * stable_unit(iid, "mem") + 6 * rhythm + 3 * stable_unit(iid, "mem", minute)
    )
    disk_gb = float((instance.get("SystemDisk") or {}).get("DiskSize") or 40)
    # disk fills slowly: a few GB of OS, plus a growth per day from the instance's start
    created = epoch(instance.get("CreatedTime"))
    days = max(0.0, (t - created) / DAY) if created else 0.0
    disk = min(97.0, 100 * (3.5 + 4 * stable_unit(iid, "disk")) / disk_gb + 0.05 * days)
    cap = float((instance.get("InternetAccessible") or {}).get("InternetMaxBandwidthOut") or 3)
    bw_out = min(
        cap, cap * (0.02 + 0.3 * rhythm * stable_unit(iid, "out") + 0.2 * stable_unit(iid, minute))
    )
    bw_in = bw_out * (0.2 + 0.3 * stable_unit(iid, "in", minute))
    return Sample(
        cpu=round(cpu, 2),
        load1=round(load1, 2),
        load5=round(load5, 2),
        load15=round(load15, 2),
        mem=round(mem, 2),
        mem_used_mb=round(total_mb * mem / 100),
        mem_total_mb=total_mb,
        disk=round(disk, 2),
        disk_used_gb=round(disk_gb * disk / 100, 1),
        disk_total_gb=disk_gb,
        bw_in=round(bw_in, 3),
        bw_out=round(bw_out, 3),
        pkg_in=round(bw_in * 1e6 / 8 / 900),  # ~900-byte packets
        pkg_out=round(bw_out * 1e6 / 8 / 1100),
    )


#: Operations after which the machine has booted afresh.
_BOOTS = frozenset({"StartInstances", "RebootInstances", "ResetInstance", "CreateInstances"})


def epoch(value: object) -> float | None:
    """``2024-05-08T03:43:06Z`` -> seconds since the epoch; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def running_since(instance: Record) -> float | None:
    """When the machine last booted; None while it is not RUNNING (no figures then)."""
    if instance.get("InstanceState") != "RUNNING":
        return None
    booted = None
    if instance.get("LatestOperation") in _BOOTS:
        booted = epoch(instance.get("LatestOperationStartedTime"))
    return booted or epoch(instance.get("CreatedTime")) or 0.0
