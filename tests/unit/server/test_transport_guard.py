"""Origin and Host matching of the HTTP guard: look-alike names never pass."""

from __future__ import annotations

import pytest

from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.server.transports import _host_is_loopback, _origin_allowed, resolve_auth

ALLOWED = resolve_auth(Settings(auth_token="t", allowed_origins=("https://ide.example",)))


@pytest.mark.parametrize(
    ("origin", "ok"),
    [
        ("http://localhost", True),
        ("http://localhost:5173", True),
        ("http://127.0.0.1:8000", True),
        ("http://[::1]:3000", True),
        ("https://ide.example", True),
        ("https://ide.example:8443", True),
        ("http://localhost.evil.example", False),
        ("http://localhost:80@evil.example", False),
        ("https://ide.example.evil.example", False),
        ("https://evil.example", False),
        ("null", False),
        ("", False),
    ],
)
def test_origin_matching(origin: str, ok: bool) -> None:
    assert _origin_allowed(origin, ALLOWED.allowed_origins) is ok


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:1", True),
        ("localhost", True),
        ("[::1]:8000", True),
        ("[::1]", True),
        ("127.0.0.1", True),
        ("evil.example:8000", False),
        ("localhost.evil.example:80", False),
        ("", False),
    ],
)
def test_host_matching(host: str, ok: bool) -> None:
    assert _host_is_loopback(host) is ok
