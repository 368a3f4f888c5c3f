"""Signed requests to a sandbox with an independent TC3 signer, shared by the sandbox's
functional tests and the end-to-end tests that prepare the sandbox's state directly.

The signer below is written from the docs' 签名方法 v3 page, separately from
``client/signing.py`` (which the sandbox verifies with), so a shared mistake would not
cancel out: the sandbox must accept what *this* code signs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from lighthouse_mcp.sandbox import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Sandbox

HOST = "localhost"  # a loopback name: the sandbox's admin doors refuse other Hosts


class Clock:
    """A settable clock shared by the sandbox and the signer."""

    def __init__(self) -> None:
        self.t = float(int(time.time()))

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def _h(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_headers(
    action: str,
    body: bytes,
    *,
    timestamp: int,
    secret_id: str = DEFAULT_SECRET_ID,
    secret_key: str = DEFAULT_SECRET_KEY,
    host: str = HOST,
    region: str | None = "ap-guangzhou",
    version: str = "2020-03-24",
    service: str = "lighthouse",
    signed: Sequence[str] = ("content-type", "host", "x-tc-action"),
    content_type: str = "application/json; charset=utf-8",
    date: str | None = None,
    token: str | None = None,
) -> dict[str, str]:
    headers = {
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": version,
    }
    if region is not None:
        headers["X-TC-Region"] = region
    if token is not None:
        headers["X-TC-Token"] = token
    lower = {k.lower(): v for k, v in headers.items()}
    names = sorted(signed)
    canonical_headers = "".join(f"{n}:{lower.get(n, '').strip().lower()}\n" for n in names)
    creq = "\n".join(
        ["POST", "/", "", canonical_headers, ";".join(names), hashlib.sha256(body).hexdigest()]
    )
    day = date or datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{day}/{service}/tc3_request"
    sts = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(creq.encode()).hexdigest()}"
    key = _h(_h(_h(("TC3" + secret_key).encode(), day), service), "tc3_request")
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={';'.join(names)}, "
        f"Signature={sig}"
    )
    return headers


class Api:
    """Sends signed requests to a sandbox and returns the parsed ``Response``."""

    def __init__(self, sandbox: Sandbox, clock: Clock) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.http = httpx.AsyncClient(transport=sandbox.transport(), base_url=f"http://{HOST}")

    async def raw(
        self, action: str, params: Any = None, *, body: bytes | None = None, **sign: Any
    ) -> httpx.Response:
        payload = body if body is not None else json.dumps(params or {}).encode()
        sign.setdefault("timestamp", int(self.clock()))
        headers = tc3_headers(action, payload, **sign)
        return await self.http.post("/", content=payload, headers=headers)

    async def call(self, action: str, params: Any = None, **sign: Any) -> dict[str, Any]:
        response = await self.raw(action, params, **sign)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["Response"]
        assert isinstance(data.get("RequestId"), str)
        return data

    async def ok(self, action: str, params: Any = None, **sign: Any) -> dict[str, Any]:
        data = await self.call(action, params, **sign)
        assert "Error" not in data, data["Error"]
        return data

    async def error(self, action: str, params: Any = None, **sign: Any) -> str:
        data = await self.call(action, params, **sign)
        assert "Error" in data, f"expected an error, got {data}"
        code: str = data["Error"]["Code"]
        return code
