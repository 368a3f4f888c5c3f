"""Instance metrics from Cloud Monitor, summarised: which metrics a short name means,
the time window, and per series min, average, max, last and when the peak was.

The metric table is data (``catalog/lighthouse-metrics.json``: QCE/LIGHTHOUSE's metric
names, units and the short keys ``cpu``, ``memory``, ...). Traffic is not a metric of
its own: a bandwidth series (Mbps per period) integrates to megabytes, so the bandwidth
summaries carry ``TrafficMB``. ``server/ops.py`` makes the GetMonitorData calls.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lighthouse_mcp import catalog

METRICS_ACTION = "monitor_GetMonitorData"
#: What instance_metrics reports when no metrics are named.
DEFAULT_KEYS = ("cpu", "memory", "disk", "bandwidth_in", "bandwidth_out")
DEFAULT_PERIOD = 300
DEFAULT_WINDOW = 3600.0
#: GetMonitorData's limits: 10 instances and 7,200 points per request.
MAX_INSTANCES = 10
MAX_POINTS = 7200


def by_key() -> dict[str, catalog.Metric]:
    """Short key (and the MetricName itself) -> metric."""
    table: dict[str, catalog.Metric] = {}
    for metric in catalog.lighthouse_metrics()["metrics"]:
        table[metric["key"]] = metric
        table[metric["name"]] = metric
    return table


def keys() -> list[str]:
    return [m["key"] for m in catalog.lighthouse_metrics()["metrics"]]


def periods() -> list[int]:
    return list(catalog.lighthouse_metrics()["periods"])


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_time(value: str) -> float:
    """ISO 8601 (``2026-12-04T10:00:00Z``, with or without an offset; UTC when none) to
    epoch seconds; ValueError naming the expected form otherwise."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{value[:40]!r} is not an ISO 8601 time such as 2026-12-04T10:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def summarise(
    metric: catalog.Metric,
    timestamps: Sequence[float],
    values: Sequence[float],
    period: int,
    *,
    points: bool = False,
) -> dict[str, Any]:
    """One series as Min, Avg, Max, Last, PeakAt (and TrafficMB for bandwidth)."""
    out: dict[str, Any] = {"Metric": metric["name"], "Key": metric["key"], "Unit": metric["unit"]}
    pairs = [(float(t), float(v)) for t, v in zip(timestamps, values, strict=False)]
    out["Points"] = len(pairs)
    if not pairs:
        out["Note"] = "no data: the instance was not running in this window (or does not exist)"
        return out
    vals = [v for _, v in pairs]
    peak_t, peak = max(pairs, key=lambda p: p[1])
    out.update(
        Min=round(min(vals), 3),
        Avg=round(sum(vals) / len(vals), 3),
        Max=round(peak, 3),
        Last=round(vals[-1], 3),
        PeakAt=iso(peak_t),
        LastAt=iso(pairs[-1][0]),
    )
    if metric["unit"] == "Mbps":
        out["TrafficMB"] = round(sum(vals) * period / 8, 1)  # Mbit/s x s / 8 = MB
    if points:
        out["Series"] = [[iso(t), v] for t, v in pairs]
    return out


def window(start: str | None, end: str | None, now: float, period: int) -> tuple[float, float]:
    """The (start, end) epoch seconds: end defaults to now, start to an hour before end."""
    stop = parse_time(end) if end else now
    begin = parse_time(start) if start else stop - DEFAULT_WINDOW
    if stop < begin:
        raise ValueError("end_time is before start_time")
    return begin, stop


def series_of(response: Mapping[str, Any], instance_id: str) -> tuple[list[float], list[float]]:
    """The instance's (timestamps, values) in a GetMonitorData response."""
    for point in response.get("DataPoints") or []:
        for dim in point.get("Dimensions") or []:
            if dim.get("Name") == "InstanceId" and dim.get("Value") == instance_id:
                return list(point.get("Timestamps") or []), list(point.get("Values") or [])
    return [], []
