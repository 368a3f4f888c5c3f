"""Running a command on instances through TAT, the parts that are plain data work: which
shell, the base64 both ways, why an instance cannot run it now, and long output cut to
its head and tail with a note of what was cut.

``server/ops.py`` does the calls (agent status, RunCommand through the gate, polling the
invocation tasks); everything here is pure and tested without a server.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

#: The API's actions run_command sends (qualified names, as the catalog knows them).
RUN_ACTION = "tat_RunCommand"
AGENT_ACTION = "tat_DescribeAutomationAgentStatus"
TASKS_ACTION = "tat_DescribeInvocationTasks"
#: TAT's Timeout bounds (seconds) and run_command's default.
MIN_TIMEOUT, MAX_TIMEOUT, DEFAULT_TIMEOUT = 1, 86400, 60
#: Characters of output kept per instance: the first HEAD and the last TAIL.
HEAD, TAIL = 2000, 4000
#: The task states after which nothing changes (DescribeInvocationTasks' TaskStatus).
FINAL_TASK_STATES = frozenset(
    {
        "SUCCESS",
        "FAILED",
        "TIMEOUT",
        "TASK_TIMEOUT",
        "CANCELLED",
        "TERMINATED",
        "DELIVER_FAILED",
        "START_FAILED",
    }
)


def command_type(platform_type: str | None) -> str:
    """The TAT CommandType for an instance's PlatformType: PowerShell on Windows."""
    return "POWERSHELL" if platform_type == "WINDOWS" else "SHELL"


def encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode(value: str | None) -> str:
    """A task's base64 output as text (undecodable bytes shown as U+FFFD, never raised)."""
    if not value:
        return ""
    try:
        raw = base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return value
    return raw.decode("utf-8", errors="replace")


def agent_problem(
    instance: Mapping[str, Any] | None, agent: Mapping[str, Any] | None
) -> str | None:
    """Why the instance cannot run a command now, and what to do; None when it can."""
    if instance is None:
        return "no such instance in this region: check the ID and Region (DescribeInstances)"
    state = instance.get("InstanceState")
    if state != "RUNNING":
        if state in ("STOPPED", "SHUTDOWN"):
            return (
                f"the instance is {state}, so its TAT agent is offline: start it "
                "(StartInstances, then wait_for RUNNING) and try again"
            )
        return f"the instance is {state}: wait until it is RUNNING (wait_for) and try again"
    if agent is None:
        return (
            "no TAT agent reports from this instance: the agent is not installed; install "
            "it (see Tencent Cloud's TAT docs, 'Installing the TAT agent') or log in another way"
        )
    if agent.get("AgentStatus") != "Online":
        return (
            "the instance is RUNNING but its TAT agent is offline (it may be starting or "
            "stopped): wait a minute and retry, or reboot the instance (RebootInstances)"
        )
    return None


def cut(text: str, head: int = HEAD, tail: int = TAIL) -> tuple[str, str | None]:
    """``text`` with its middle cut when longer than head + tail, and a note saying so."""
    if len(text) <= head + tail:
        return text, None
    gone = len(text) - head - tail
    lines = text[head:-tail].count("\n")
    marker = f"\n[... {gone} characters ({lines} lines) cut ...]\n"
    note = (
        f"output is {len(text)} characters: the first {head} and the last {tail} are kept, "
        f"{gone} in the middle were cut"
    )
    return text[:head] + marker + text[-tail:], note


#: Characters that make a line more than one plain command (chaining, pipes, redirection,
#: substitution, globbing of other paths): a line with any of them never matches a rule.
_SHELL_SYNTAX = frozenset(";&|<>`$(){}[]*?!\\\n\r")


def command_in(content: str, allowed: Iterable[str]) -> bool:
    """The predicate a gate rule uses to let chosen commands run without asking: true
    when the base64 ``content`` decodes to lines that are each exactly one of
    ``allowed`` (whitespace between words normalised), with no shell syntax at all.
    ``uptime\ndf -h`` matches ["uptime", "df -h"]; ``uptime; rm -rf /``,
    ``df -h > /etc/motd`` and ``uptime $(reboot)`` never do."""
    try:
        text = base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return False
    wanted = {" ".join(a.split()) for a in allowed}
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    for line in lines:
        if any(ch in _SHELL_SYNTAX for ch in line.rstrip("\r")):
            return False
        if " ".join(line.split()) not in wanted:
            return False
    return True


def task_result(task: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """One instance's outcome from its invocation task, decoded and cut."""
    result = task.get("TaskResult") or {}
    status = str(task.get("TaskStatus") or "")
    output, note = cut(decode(result.get("Output")))
    notes = [note] if note else []
    dropped = int(result.get("Dropped") or 0)
    if dropped:
        notes.append(f"TAT itself kept only the first 24 KB: {dropped} more bytes were dropped")
    done = status in FINAL_TASK_STATES
    row: dict[str, Any] = {
        "InstanceId": task.get("InstanceId"),
        "InstanceName": names.get(str(task.get("InstanceId")), ""),
        "TaskStatus": status,
        "ExitCode": result.get("ExitCode") if done and status != "TIMEOUT" else None,
        "Output": output,
        "InvocationTaskId": task.get("InvocationTaskId"),
    }
    if task.get("ErrorInfo"):
        notes.append(str(task["ErrorInfo"]))
    if notes:
        row["Notes"] = notes
    return row
