"""`lighthouse-mcp sandbox` as a real process over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lighthouse_mcp import catalog
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY

from .conftest import tc3_headers


def _start(
    *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline()]
    while lines[-1] and not lines[-1].startswith("Press Ctrl+C"):
        lines.append(proc.stdout.readline())
    first = lines[0].strip()
    assert first.startswith("Lighthouse sandbox listening on http://127.0.0.1:"), (
        first,
        proc.stderr.read() if proc.poll() is not None and proc.stderr else "",
    )
    return proc, first.rsplit(" ", 1)[1].rstrip("/"), lines


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    state = tmp_path / "state.json"
    env = {"TENCENTCLOUD_SECRET_ID": "", "TENCENTCLOUD_SECRET_KEY": ""}
    proc, url, lines = _start(
        "--state",
        str(state),
        "--delay",
        "0.05",
        "--fault",
        "throttle,action=DescribeBundles,count=1",
        env=env,
    )
    try:
        yield url, state, lines
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _post(
    url: str,
    action: str,
    params: dict[str, object],
    *,
    region: str | None = "ap-guangzhou",
    secret_id: str = DEFAULT_SECRET_ID,
    secret_key: str = DEFAULT_SECRET_KEY,
) -> httpx.Response:
    host = url.removeprefix("http://")
    body = json.dumps(params).encode()
    headers = tc3_headers(
        action,
        body,
        timestamp=int(time.time()),
        host=host,
        region=region,
        secret_id=secret_id,
        secret_key=secret_key,
    )
    return httpx.post(url + "/", content=body, headers=headers, timeout=10)


def test_prints_endpoint_and_default_credentials(server: tuple[str, Path, list[str]]) -> None:
    url, _, lines = server
    text = "".join(lines)
    assert DEFAULT_SECRET_ID in text and DEFAULT_SECRET_KEY in text
    data = _post(url, "DescribeRegions", {}, region=None).json()["Response"]
    assert data["TotalCount"] == len(catalog.region_ids())


def test_signature_checked_over_real_http(server: tuple[str, Path, list[str]]) -> None:
    url, _, _ = server
    bad = _post(url, "DescribeZones", {}, secret_key="wrong").json()["Response"]
    assert bad["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_drop_fault_cuts_the_socket(server: tuple[str, Path, list[str]]) -> None:
    url, _, _ = server
    resp = httpx.post(url + "/admin/faults", json={"add": [{"kind": "drop", "count": 1}]})
    assert resp.status_code == 200
    with pytest.raises(httpx.TransportError):
        _post(url, "DescribeZones", {})
    assert "Error" not in _post(url, "DescribeZones", {}).json()["Response"]


def test_state_file_written_after_a_write(server: tuple[str, Path, list[str]]) -> None:
    url, state, _ = server
    _post(
        url,
        "ModifyInstancesAttribute",
        {"InstanceIds": ["lhins-demo0001"], "InstanceName": "persisted"},
    )
    assert state.exists()
    saved = json.loads(state.read_text())
    assert DEFAULT_SECRET_ID in saved["accounts"]


def test_credentials_from_environment_are_not_printed() -> None:
    env = {"TENCENTCLOUD_SECRET_ID": "AKIDenvironment", "TENCENTCLOUD_SECRET_KEY": "envkey123"}
    proc, url, lines = _start(env=env)
    try:
        text = "".join(lines)
        assert "AKIDenvironment" in text and "envkey123" not in text
        ok = _post(url, "DescribeZones", {}, secret_id="AKIDenvironment", secret_key="envkey123")
        assert "Error" not in ok.json()["Response"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_half_given_credentials_are_refused() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--secret-id", "X"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode != 0 and "--secret-key" in proc.stderr


def test_a_corrupt_state_file_is_reported_not_traced(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lighthouse_mcp.server",
            "sandbox",
            "--port",
            "0",
            "--state",
            str(state),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "cannot load state" in proc.stderr and "Traceback" not in proc.stderr


def test_a_negative_delay_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--delay", "-1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "seconds" in proc.stderr


def test_fault_given_as_option(server: tuple[str, Path, list[str]]) -> None:
    url, _, lines = server
    assert any("Fault:" in line for line in lines)
    first = _post(url, "DescribeBundles", {}).json()["Response"]
    assert first["Error"]["Code"] == "RequestLimitExceeded"
    assert "Error" not in _post(url, "DescribeBundles", {}).json()["Response"]


def test_a_bad_fault_option_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lighthouse_mcp.server", "sandbox", "--fault", "explode"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "--fault" in proc.stderr


def test_verbose_logs_one_line_per_request_without_params() -> None:
    env = {"TENCENTCLOUD_SECRET_ID": "", "TENCENTCLOUD_SECRET_KEY": ""}
    proc, url, _ = _start("--verbose", env=env)
    try:
        _post(
            url,
            "ResetInstancesPassword",
            {"InstanceIds": ["lhins-demo0001"], "Password": "Sup3r$ecretPass"},
        )
        _post(url, "DescribeZones", {})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.stderr is not None
    log = proc.stderr.read()
    assert "ResetInstancesPassword ap-guangzhou" in log and "DescribeZones ap-guangzhou ok" in log
    assert "Sup3r$ecretPass" not in log


def test_admin_refuses_a_cross_origin_page_over_a_real_socket(
    server: tuple[str, Path, list[str]],
) -> None:
    """A page on another site POSTing a form to /admin/reset, as a browser sends it over
    TCP from the same machine: refused, and the sandbox keeps its faults; the same
    change from a local tool (no Origin, JSON) goes through."""
    url, _, _ = server
    added = httpx.post(url + "/admin/faults", json={"add": [{"kind": "drop", "count": 5}]})
    assert added.status_code == 200
    before = added.json()["faults"]
    page = {
        "Origin": "http://evil.example",
        "Sec-Fetch-Site": "cross-site",
        "Sec-Fetch-Mode": "no-cors",
    }
    for path, kind, body in (
        ("/admin/reset", "application/x-www-form-urlencoded", "a=1"),
        ("/admin/faults", "text/plain", '{"clear": true}'),
    ):
        refused = httpx.post(
            url + path, content=body, headers={**page, "Content-Type": kind}, timeout=10
        )
        assert refused.status_code == 403, refused.text
        assert "access-control-allow-origin" not in refused.headers
    assert httpx.get(url + "/admin/faults", timeout=10).json()["faults"] == before
    cleared = httpx.post(url + "/admin/faults", json={"clear": True}, timeout=10)
    assert cleared.json()["faults"] == []
