"""Settings from flags and environment: precedence, defaults, rejected values."""

from __future__ import annotations

import pytest

from lighthouse_mcp.server.config import ConfigError, default_lang, parse_settings


def test_defaults_are_safe() -> None:
    s = parse_settings([], env={})
    assert (s.transport, s.host, s.read_only, s.compact) == ("stdio", "127.0.0.1", False, False)
    assert s.auth_token is None and not s.allow_unauthenticated
    assert s.toolsets is None and s.tools is None and s.exclude_tools == ()
    assert s.confirm is None and s.confirm_mode == "auto" and not s.skip_confirmation


def test_flags_win_over_environment() -> None:
    env = {
        "TENCENTCLOUD_REGION": "ap-beijing",
        "LIGHTHOUSE_MCP_ENDPOINT": "http://env",
        "LIGHTHOUSE_MCP_AUTH_TOKEN": "env-token",
    }
    s = parse_settings([], env=env)
    assert (s.region, s.endpoint, s.auth_token) == ("ap-beijing", "http://env", "env-token")
    s = parse_settings(
        ["--region", "ap-shanghai", "--endpoint", "http://flag", "--auth-token", "flag-token"],
        env=env,
    )
    assert (s.region, s.endpoint, s.auth_token) == ("ap-shanghai", "http://flag", "flag-token")


def test_lists_and_gate_flags_are_carried() -> None:
    s = parse_settings(
        [
            "--toolsets",
            "instance, firewall",
            "--tools",
            "A,B",
            "--exclude-tools",
            "B",
            "--confirm",
            "destructive,disruptive",
            "--confirm-mode",
            "token",
            "--dangerously-skip-confirmation",
            "--audit-log",
            "/tmp/a.jsonl",
            "--return-secrets",
            "--key-dir",
            "/tmp/keys",
            "--allowed-origins",
            "https://a.example,https://b.example",
        ],
        env={},
    )
    assert s.toolsets == ("instance", "firewall") and s.tools == ("A", "B")
    assert s.exclude_tools == ("B",)
    assert s.confirm == ("destructive", "disruptive") and s.confirm_mode == "token"
    assert s.skip_confirmation and s.return_secrets
    assert str(s.audit_log) == "/tmp/a.jsonl" and str(s.key_dir) == "/tmp/keys"
    assert s.allowed_origins == ("https://a.example", "https://b.example")


def test_token_never_in_repr() -> None:
    s = parse_settings(["--auth-token", "very-secret-value"], env={})
    assert "very-secret-value" not in repr(s)


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US"}, "zh"),
        ({"LC_ALL": "C", "LANG": "zh_CN"}, "en"),
        ({"LIGHTHOUSE_MCP_LANG": "zh", "LANG": "en_US"}, "zh"),
    ],
)
def test_language_from_locale(env: dict[str, str], lang: str) -> None:
    assert default_lang(env) == lang
    assert parse_settings([], env=env).lang == lang
    assert parse_settings(["--lang", "en"], env=env).lang == "en"


def test_bad_values_are_named() -> None:
    with pytest.raises(ConfigError, match="--confirm: unknown class everything"):
        parse_settings(["--confirm", "destructive,everything"], env={})
    with pytest.raises(ConfigError, match="--port"):
        parse_settings(["--port", "70000"], env={})


def test_server_version_matches_the_package_metadata() -> None:
    from importlib.metadata import version

    from lighthouse_mcp.server.app import SERVER_VERSION

    assert version("tencent-lighthouse-mcp") == SERVER_VERSION


def test_approval_page_settings() -> None:
    default = parse_settings([], env={})
    assert default.confirm_mode == "auto" and default.open_browser
    assert default.approval_timeout == 300
    assert not parse_settings(["--no-open-browser"], env={}).open_browser
    assert not parse_settings([], env={"LIGHTHOUSE_MCP_NO_OPEN_BROWSER": "1"}).open_browser
    assert parse_settings([], env={"LIGHTHOUSE_MCP_NO_OPEN_BROWSER": ""}).open_browser
    browser = parse_settings(["--confirm-mode", "browser", "--approval-timeout", "30"], env={})
    assert browser.confirm_mode == "browser" and browser.approval_timeout == 30
    with pytest.raises(ConfigError, match="--approval-timeout"):
        parse_settings(["--approval-timeout", "0"], env={})
