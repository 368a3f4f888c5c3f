"""A server whose API client talks to a sandbox with fault injection, with retry bounds
shrunk (same rules, milliseconds instead of seconds) so fault tests stay fast."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from lighthouse_mcp.client import LighthouseClient
from lighthouse_mcp.client.credentials import Credentials
from lighthouse_mcp.client.retry import RetryPolicy
from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox
from lighthouse_mcp.server.app import Feature, LighthouseServer, build_server
from lighthouse_mcp.server.config import Settings
from tests.e2e.server.http_helpers import running

REGION = "ap-guangzhou"
#: The default policy's shape (4 attempts, full jitter, longer base after throttling),
#: scaled down 25x so a test exhausting every retry takes well under a second.
FAST_RETRY = RetryPolicy(
    max_attempts=4, base_delay=0.01, max_delay=0.16, throttle_base_delay=0.04, max_total=5.0
)
MAX_ATTEMPTS = FAST_RETRY.max_attempts


def fault_client(
    sb: Sandbox,
    *,
    endpoint: str = "http://sandbox",
    loopback: bool = False,
    timeout: float = 5.0,
    **kw: Any,
) -> LighthouseClient:
    """A LighthouseClient on the sandbox: in-process (ASGI) or over loopback TCP."""
    return LighthouseClient(
        credentials=Credentials(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None),
        region=REGION,
        endpoint=endpoint,
        transport=None if loopback else sb.transport(),
        timeout=httpx.Timeout(timeout),
        retry=FAST_RETRY,
        **kw,
    )


def fault_server(
    sb: Sandbox,
    tmp_path: Path,
    client: LighthouseClient,
    *,
    features: tuple[Feature, ...] = (Feature.GATE,),
    **settings: Any,
) -> LighthouseServer:
    base: dict[str, Any] = {
        "sandbox": True,
        "region": REGION,
        "audit_log": tmp_path / "audit.jsonl",
        "key_dir": tmp_path / "keys",
    }
    base.update(settings)
    return build_server(Settings(**base), client=client, features=features)


@contextmanager
def loopback_sandbox(sb: Sandbox) -> Iterator[str]:
    """The sandbox served by uvicorn on 127.0.0.1: real sockets, so client timeouts and
    dropped connections behave as on the network."""
    with running(sb.app) as base:
        yield base
