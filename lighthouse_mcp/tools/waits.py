"""Waiting for asynchronous work to finish: which Describe* tells each resource's state.

Most Lighthouse writes return a RequestId while the work goes on. A model that polls
by hand spends its context on it; the ``wait_for`` tool does it server-side, driven by
the resource-kind table (tools/resources.json: per kind the Describe action, the
state member, the failure states) and one generic poll loop. The
loop is transport-agnostic: it takes an async ``call(action, params)`` and an optional
progress callback, so the server wires it to the shared client and MCP progress
notifications, and tests wire it to anything.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from lighthouse_mcp.tools import resource_kinds
from lighthouse_mcp.tools.lookup import Call, records_by_id
from lighthouse_mcp.tools.resource_kinds import GONE, ResourceKind, Wait

Progress = Callable[[float, float, str], Awaitable[None]]

#: Default wait: long enough for a start/stop/snapshot, short enough that a client whose
#: request timeout is a few minutes still gets the answer (a wait can be called again).
DEFAULT_TIMEOUT_SECONDS = 120.0
MAX_TIMEOUT_SECONDS = 1800.0
FIRST_POLL_SECONDS = 1.0
MAX_POLL_SECONDS = 10.0
POLL_BACKOFF = 1.5
#: A resource created a moment ago may not be listed yet: absent and never seen is
#: "not visible yet" for this long, then "not found".
NOT_SEEN_GRACE_SECONDS = 15.0
#: Polls in a row that may fail with a transient error (network, throttling, a 5xx the
#: client's own retries did not get past) before the wait gives up and reports it: a
#: ten-minute wait should not be lost to one bad second.
MAX_TRANSIENT_FAILURES = 3
#: How much of a failed docker activity's command output the reason quotes.
MAX_OUTPUT_CHARS = 300
OPERATION_DONE = ("SUCCESS", "FAILED")


def _command_output(record: Mapping[str, Any]) -> str:
    """The start of a docker activity's command output (base64 in the API), for a reason."""
    raw = record.get("ActivityCommandOutput")
    if not isinstance(raw, str) or not raw:
        return ""
    try:
        text = base64.b64decode(raw, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        text = raw
    text = " ".join(text.split())
    text = text if len(text) <= MAX_OUTPUT_CHARS else text[: MAX_OUTPUT_CHARS - 3] + "..."
    return f"output: {text}"


def _apply_failures(record: Mapping[str, Any]) -> str:
    """Which instances a firewall template could not be applied to, and why."""
    details = [d for d in record.get("ApplyDetailSet") or [] if isinstance(d, Mapping)]
    failed = [d for d in details if d.get("ApplyState") == "FAILED"]
    if not failed:
        return ""
    named = "; ".join(
        f"{(d.get('Instance') or {}).get('InstanceId', '?')}: "
        f"{d.get('ErrorMessage') or 'no message'}"
        for d in failed[:5]
    )
    more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
    return f"{len(failed)} of {len(details)} instances FAILED: {named}{more}"


#: What a record says beyond its state, by the name the resource-kind table gives.
DETAILS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "command_output": _command_output,
    "apply_failures": _apply_failures,
}

#: The kinds wait_for observes (those with a wait row in the table), in table order.
KINDS: dict[str, ResourceKind] = {
    name: kind for name, kind in resource_kinds.KINDS.items() if kind.wait is not None
}

#: Describe action -> kind, for the async notes that name the action to poll.
KIND_BY_DESCRIBE = {spec.describe: kind for kind, spec in KINDS.items()}


@dataclass
class Observed:
    """What the last poll saw of one resource, and the verdict on it."""

    id: str
    state: str | None = None
    latest_operation: str | None = None
    latest_operation_state: str | None = None
    latest_operation_request_id: str | None = None
    status: str = "waiting"  # waiting | reached | failed | timeout
    reason: str | None = None
    seen: bool = False  # listed by at least one poll

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Id": self.id, "State": self.state, "Status": self.status}
        if self.latest_operation is not None or self.latest_operation_state is not None:
            out["LatestOperation"] = self.latest_operation
            out["LatestOperationState"] = self.latest_operation_state
            out["LatestOperationRequestId"] = self.latest_operation_request_id
        if self.reason:
            out["Reason"] = self.reason
        return out


def context_arg(name: str) -> str:
    """InstanceId -> instance_id: how a Describe* parameter a wait needs is spelled as a
    wait_for argument (server-added arguments are lower snake_case)."""
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def context_args() -> dict[str, str]:
    """wait_for argument -> Describe* parameter, over every kind."""
    return {context_arg(n): n for spec in KINDS.values() for n in spec.context}


class WaitError(ValueError):
    """The wait was asked for something it cannot observe; names the field."""


def check_request(
    kind: str,
    ids: Sequence[str],
    target_state: str | None,
    operation_request_id: str | None,
    context: Mapping[str, Any],
) -> ResourceKind:
    """Validate a wait request before any call is made; every message names the field."""
    spec = KINDS.get(kind)
    if spec is None:
        raise WaitError(f"resource: expected one of {', '.join(KINDS)}, got {kind!r}")
    if not ids:
        raise WaitError("ids: expected at least one resource ID")
    if len(ids) > spec.max_ids:
        raise WaitError(f"ids: expected at most {spec.max_ids} IDs, got {len(ids)}")
    if (target_state is None) == (operation_request_id is None):
        raise WaitError("target_state / operation_request_id: give exactly one of them")
    if target_state is not None and target_state not in spec.states:
        raise WaitError(
            f"target_state: expected one of {', '.join(spec.states)} for {kind}, "
            f"got {target_state!r}"
        )
    if operation_request_id is not None and not spec.has_latest_operation:
        raise WaitError(
            f"operation_request_id: {kind} records carry no LatestOperationRequestId; "
            "use target_state"
        )
    for name in spec.context:
        if not context.get(name):
            raise WaitError(f"{name}: required to observe a {kind}")
    return spec


def _wait(spec: ResourceKind) -> Wait:
    if spec.wait is None:  # KINDS holds only kinds with a wait row
        raise WaitError(f"{spec.name} cannot be waited for")
    return spec.wait


def _judge(
    kind: str,
    spec: ResourceKind,
    seen: Observed,
    record: Mapping[str, Any] | None,
    target_state: str | None,
    operation_request_id: str | None,
    elapsed: float,
) -> None:
    if record is None:
        if target_state == GONE:
            seen.state, seen.status = GONE, "reached"
        elif seen.seen:
            seen.state = GONE
            seen.status, seen.reason = "failed", f"the {kind} no longer exists"
        elif elapsed >= NOT_SEEN_GRACE_SECONDS:
            seen.status = "failed"
            seen.reason = f"no {kind} with this ID is listed by {spec.describe}"
        return  # never listed yet: a new resource may take a moment to appear
    seen.seen = True
    wait = _wait(spec)
    seen.state = str(record.get(wait.state_field))
    if spec.has_latest_operation:
        seen.latest_operation = record.get("LatestOperation")
        seen.latest_operation_state = record.get("LatestOperationState")
        seen.latest_operation_request_id = record.get("LatestOperationRequestId")
    if operation_request_id is not None:
        if seen.latest_operation_request_id != operation_request_id:
            return  # another operation is shown; ours has not been recorded yet
        if seen.latest_operation_state == "SUCCESS":
            seen.status = "reached"
        elif seen.latest_operation_state == "FAILED":
            seen.status = "failed"
            seen.reason = (
                f"{seen.latest_operation or 'the operation'} FAILED "
                f"(request {operation_request_id}); the {kind} is {seen.state}"
            )
        return
    detail = DETAILS[wait.detail](record) if wait.detail is not None else ""
    if seen.state == target_state:
        seen.status = "reached"
        seen.reason = detail or None  # e.g. a template applied, but not to every instance
    elif seen.state in wait.failed_states:
        seen.status = "failed"
        seen.reason = f"reached the failure state {seen.state}" + (f"; {detail}" if detail else "")
    elif (
        spec.has_latest_operation
        and seen.latest_operation_state == "FAILED"
        and (seen.latest_operation is not None)
    ):
        seen.status = "failed"
        seen.reason = (
            f"its latest operation {seen.latest_operation} FAILED "
            f"(request {seen.latest_operation_request_id}); it is {seen.state}"
        )


def _progress_message(seen: Mapping[str, Observed], elapsed: float) -> str:
    done = sum(1 for o in seen.values() if o.status != "waiting")
    counts: dict[str, int] = {}
    for o in seen.values():
        label = o.state or "not listed yet"
        if o.latest_operation_state == "OPERATING":
            label += f" ({o.latest_operation} running)"
        counts[label] = counts.get(label, 0) + 1
    now = ", ".join(f"{n} {label}" if len(seen) > 1 else label for label, n in counts.items())
    return f"{done}/{len(seen)} settled after {elapsed:.0f}s; now: {now}"


async def wait_for(
    call: Call,
    kind: str,
    ids: Sequence[str],
    *,
    target_state: str | None = None,
    operation_request_id: str | None = None,
    context: Mapping[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    first_poll: float | None = None,
    max_poll: float | None = None,
    transient: Callable[[Exception], bool] | None = None,
) -> dict[str, Any]:
    """Poll until every resource is settled or the timeout passes; returns the final view.

    A resource is settled when it reached the target (a state, or SUCCESS of the given
    operation), or failed (a failure state, FAILED with the API's reason, or it vanished).
    The poll interval grows from ``first_poll`` (1 s) by 1.5x up to ``max_poll`` (10 s),
    so a long wait costs a few calls a minute; each call still passes the client's
    per-action rate limiter. Cancelling the caller's task stops the loop at its next
    await (a sleep or a call): nothing is left polling. A poll that raises an error
    ``transient`` accepts is skipped (up to MAX_TRANSIENT_FAILURES in a row); any other
    error propagates.
    """
    ctx = dict(context or {})
    spec = check_request(kind, ids, target_state, operation_request_id, ctx)
    timeout = min(max(timeout, 0.0), MAX_TIMEOUT_SECONDS)
    interval = FIRST_POLL_SECONDS if first_poll is None else first_poll
    ceiling = MAX_POLL_SECONDS if max_poll is None else max_poll
    unique = list(dict.fromkeys(ids))
    seen = {rid: Observed(rid) for rid in unique}
    started = clock()
    polls = 0
    failures = 0
    while True:
        pending = [rid for rid in unique if seen[rid].status == "waiting"]
        problem = ""
        try:
            for start in range(0, len(pending), spec.max_ids):
                chunk = pending[start : start + spec.max_ids]
                params = {**ctx, spec.ids_param: chunk}
                if spec.takes_limit:
                    params["Limit"] = min(100, max(len(chunk), 1))
                records = await records_by_id(
                    call,
                    spec.describe,
                    params,
                    ids_param=spec.ids_param,
                    ids=chunk,
                    set_field=spec.set_field,
                    id_field=spec.id_field,
                )
                for rid in chunk:
                    _judge(
                        kind,
                        spec,
                        seen[rid],
                        records.get(rid),
                        target_state,
                        operation_request_id,
                        clock() - started,
                    )
            failures = 0
        except Exception as error:
            failures += 1
            if transient is None or not transient(error) or failures > MAX_TRANSIENT_FAILURES:
                raise
            problem = (
                f" (poll failed: {getattr(error, 'code', '') or type(error).__name__}; retrying)"
            )
        polls += 1
        done = sum(1 for o in seen.values() if o.status != "waiting")
        elapsed = clock() - started
        if progress is not None:
            await progress(
                float(done), float(len(unique)), _progress_message(seen, elapsed) + problem
            )
        if done == len(unique):
            break
        remaining = timeout - elapsed
        if remaining <= 0:
            for o in seen.values():
                if o.status == "waiting":
                    o.status = "timeout"
                    where = o.state or "not listed"
                    if o.latest_operation_state == "OPERATING":
                        where += f", {o.latest_operation} still OPERATING"
                    o.reason = f"still {where} after {timeout:.0f}s"
            break
        await sleep(min(interval, remaining))
        interval = min(interval * POLL_BACKOFF, ceiling)
    results = [seen[rid].as_dict() for rid in unique]
    out: dict[str, Any] = {
        "Resource": kind,
        "Target": target_state
        or f"LatestOperationState SUCCESS for request {operation_request_id}",
        "Done": all(o["Status"] == "reached" for o in results),
        "ElapsedSeconds": round(clock() - started, 1),
        "Polls": polls,
        "Resources": results,
    }
    # IDs no poll ever listed, past the grace period: most likely a wrong ID (or region),
    # which the caller must hear as an error, not as a wait that merely did not finish.
    missing = [rid for rid in unique if seen[rid].status == "failed" and not seen[rid].seen]
    if missing:
        out["NotFound"] = missing
    return out
