"""The shared LighthouseClient: against Tencent Cloud, an endpoint, or the sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lighthouse_mcp.client import Credentials, LighthouseClient
from lighthouse_mcp.client.ratelimit import SharedRateLimiter
from lighthouse_mcp.server.config import Settings
from lighthouse_mcp.store import Store

if TYPE_CHECKING:
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
    """A client whose requests go to ``sandbox`` (a fresh one by default) in process,
    signed with the sandbox's default key; ``options`` as for LighthouseClient."""
    # Imported here, not at the top: only sandbox runs pay for loading the emulator
    # (and its resource families) at start.
    from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

    sb = sandbox if sandbox is not None else Sandbox()
    return LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=region or SANDBOX_REGION,
        endpoint=endpoint or SANDBOX_ENDPOINT,
        transport=sb.transport(),
        **options,
    )


def make_client(
    settings: Settings, sandbox: Sandbox | None = None, store: Store | None = None
) -> LighthouseClient:
    """The server's client: the in-process sandbox (``--sandbox`` or a given Sandbox),
    else the configured endpoint or Tencent Cloud. With a shared ``store`` (Redis), its
    rate limiter keeps each account's documented rates across every replica."""
    language = "zh-CN" if settings.lang == "zh" else "en-US"
    options: dict[str, Any] = {"language": language}
    if store is not None and store.shared:
        options["rate_limiter"] = SharedRateLimiter(store)
    if settings.sandbox or sandbox is not None:
        return sandbox_client(sandbox, region=settings.region, **options)
    return LighthouseClient(region=settings.region, endpoint=settings.endpoint, **options)
