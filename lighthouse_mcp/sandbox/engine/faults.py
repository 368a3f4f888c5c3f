"""Fault injection and rate-limit enforcement, for testing how clients cope with a bad day.

A fault is a rule: *what* goes wrong (``kind``), for *which* action (``None`` = all), how
many more times (``count``; ``None`` = until cleared). Kinds:

* ``latency``            — wait ``seconds`` before answering (combines with the others).
* ``http_error``         — answer HTTP ``status`` (default 503) with a gateway-style text body.
* ``internal_error``     — answer the API envelope with ``InternalError``.
* ``throttle``           — answer ``RequestLimitExceeded`` (a burst: ``count`` = first N).
* ``drop``               — close the connection without a complete response.
* ``malformed``          — answer HTTP 200 with a body that is not JSON.

``after=True`` (drop, http_error, malformed) lets the request run first — the instance
*is* created — and then loses the answer, the case a client must not blindly retry.

Rules are checked in the order they were added; the first matching non-latency rule
decides the answer and uses up one of its ``count``. Faults act after the request is
recorded (it *reached* the sandbox) and before authentication, as a proxy or an
overloaded front end would.

:class:`RateLimiter` enforces each action's documented limit (次/秒) per account, region
and action over a sliding one-second window, as the docs' "API + 接入地域 + 子账号"
dimension says; it is off unless enabled (option or admin endpoint).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast, get_args

FaultKind = Literal["latency", "http_error", "internal_error", "throttle", "drop", "malformed"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
#: Faults that can strike after the request was processed (the answer is what is lost).
AFTER_KINDS = ("drop", "http_error", "malformed")


@dataclass
class Fault:
    kind: FaultKind
    action: str | None = None
    count: int | None = None
    seconds: float = 0.0  # latency
    status: int = 503  # http_error
    #: drop/http_error/malformed only: process the request (state changes), then lose
    #: the answer -- what a client retrying a write must be ready for.
    after: bool = False

    def matches(self, action: str | None) -> bool:
        return (self.count is None or self.count > 0) and (
            self.action is None or self.action == action
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """A fault from admin-endpoint JSON; ValueError names the bad field."""
        unknown = set(data) - {"kind", "action", "count", "seconds", "status", "after"}
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        kind = data.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}; got {kind!r}")
        action = data.get("action")
        if action is not None and not isinstance(action, str):
            raise ValueError("fault action must be an action name or null (all actions)")
        count = data.get("count")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise ValueError("fault count must be a non-negative integer or null (forever)")
        seconds = data.get("seconds", 0.0)
        if not isinstance(seconds, int | float) or not 0 <= seconds <= 300:
            raise ValueError("fault seconds must be a number between 0 and 300")
        status = data.get("status", 503)
        if not isinstance(status, int) or not 500 <= status <= 599:
            raise ValueError("fault status must be an HTTP 5xx code")
        after = data.get("after", False)
        if not isinstance(after, bool):
            raise ValueError("fault after must be true or false")
        if after and kind not in AFTER_KINDS:
            raise ValueError(f"after applies to {', '.join(AFTER_KINDS)} faults only")
        return cls(
            kind=cast(FaultKind, kind),
            action=action,
            count=count,
            seconds=float(seconds),
            status=status,
            after=after,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def parse(cls, text: str) -> Fault:
        """A fault from the command-line form ``KIND[,action=A][,count=N][,seconds=S]
        [,status=N][,after]``, e.g. ``throttle,action=DescribeInstances,count=3``."""
        kind, *options = [part.strip() for part in text.split(",")]
        data: dict[str, Any] = {"kind": kind}
        for option in options:
            key, sep, value = option.partition("=")
            if key == "after" and not sep:
                data["after"] = True
            elif key == "action" and sep:
                data["action"] = value
            elif key in ("count", "status") and sep:
                data[key] = _number(key, value, int)
            elif key == "seconds" and sep:
                data[key] = _number(key, value, float)
            else:
                raise ValueError(
                    f"fault option {option!r} is not one of action=, count=, seconds=, "
                    "status=, after"
                )
        return cls.from_json(data)


def _number(key: str, value: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"fault {key} must be a number, got {value!r}") from None


@dataclass(frozen=True)
class Decision:
    """What the fault rules decided for one request."""

    delay: float = 0.0
    fault: Fault | None = None  # the terminal fault to answer with, if any


class Faults:
    """The active fault rules; shared by the in-process app and the admin endpoint."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        action: str | None = None,
        *,
        count: int | None = None,
        seconds: float = 0.0,
        status: int = 503,
        after: bool = False,
    ) -> Fault:
        rule = Fault.from_json(
            {
                "kind": kind,
                "action": action,
                "count": count,
                "seconds": seconds,
                "status": status,
                "after": after,
            }
        )
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def decide(self, action: str | None) -> Decision:
        """Consume the rules that apply to this request and say what to do."""
        delay = 0.0
        terminal: Fault | None = None
        for rule in self.rules:
            if not rule.matches(action):
                continue
            if rule.kind == "latency":
                delay += rule.seconds
                _use(rule)
            elif terminal is None:
                terminal = rule
                _use(rule)
        self.rules = [r for r in self.rules if r.count is None or r.count > 0]
        return Decision(delay=delay, fault=terminal)

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.rules]


def _use(rule: Fault) -> None:
    if rule.count is not None:
        rule.count -= 1


class RateLimiter:
    """Sliding one-second window per (account, region, action) against documented limits."""

    def __init__(self, limit_of: Callable[[str], int | None], clock: Callable[[], float]) -> None:
        self.enabled = False
        self._limit_of = limit_of
        self._clock = clock
        self._seen: dict[tuple[str, str, str], deque[float]] = {}

    def reset(self) -> None:
        self._seen.clear()

    def allow(self, account: str, region: str, action: str) -> bool:
        """Record one call; False when it exceeds the action's documented rate."""
        if not self.enabled:
            return True
        limit = self._limit_of(action)
        if not limit:
            return True
        now = self._clock()
        window = self._seen.setdefault((account, region, action), deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(now)
        return True
