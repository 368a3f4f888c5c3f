"""Child processes for load tests and benchmarks: the sandbox (`lighthouse-mcp sandbox`)
and the MCP server over streamable HTTP (`lighthouse-mcp --transport streamable-http`),
each on a free loopback port, as they would run in production (their own interpreter,
their own GIL), plus readers for what only /proc can tell (RSS, TCP connections)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY

ADMIN_TOKEN = "proof-admin-token-0123456789"
MCP_TOKEN = "proof-mcp-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)


def _answers(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        httpx.get(url, headers=headers, timeout=2)
        return True
    except httpx.HTTPError:
        return False


@contextmanager
def _child(
    args: list[str], ready_url: str, what: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lighthouse_mcp.server", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ | (env or {}),
    )
    try:
        _wait_until(lambda: _answers(ready_url, {"X-Sandbox-Admin-Token": ADMIN_TOKEN}), proc, what)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def sandbox_process(
    *, enforce_rate_limits: bool = True
) -> Iterator[tuple[str, Callable[[], list[dict[str, Any]]]]]:
    """The sandbox in a child process; yields its URL and a reader of its request log."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["sandbox", "--port", str(port), "--delay", "0", "--admin-token", ADMIN_TOKEN]
    if enforce_rate_limits:
        args.append("--enforce-rate-limits")
    headers = {"X-Sandbox-Admin-Token": ADMIN_TOKEN}
    with _child(args, f"{base}/admin/requests", "the sandbox"):

        def requests() -> list[dict[str, Any]]:
            answer = httpx.get(f"{base}/admin/requests", headers=headers, timeout=30).json()
            return list(answer["requests"])

        yield base, requests


@contextmanager
def http_server_process(endpoint: str, *extra: str) -> Iterator[tuple[str, int]]:
    """The MCP server over streamable HTTP against ``endpoint``; yields (URL, pid)."""
    port = free_port()
    env = {
        "TENCENTCLOUD_SECRET_ID": DEFAULT_SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": DEFAULT_SECRET_KEY,
    }
    args = [
        "--transport",
        "streamable-http",
        "--port",
        str(port),
        "--auth-token",
        MCP_TOKEN,
        "--endpoint",
        endpoint,
        "--region",
        "ap-guangzhou",
        *extra,
    ]
    with _child(args, f"http://127.0.0.1:{port}/mcp", "the MCP server", env) as proc:
        yield f"http://127.0.0.1:{port}/mcp", proc.pid


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def peak_rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def established_to(port: int) -> int:
    """ESTABLISHED TCP connections whose remote end is 127.0.0.1:port (/proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and fields[2] == f"0100007F:{port:04X}":
            count += 1
    return count
