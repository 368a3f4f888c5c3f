"""The shared LighthouseClient: against Tencent Cloud, an endpoint, or the sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.store import Store

if TYPE_CHECKING:
    from lighthouse_mcp.client import LighthouseClient
    from lighthouse_mcp.sandbox import Sandbox

#: The region sandbox calls use when none is given.
SANDBOX_REGION = "ap-guangzhou"
#: The sandbox answers every host; a reserved name makes a leak to the network impossible.
SANDBOX_ENDPOINT = "http://sandbox.invalid"


def sandbox_client(
    sandbox: Sandbox | None = None,
    *,
    region: str | None = None,
    endpoint: str | None = None,
    **options: Any,
) -> LighthouseClient:
    """A client whose calls go to ``sandbox`` (a fresh one by default) in process,
    with the sandbox's default key; ``options`` as for LighthouseClient.

    Calls take the sandbox's direct way in (``Sandbox.exchange``): no HTTP request is
    built, signed, routed or parsed, which was most of a call's cost here (bench/NOTES.md);
    the signed HTTP path stays covered by the client and sandbox tests that build a
    client on ``Sandbox.transport()``. The client paces calls at the documented rates only
    when the sandbox enforces them (``--enforce-rate-limits``), as the real API does; by
    default the sandbox does not, and pacing would only slow every burst down.
    """
    # Imported here, not at the top: only sandbox runs pay for loading the emulator
    # (and its resource families) at start.
    from lighthouse_mcp.client import Credentials, LighthouseClient
    from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

    sb = sandbox if sandbox is not None else Sandbox()
    options.setdefault("rate_limits", sb.enforce_rate_limits)
    return LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=region or SANDBOX_REGION,
        endpoint=endpoint or SANDBOX_ENDPOINT,
        direct=sb.exchange(),
        **options,
    )


def builtin_region(settings: Settings) -> str | None:
    """The region calls use when neither the call nor --region names one: the sandbox's,
    else the client's own default (TENCENTCLOUD_REGION, the profile, tccli's config)."""
    if settings.sandbox:
        return SANDBOX_REGION
    # Imported here: the credentials module loads httpx, which a start need not pay for.
    from lighthouse_mcp.client.credentials import region_from_config

    return region_from_config(os.environ, Path.home())


def make_client(
    settings: Settings, sandbox: Sandbox | None = None, store: Store | None = None
) -> LighthouseClient:
    """The server's client: the in-process sandbox (``--sandbox`` or a given Sandbox),
    else the configured endpoint or Tencent Cloud. With a shared ``store`` (Redis), its
    rate limiter keeps each account's documented rates across every replica."""
    # Imported here: httpx and the client load at the first API call, not at start.
    from lighthouse_mcp.client import LighthouseClient

    language = "zh-CN" if settings.lang == "zh" else "en-US"
    options: dict[str, Any] = {"language": language}
    if store is not None and store.shared:
        from lighthouse_mcp.client.ratelimit import SharedRateLimiter

        options["rate_limiter"] = SharedRateLimiter(store)
    if settings.sandbox or sandbox is not None:
        return sandbox_client(sandbox, region=settings.region, **options)
    return LighthouseClient(region=settings.region, endpoint=settings.endpoint, **options)
