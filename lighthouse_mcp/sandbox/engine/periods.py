"""Billing periods: month arithmetic for expiry dates and the API's two time spellings.

Prepaid resources are bought and renewed by the month ("Period", unit ``m``); a month
added to 31 January ends on the last day of February, as a calendar does it. The API
writes times two ways: ``2021-08-25T08:50:57Z`` (ISO 8601, UTC) in resource structures,
and ``2018-01-01 00:00:00`` (Beijing time) in inputs like ``CurInstanceDeadline``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone

#: The zone the API means when it writes a time without one (China Standard Time).
BEIJING = timezone(timedelta(hours=8))

SECONDS_PER_DAY = 86400


def add_months(timestamp: float, months: int) -> float:
    """``timestamp`` moved ``months`` calendar months later (day clamped to month end)."""
    start = datetime.fromtimestamp(timestamp, UTC)
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day).timestamp()


def parse_iso(text: str) -> float:
    """A ``YYYY-MM-DDThh:mm:ssZ`` timestamp as epoch seconds."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def parse_local(text: str) -> float | None:
    """A ``YYYY-MM-DD hh:mm:ss`` Beijing time as epoch seconds; None if malformed."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=BEIJING).timestamp()


def format_local(timestamp: float) -> str:
    """Epoch seconds as ``YYYY-MM-DD hh:mm:ss`` Beijing time (the API's ``Timestamp`` type)."""
    return datetime.fromtimestamp(int(timestamp), BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def months_until(start: float, end: float) -> float:
    """The length of ``start`` → ``end`` in 30-day months, for pro-rata renewals."""
    return max(0.0, end - start) / (30 * SECONDS_PER_DAY)
