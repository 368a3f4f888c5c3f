"""Which URL a request for a region goes to.

Default: the nearest-region domain ``lighthouse.tencentcloudapi.com``. The financial
regions are isolated from the rest, so the docs require their own domain whenever Region
is one of them. A per-region domain can be asked for (``regional=True``). An override —
the ``endpoint`` option or LIGHTHOUSE_MCP_ENDPOINT, e.g. ``http://127.0.0.1:8900`` for
the sandbox — replaces all of that for every service (the sandbox answers them all on
one endpoint, routed by the service the request is signed for). Other services follow
the same pattern with their own name: ``tat.tencentcloudapi.com``,
``monitor.ap-guangzhou.tencentcloudapi.com``.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from .errors import ConfigurationError

ENV_ENDPOINT = "LIGHTHOUSE_MCP_ENDPOINT"
DEFAULT_HOST = "lighthouse.tencentcloudapi.com"
#: The docs' 金融区域名 table.
FINANCIAL_REGIONS = frozenset({"ap-shanghai-fsi", "ap-shenzhen-fsi"})


def regional_host(region: str, service: str = "lighthouse") -> str:
    return f"{service}.{region}.tencentcloudapi.com"


def normalize_endpoint(value: str) -> str:
    """``host``, ``host:port`` or a URL -> ``scheme://host[:port]``; ConfigurationError if bad.

    A bare host gets https; plain http is accepted (loopback sandbox) but must be explicit.
    """
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"endpoint {value!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"endpoint {value!r} must be http(s)://host[:port], e.g. http://127.0.0.1:8900"
        )
    if url.path not in ("", "/") or url.query:
        raise ConfigurationError(f"endpoint {value!r} must not have a path or query")
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def endpoint_override(option: str | None, env: Mapping[str, str]) -> str | None:
    """The option wins over the environment; None when neither is set."""
    value = option or env.get(ENV_ENDPOINT, "").strip()
    return normalize_endpoint(value) if value else None


def endpoint_for(
    region: str | None,
    *,
    override: str | None = None,
    regional: bool = False,
    service: str = "lighthouse",
) -> str:
    """The base URL (no trailing slash) for a request of ``service`` to ``region``."""
    if override:
        return override
    if region and (region in FINANCIAL_REGIONS or region.endswith("-fsi")):
        return f"https://{regional_host(region, service)}"
    if region and regional:
        return f"https://{regional_host(region, service)}"
    return f"https://{service}.tencentcloudapi.com"
