"""Random secrets, echoed back in every encoding, never reach an exception, log or result.

Hypothesis draws a password or container env value (quotes, backslashes, non-ASCII) and
an upstream echo mode (tests/e2e/secrets/echoes.py); the request goes through the real
client, and through the real MCP server with the official client, and every text made
from the answer is searched for every form of the secret: exception str/repr/traceback,
log records at DEBUG (retry WARNINGs included), tool results, the audit log.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

import anyio
import httpx
import mcp_types as types
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.client import Client

from lighthouse_mcp.catalog.secrets import secret_forms
from lighthouse_mcp.client import Credentials, LighthouseClient, LighthouseError
from lighthouse_mcp.client.errors import MAX_MESSAGE_CHARS, scrub
from lighthouse_mcp.client.retry import RetryPolicy
from lighthouse_mcp.server.app import build_server
from lighthouse_mcp.server.config import Settings
from tests.e2e.secrets.echoes import MODES, SECRETS, handlers, leaks

CREDS = Credentials("AKIDexample00000000000000", "sk-encodings-secret-key-0001")
FAST = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0, throttle_base_delay=0.0)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
INSTANCE = "lhins-demo0001"


async def _no_sleep(_: float) -> None:
    return None


def _client(handler: Any) -> LighthouseClient:
    return LighthouseClient(
        credentials=CREDS,
        region="ap-guangzhou",
        endpoint="http://upstream.test",
        transport=httpx.MockTransport(handler),
        env={},
        retry=FAST,
        sleep=_no_sleep,
        rate_limits=False,
    )


def _log_text(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in records)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _capture() -> tuple[_Records, list[tuple[logging.Logger, int]]]:
    handler = _Records()
    changed = []
    for name in ["", *logging.root.manager.loggerDict]:
        logger = logging.getLogger(name)
        changed.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    return handler, changed


def _release(handler: _Records, changed: list[tuple[logging.Logger, int]]) -> None:
    logging.getLogger().removeHandler(handler)
    for logger, level in changed:
        logger.setLevel(level)


def _assert_clean(secret: str, where: str, text: str) -> None:
    found = leaks(secret, text)
    assert not found, f"{secret!r} leaked into {where}: {found[:3]}"


@given(
    secret=SECRETS,
    mode=st.sampled_from(MODES),
    action=st.sampled_from(["ResetInstancesPassword", "CreateInstances", "DescribeInstances"]),
)
@PROPERTY
def test_client_errors_and_logs_hold_no_form_of_a_secret(
    secret: str, mode: str, action: str
) -> None:
    by_action: dict[str, dict[str, Any]] = {
        "ResetInstancesPassword": {"InstanceIds": [INSTANCE], "Password": secret},
        "CreateInstances": {
            "BundleId": "bundle_gen_01",
            "BlueprintId": "lhbp-f1lkcd41",
            "LoginConfiguration": {"AutoGeneratePassword": "NO", "Password": secret},
            "Containers": [{"ContainerImage": "nginx", "Envs": [{"Key": "DB", "Value": secret}]}],
        },
        "DescribeInstances": {
            "Filters": [{"Name": "instance-name", "Values": ["x"]}],
            "Password": secret,
        },
    }
    params = by_action[action]
    sent: list[bytes] = []
    echo = handlers(secret)[mode]

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return echo(request)

    records, changed = _capture()
    try:

        async def run() -> LighthouseError:
            async with _client(handler) as client:
                try:
                    await client.call(action, params)
                except LighthouseError as exc:
                    return exc
            raise AssertionError("the echoing upstream should fail the call")

        error = anyio.run(run)
    finally:
        _release(records, changed)
    assert sent and all(secret.encode() in body or b"\\" in body for body in sent)
    rendered = "".join(traceback.format_exception(error))
    for where, text in (
        ("str", str(error)),
        ("repr", repr(error)),
        ("traceback", rendered),
        ("vars", repr(vars(error))),
        ("logs", _log_text(records.records)),
    ):
        _assert_clean(secret, f"the exception's {where}" if where != "logs" else "the log", text)
    assert len(str(error)) < MAX_MESSAGE_CHARS + 1_000
    if action == "CreateInstances" and mode in (
        "api-internal",
        "502-repr",
        "502-padded",
        "502-cut",
        "502-url",
    ):
        # a ClientToken makes it repeatable: retried, each retry logged as a WARNING
        assert error.attempts == FAST.max_attempts
        warnings = [r for r in records.records if r.levelno == logging.WARNING]
        assert len(warnings) == FAST.max_attempts - 1


@given(
    secret=SECRETS,
    filler=st.text(max_size=40),
    cut=st.integers(4, 200),
    quote=st.sampled_from(["raw", "json", "repr"]),
)
@settings(max_examples=300, deadline=None)
def test_scrub_before_cut_never_leaves_a_prefix(
    secret: str, filler: str, cut: int, quote: str
) -> None:
    forms = secret_forms(secret)
    form = {"raw": secret, "json": forms[-1], "repr": repr(secret)[1:-1]}[quote]
    text = filler + form + filler
    _assert_clean(secret, "a cut text", scrub(text, [secret], limit=cut))
    _assert_clean(
        secret, "a cut text", scrub(text[: len(filler) + cut % (len(form) + 1)], [secret])
    )


@given(
    secret=SECRETS,
    mode=st.sampled_from(MODES),
    tool=st.sampled_from(["RunDockerContainers", "ResetInstancesPassword"]),
)
@settings(max_examples=25, deadline=None)
def test_tool_results_and_audit_log_hold_no_form_of_a_secret(
    tmp_path_factory: pytest.TempPathFactory, secret: str, mode: str, tool: str
) -> None:
    tmp: Path = tmp_path_factory.mktemp("enc")
    by_tool: dict[str, dict[str, Any]] = {
        "RunDockerContainers": {
            "InstanceId": INSTANCE,
            "Containers": [
                {"ContainerImage": "nginx", "Envs": [{"Key": "DB_PASSWORD", "Value": secret}]}
            ],
        },
        "ResetInstancesPassword": {"InstanceIds": [INSTANCE], "Password": secret},
    }
    arguments = by_tool[tool]
    server = build_server(
        Settings(
            region="ap-guangzhou",
            audit_log=tmp / "audit.jsonl",
            key_dir=tmp / "keys",
            confirm_mode="token",
        ),
        client=_client(handlers(secret)[mode]),
    )
    records, changed = _capture()
    try:

        async def run() -> types.CallToolResult:
            async with Client(
                server, mode="legacy", client_info=types.Implementation(name="enc", version="1")
            ) as c:
                return await c.call_tool(tool, arguments)

        result = anyio.run(run)
    finally:
        _release(records, changed)
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    assert result.is_error
    _assert_clean(secret, "the tool result", text)
    _assert_clean(secret, "structuredContent", repr(result.structured_content))
    _assert_clean(secret, "the log", _log_text(records.records))
    _assert_clean(secret, "the audit log", (tmp / "audit.jsonl").read_text())
    assert len(text) < 3 * MAX_MESSAGE_CHARS
