"""Endpoint choice: default, per region, financial regions, override by option and env."""

from __future__ import annotations

import pytest

from lighthouse_mcp.catalog import load_catalog
from lighthouse_mcp.client.endpoints import (
    FINANCIAL_REGIONS,
    endpoint_for,
    endpoint_override,
    normalize_endpoint,
)
from lighthouse_mcp.client.errors import ConfigurationError


def test_default_regional_and_financial() -> None:
    assert endpoint_for(None) == "https://lighthouse.tencentcloudapi.com"
    assert endpoint_for("ap-guangzhou") == "https://lighthouse.tencentcloudapi.com"
    assert endpoint_for("ap-guangzhou", regional=True) == (
        "https://lighthouse.ap-guangzhou.tencentcloudapi.com"
    )
    assert (
        endpoint_for("ap-shanghai-fsi") == "https://lighthouse.ap-shanghai-fsi.tencentcloudapi.com"
    )
    assert (
        endpoint_for("ap-shenzhen-fsi") == "https://lighthouse.ap-shenzhen-fsi.tencentcloudapi.com"
    )


def test_financial_regions_match_the_catalog() -> None:
    catalog = load_catalog()
    assert set(catalog["endpoints"]["financial"]) == FINANCIAL_REGIONS
    for region, host in catalog["endpoints"]["financial"].items():
        assert endpoint_for(region) == f"https://{host}"


def test_override_wins_and_option_beats_env() -> None:
    env = {"LIGHTHOUSE_MCP_ENDPOINT": "http://127.0.0.1:8900/"}
    assert endpoint_override(None, env) == "http://127.0.0.1:8900"
    assert endpoint_override("http://localhost:1", env) == "http://localhost:1"
    assert endpoint_override(None, {}) is None
    assert endpoint_for("ap-shanghai-fsi", override="http://127.0.0.1:8900") == (
        "http://127.0.0.1:8900"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "lighthouse.ap-beijing.tencentcloudapi.com",
            "https://lighthouse.ap-beijing.tencentcloudapi.com",
        ),
        ("127.0.0.1:9000", "https://127.0.0.1:9000"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("HTTPS://Example.com/", "https://example.com"),
    ],
)
def test_normalize(value: str, expected: str) -> None:
    assert normalize_endpoint(value) == expected


@pytest.mark.parametrize("value", ["ftp://x", "http://", "http://h/path", "http://h/?q=1"])
def test_bad_endpoints_are_refused_with_an_example(value: str) -> None:
    with pytest.raises(ConfigurationError, match="endpoint"):
        normalize_endpoint(value)
