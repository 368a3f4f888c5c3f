"""`lighthouse-mcp approvals` against a running approval server over loopback."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import httpx
import pytest

from lighthouse_mcp.server import cli
from lighthouse_mcp.server.approvals.control import read_controls, write_control
from tests.functional.server.approvals.conftest import PREVIEW, Served, answer_in_terminal

PHRASE = "lhins-abc12345"


def _run(served: Served, verb: str, rid: str | None = None, typed: str = "") -> tuple[int, str]:
    return answer_in_terminal(served.control_folder, verb, rid, typed)


def test_control_file_is_private_and_gone_after_the_server_stops(tmp_path: Path) -> None:
    from anyio.from_thread import start_blocking_portal

    from lighthouse_mcp.server.approvals.loopback import ApprovalServer
    from lighthouse_mcp.server.approvals.service import ApprovalService

    folder = tmp_path / "ctl"
    service = ApprovalService(opener=lambda link: None, announce_to=io.StringIO())
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(ApprovalServer(service, control_folder=folder)):
            [info] = read_controls(folder)
            assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            assert info.pid == os.getpid() and info.url.startswith("http://127.0.0.1:")
            assert info.secret not in repr(info)
            assert service.available
        assert not service.available
    assert read_controls(folder) == []


def test_control_files_others_could_read_or_of_dead_processes_are_ignored(tmp_path: Path) -> None:
    path = write_control("http://127.0.0.1:1", "s3cret", folder=tmp_path)
    assert [c.url for c in read_controls(tmp_path)] == ["http://127.0.0.1:1"]
    os.chmod(path, 0o644)
    assert read_controls(tmp_path) == []
    os.chmod(path, 0o600)
    dead = tmp_path / "approvals-999999999.json"
    dead.write_text(json.dumps({"url": "http://127.0.0.1:2", "secret": "x", "pid": 999999999}))
    os.chmod(dead, 0o600)
    assert [c.url for c in read_controls(tmp_path)] == ["http://127.0.0.1:1"]


def test_list_then_approve_with_the_typed_phrase(served: Served) -> None:
    code, text = _run(served, "list")
    assert code == 0 and "Nothing is waiting" in text
    future, link = served.ask()
    rid = served.rid(link)
    code, text = _run(served, "list")
    assert code == 0 and rid in text and "TerminateInstances" in text
    assert all(line in text for line in PREVIEW.splitlines())
    assert link.rsplit("/", 1)[1] not in text  # the terminal never shows the link

    code, _ = _run(served, "approve", rid[:6], typed="lhins-abc")
    assert code == 1 and not future.done() and served.decision(link) is None
    code, text = _run(served, "approve", rid[:6], typed=PHRASE)
    assert code == 0 and "Approved" in text
    decision = future.result(timeout=10)
    assert decision.verdict == "approved" and decision.by == "terminal"
    code, _ = _run(served, "approve", rid[:6], typed=PHRASE)
    assert code == 1  # nothing pending matches any more


def test_decline_from_the_terminal(served: Served) -> None:
    future, link = served.ask()
    code, text = _run(served, "decline", served.rid(link))
    assert code == 0 and "Declined" in text
    assert future.result(timeout=10).verdict == "declined"


def test_ambiguous_or_short_ids_answer_nothing(served: Served) -> None:
    future, link = served.ask()
    assert _run(served, "approve", "ab", typed=PHRASE)[0] == 2
    assert _run(served, "approve", None, typed=PHRASE)[0] == 2
    assert _run(served, "approve", "zzzzzz", typed=PHRASE)[0] == 1
    assert served.decision(link) is None and not future.done()


def test_control_endpoint_needs_the_secret_and_refuses_browsers(served: Served) -> None:
    future, link = served.ask()
    [info] = read_controls(served.control_folder)
    body = {"id": served.rid(link), "verdict": "approve", "phrase": PHRASE}
    with httpx.Client(base_url=info.url, trust_env=False) as client:
        assert client.get("/control/pending").status_code == 401
        wrong = {"Authorization": "Bearer " + "x" * len(info.secret)}
        assert client.post("/control/decide", json=body, headers=wrong).status_code == 401
        right = {"Authorization": f"Bearer {info.secret}"}
        from_page = {**right, "Origin": info.url}
        assert client.post("/control/decide", json=body, headers=from_page).status_code == 401
        rebound = {**right, "Host": "evil.example:80"}
        assert client.get("/control/pending", headers=rebound).status_code == 401
    assert served.decision(link) is None and not future.done()


def test_cli_reports_when_no_server_is_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert cli.main(["approvals"]) == 1
    assert "No running lighthouse-mcp server" in capsys.readouterr().err
