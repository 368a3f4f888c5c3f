"""Admin endpoints (reset, faults, request log) and --state persistence."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, Sandbox
from lighthouse_mcp.sandbox.protocol.app import SandboxTransport

from ..conftest import Api, Clock

pytestmark = pytest.mark.anyio


async def test_reset_endpoint_restores_the_seed(api: Api) -> None:
    table = api.sandbox.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table("instances")
    table.pop("lhins-demo0001")
    api.sandbox.faults.add("internal_error", "DescribeBundles")
    resp = await api.http.post("/admin/reset", json={})
    assert resp.status_code == 200
    table = api.sandbox.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table("instances")
    assert "lhins-demo0001" in table
    assert api.sandbox.faults.rules == [] and api.sandbox.requests == []


async def test_faults_endpoint_adds_lists_and_clears(api: Api) -> None:
    resp = await api.http.post(
        "/admin/faults",
        json={
            "add": [{"kind": "throttle", "action": "DescribeZones", "count": 1}],
            "enforce_rate_limits": True,
        },
    )
    assert resp.status_code == 200
    assert resp.json()["faults"][0]["kind"] == "throttle"
    assert api.sandbox.enforce_rate_limits is True
    assert await api.error("DescribeZones") == "RequestLimitExceeded"
    bad = await api.http.post("/admin/faults", json={"add": [{"kind": "nope"}]})
    assert bad.status_code == 400 and "kind" in bad.json()["error"]
    await api.http.post("/admin/faults", json={"add": [{"kind": "drop"}]})
    cleared = await api.http.post("/admin/faults", json={"clear": True})
    assert cleared.json()["faults"] == []
    listed = await api.http.get("/admin/faults")
    assert listed.json() == {"faults": [], "enforce_rate_limits": True}


async def test_request_log_redacts_secrets(api: Api) -> None:
    await api.call(
        "ResetInstancesPassword", {"InstanceIds": ["lhins-demo0001"], "Password": "S3cret!pass"}
    )
    resp = await api.http.get("/admin/requests")
    text = resp.text
    assert "S3cret!pass" not in text
    entry = resp.json()["requests"][-1]
    assert entry["action"] == "ResetInstancesPassword"
    assert entry["params"]["Password"] == "<redacted>"
    assert entry["secret_id"] == DEFAULT_SECRET_ID


async def test_admin_refuses_remote_clients_without_the_token(clock: Clock) -> None:
    sb = Sandbox(clock=clock, admin_token="adm-tok")
    remote = httpx.ASGITransport(app=sb.app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=remote, base_url="http://localhost") as http:
        assert (await http.get("/admin/requests")).status_code == 403
        assert (await http.post("/admin/reset", json={})).status_code == 403
        ok = await http.get("/admin/requests", headers={"X-Sandbox-Admin-Token": "adm-tok"})
        assert ok.status_code == 200
        wrong = await http.get("/admin/requests", headers={"X-Sandbox-Admin-Token": "no"})
        assert wrong.status_code == 403
    async with httpx.AsyncClient(
        transport=SandboxTransport(sb.app), base_url="http://localhost"
    ) as h:
        assert (await h.get("/admin/faults")).status_code == 200  # loopback


async def test_state_file_survives_a_restart(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "state.json"
    sb = Sandbox(clock=clock, state_file=path)
    api = Api(sb, clock)
    await api.ok("DescribeInstances")  # a read: seeds, nothing scheduled, no save needed
    table = sb.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table("instances")
    table["lhins-demo0001"]["InstanceName"] = "renamed-before-restart"
    await api.call(
        "ModifyInstancesAttribute", {"InstanceIds": ["lhins-demo0001"], "InstanceName": "x"}
    )  # a write: saves
    await api.http.aclose()
    saved = json.loads(path.read_text())
    assert saved["format"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]

    again = Sandbox(clock=clock, state_file=path)
    table = again.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table("instances")
    assert table["lhins-demo0001"]["InstanceName"] in ("renamed-before-restart", "x")


async def test_pending_transitions_survive_a_restart(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "state.json"
    sb = Sandbox(clock=clock, state_file=path, delay=3)
    ctx = sb.backend.context("StopInstances", DEFAULT_SECRET_ID, "ap-guangzhou", "r")
    ctx.state.table("instances")["lhins-demo0001"]["InstanceState"] = "STOPPING"
    ctx.schedule("instances", "lhins-demo0001", set={"InstanceState": "STOPPED"})
    sb.backend.save(path)
    again = Sandbox(clock=clock, state_file=path)
    api = Api(again, clock)
    clock.advance(3)
    await api.ok("DescribeRegions", region=None)  # any request applies due transitions
    table = again.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table("instances")
    assert table["lhins-demo0001"]["InstanceState"] == "STOPPED"
    assert "_pending" not in table["lhins-demo0001"]
    assert (
        json.loads(path.read_text())["accounts"][DEFAULT_SECRET_ID]["ap-guangzhou"]["instances"][
            "lhins-demo0001"
        ]["InstanceState"]
        == "STOPPED"
    )  # saved after applying
    await api.http.aclose()


#: What a web page the person visits can make a browser send to the sandbox on
#: 127.0.0.1 (name, method, path, headers, body). Each must be refused and change nothing.
BROWSER_SHAPES = [
    (
        "form POST from another site",
        "POST",
        "/admin/reset",
        {
            "Origin": "http://evil.example",
            "Content-Type": "application/x-www-form-urlencoded",
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": "navigate",
        },
        b"x=1",
    ),
    (
        "no-cors fetch with a text/plain JSON body",
        "POST",
        "/admin/faults",
        {
            "Origin": "http://evil.example",
            "Content-Type": "text/plain;charset=UTF-8",
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": "no-cors",
        },
        b'{"clear": true}',
    ),
    (
        "an older browser: Origin but no Sec-Fetch headers",
        "POST",
        "/admin/faults",
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        b'{"clear": true}',
    ),
    (
        "JSON claimed without Origin but marked cross-site",
        "POST",
        "/admin/faults",
        {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
        b'{"clear": true}',
    ),
    (
        "text/plain with no Origin at all",
        "POST",
        "/admin/reset",
        {"Content-Type": "text/plain"},
        b"",
    ),
    (
        "DNS rebinding: the page's own origin, the attacker's Host",
        "POST",
        "/admin/faults",
        {
            "Host": "evil.example",
            "Origin": "http://evil.example",
            "Content-Type": "application/json",
            "Sec-Fetch-Site": "same-origin",
        },
        b'{"clear": true}',
    ),
    (
        "cross-origin read of the request log",
        "GET",
        "/admin/requests",
        {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        b"",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"),
    [shape[1:] for shape in BROWSER_SHAPES],
    ids=[shape[0] for shape in BROWSER_SHAPES],
)
async def test_admin_refuses_what_a_web_page_can_send(
    clock: Clock, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    sb = Sandbox(clock=clock)
    sb.faults.add("internal_error", "DescribeBundles")
    table = sb.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table("instances")
    table.pop("lhins-demo0001")
    async with httpx.AsyncClient(
        transport=SandboxTransport(sb.app), base_url="http://127.0.0.1:8765"
    ) as http:
        resp = await http.request(method, path, headers=headers, content=body)
    assert resp.status_code == 403, resp.text
    assert "access-control-allow-origin" not in resp.headers
    assert len(sb.faults.rules) == 1  # nothing cleared
    table = sb.backend.world(DEFAULT_SECRET_ID).region("ap-guangzhou").table("instances")
    assert "lhins-demo0001" not in table  # nothing reset


async def test_admin_grants_no_cors_preflight_and_serves_its_own_origin(clock: Clock) -> None:
    sb = Sandbox(clock=clock)
    async with httpx.AsyncClient(
        transport=SandboxTransport(sb.app), base_url="http://127.0.0.1:8765"
    ) as http:
        preflight = await http.options(
            "/admin/faults",
            headers={
                "Origin": "http://evil.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code >= 400
        assert "access-control-allow-origin" not in preflight.headers
        # the tools a person uses: no Origin (curl, httpx), or the sandbox's own origin
        assert (await http.post("/admin/faults", json={"clear": True})).status_code == 200
        own = await http.post("/admin/reset", json={}, headers={"Origin": "http://127.0.0.1:8765"})
        assert own.status_code == 200, own.text
