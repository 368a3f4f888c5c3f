"""Raw lines into a real ``lighthouse-mcp --sandbox`` stdio subprocess, answers out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any


def stdio_exchange(
    lines: list[bytes], last_id: str = "last"
) -> tuple[list[dict[str, Any]], bytes, int]:
    """Write ``lines`` to a fresh server, read answers until the one with ``last_id``,
    close stdin (EOF: the server exits) and return (answers, stderr, exit code). A hung
    server is killed after 60 s, failing the test rather than the run."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "lighthouse_mcp.server", "--sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"\n".join(lines) + b"\n")
    proc.stdin.flush()
    answers: list[dict[str, Any]] = []
    timer = threading.Timer(60, proc.kill)
    timer.start()
    try:
        while not any(a.get("id") == last_id for a in answers):
            line = proc.stdout.readline()
            if not line:
                break
            answers.append(json.loads(line))
        proc.stdin.close()
        stderr = proc.stderr.read() if proc.stderr else b""
        proc.wait(30)
    finally:
        timer.cancel()
    return answers, stderr, proc.returncode
