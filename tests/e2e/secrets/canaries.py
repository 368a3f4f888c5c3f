"""Distinctive secret values and one check that none of them shows up in a piece of text.

Every secret kind the project handles gets its own canary, so a failing assertion names
which secret leaked. Passwords satisfy the documented complexity rules (so a call gets
past validation and reaches the sandbox) unless the name says otherwise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

SECRET_ID = "AKIDcanarySecretId000000000000000000"
SECRET_KEY = "S3CR3T-canary-secret-key-7f3a"
SESSION_TOKEN = "S3CR3T-canary-session-token-91bd"
BEARER = "S3CR3T-canary-bearer-token-c0de"
PASSWORD = "S3CR3T-canary-Pw1!"
#: Too long for any platform (more than 30 characters): the sandbox refuses it.
BAD_PASSWORD = "S3CR3T-canary-bad-password-0123456789"
ENV_VALUE = "S3CR3T-canary-env-value-5e1f"

#: Every canary contains this, so one substring test finds any of them.
MARK = "S3CR3T-canary"


def assert_clean(where: str, *texts: Any) -> None:
    """Fail naming ``where`` if any canary occurs in ``texts`` (rendered as JSON/str)."""
    for text in texts:
        rendered = text if isinstance(text, str) else _render(text)
        assert MARK not in rendered, f"a secret leaked into {where}: {_around(rendered)}"


def _render(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return repr(value)


def _around(text: str) -> str:
    at = text.find(MARK)
    return repr(text[max(0, at - 80) : at + 60])


def log_text(records: Iterable[logging.LogRecord]) -> str:
    """Everything the log records would print, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in records)


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog at DEBUG for every logger, including libraries (httpx, httpcore, mcp)."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        if logger.level > logging.DEBUG:
            caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def password_reset_runs(directory: Path) -> Path:
    """A policy file lifting the default rule that asks before a password reset, by its
    id: these tests need the canary password to reach the API (and nowhere else)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "lift-password-reset.json"
    path.write_text(
        '{"rules": [{"id": "secrets-tests-reset-password", "actions": '
        '["ResetInstancesPassword"], "decision": "allow", "reason": "the canary must be '
        'sent", "overrides": ["login-password-reset"]}]}'
    )
    return path
