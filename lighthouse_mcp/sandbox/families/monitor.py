"""Cloud Monitor (``monitor`` 2018-07-24) for Lighthouse instances: metric descriptions
and metric data of the ``QCE/LIGHTHOUSE`` namespace.

* **DescribeBaseMetrics**: the namespace's metrics from the catalog's metric table
  (``catalog/lighthouse-metrics.json``): unit, periods, statistics, dimension.
* **GetMonitorData**: one metric for up to 10 instances (dimension ``InstanceId``), at
  a supported period (default 300 s) between StartTime and EndTime (default: the last
  hour up to now), at most 7,200 points. Values come from ``telemetry`` — deterministic
  per instance and time, scaled by its bundle — and exist only for the times the
  instance has been RUNNING since its last boot: a stopped instance, or one that does
  not exist, has an empty series (as the service answers). ``SpecifyStatistics`` (1 avg,
  2 max, 4 min) adds AvgValues/MaxValues/MinValues.

Other namespaces answer ``InvalidParameterValue``; the alarm actions answer with their
documented example (``engine/fallback.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from lighthouse_mcp import catalog

from ..engine.context import Ctx
from ..engine.errors import err
from ..engine.registry import Family
from . import telemetry

family = Family("monitor", service="monitor")

MAX_INSTANCES = 10
MAX_POINTS = 7200
#: The service answers in China Standard Time, as its examples show.
_CST = timezone(timedelta(hours=8))


def _metrics() -> dict[str, catalog.Metric]:
    return {m["name"]: m for m in catalog.lighthouse_metrics()["metrics"]}


def value_of(metric: str, s: telemetry.Sample) -> float:
    """The figure ``metric`` reports for one sample."""
    return {
        "CpuUsage": s.cpu,
        "CpuLoadavg": s.load1,
        "Cpuloadavg5m": s.load5,
        "Cpuloadavg15m": s.load15,
        "MemUsage": s.mem,
        "MemUsed": s.mem_used_mb,
        "DiskUsage": s.disk,
        "LighthouseIntraffic": s.bw_in,
        "LighthouseOuttraffic": s.bw_out,
        "LighthouseInpkg": s.pkg_in,
        "LighthouseOutpkg": s.pkg_out,
    }[metric]


def _namespace(params: dict[str, Any]) -> str:
    namespace = str(params["Namespace"])
    expected = catalog.lighthouse_metrics()["namespace"]
    if namespace.upper() != expected:
        raise err(
            "InvalidParameterValue",
            f"Namespace `{namespace[:40]}` is not emulated here; the sandbox answers "
            f"{expected} (Lighthouse instances).",
        )
    return expected


@family.handler("DescribeBaseMetrics")
def describe_base_metrics(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    namespace = _namespace(params)
    table = catalog.lighthouse_metrics()
    wanted = params.get("MetricName")
    rows = []
    for metric in table["metrics"]:
        if wanted and metric["name"] != wanted:
            continue
        rows.append(
            {
                "Namespace": namespace,
                "MetricName": metric["name"],
                "Unit": metric["unit"],
                "UnitCname": metric["unit"],
                "Period": table["periods"],
                "Periods": [
                    {"Period": str(p), "StatType": table["statistics"]} for p in table["periods"]
                ],
                "Meaning": {"En": metric["meaning"], "Zh": metric["name_zh"]},
                "Dimensions": [{"Dimensions": [table["dimension"]]}],
                "MetricCName": metric["name_zh"],
                "MetricEName": metric["meaning"],
            }
        )
    return {"MetricSet": rows}


def _time(value: Any, field: str) -> float:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise err(
            "InvalidParameterValue",
            f"`{field}` must be an ISO 8601 time such as 2018-09-22T19:51:23+08:00; "
            f"got {str(value)[:40]!r}.",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_CST)
    return parsed.timestamp()


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).astimezone(_CST).isoformat()


@family.handler("GetMonitorData")
def get_monitor_data(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _namespace(params)
    table = catalog.lighthouse_metrics()
    metric = params["MetricName"]
    if metric not in _metrics():
        raise err(
            "InvalidParameterValue",
            f"MetricName `{str(metric)[:40]}` does not exist in {table['namespace']}; see "
            "DescribeBaseMetrics.",
        )
    period = int(params.get("Period") or 300)
    if period not in table["periods"]:
        raise err(
            "InvalidParameterValue",
            f"Period {period} is not supported; use one of {table['periods']}.",
        )
    now = ctx.now()
    end = _time(params["EndTime"], "EndTime") if params.get("EndTime") else now
    start = _time(params["StartTime"], "StartTime") if params.get("StartTime") else end - 3600
    if end < start:
        raise err("InvalidParameterValue", "EndTime cannot be earlier than StartTime.")
    instances = params["Instances"]
    if not 1 <= len(instances) <= MAX_INSTANCES:
        raise err(
            "InvalidParameterValue",
            f"`Instances` takes 1 to {MAX_INSTANCES} instances per request.",
        )
    first = int(start // period) * period
    times = [float(t) for t in range(first, int(end) + 1, period)]
    if len(times) * len(instances) > MAX_POINTS:
        raise err(
            "InvalidParameterValue",
            f"The request asks for {len(times) * len(instances)} data points; at most "
            f"{MAX_POINTS}. Use a longer Period or a shorter time range.",
        )
    stats = int(params.get("SpecifyStatistics") or 0)
    records = ctx.state.table("instances")
    points = []
    for index, item in enumerate(instances):
        dims = item.get("Dimensions") or []
        iid = next((str(d.get("Value")) for d in dims if d.get("Name") == "InstanceId"), None)
        if iid is None:
            raise err(
                "InvalidParameterValue",
                f"`Instances.{index}.Dimensions` must name the InstanceId dimension.",
            )
        record = records.get(iid)
        booted = telemetry.running_since(record) if record is not None else None
        own = [t for t in times if booted is not None and booted <= t <= now]
        point: dict[str, Any] = {"Dimensions": dims, "Timestamps": own, "Values": []}
        window: list[list[float]] = []
        for t in own:
            samples = [
                value_of(metric, telemetry.sample(record or {}, t + k * period / 3))
                for k in range(3)
            ]
            window.append(samples)
            point["Values"].append(samples[0])
        if stats & 1:
            point["AvgValues"] = [round(sum(w) / len(w), 3) for w in window]
        if stats & 2:
            point["MaxValues"] = [max(w) for w in window]
        if stats & 4:
            point["MinValues"] = [min(w) for w in window]
        points.append(point)
    return {
        "Period": period,
        "MetricName": metric,
        "DataPoints": points,
        "StartTime": _iso(first),
        "EndTime": _iso(times[-1] if times else end),
        "Msg": "",
    }
