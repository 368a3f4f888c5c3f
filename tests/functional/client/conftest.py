"""A stand-in Lighthouse endpoint that verifies TC3 signatures with its own code.

The verification below is written from the docs with hashlib/hmac only — it does not
import the signer under test — so a bug shared by signer and verifier cannot hide.
The app answers ``{"Response": {"Echo": params, "Action": ..., "RequestId": ...}}`` or
the documented AuthFailure.* errors, and records what it saw (client ports show how many
TCP connections the client used).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_AUTH = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)/"
    r"tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})"
)


def _h(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def independent_signature(
    secret_key: str,
    date: str,
    service: str,
    timestamp: str,
    signed: list[str],
    headers: dict[str, str],
    body: bytes,
) -> str:
    canonical_headers = "".join(f"{n}:{headers[n].strip().lower()}\n" for n in signed)
    canonical = "\n".join(
        ["POST", "/", "", canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _h(_h(_h(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class Seen:
    action: str
    region: str | None
    params: dict[str, Any]
    headers: dict[str, str]
    client: tuple[str, int] | None
    ok: bool


@dataclass
class VerifyingAPI:
    secrets: dict[str, str]  # SecretId -> SecretKey
    tokens: dict[str, str] = field(default_factory=dict)  # SecretId -> required token
    max_skew: float = 300.0
    seen: list[Seen] = field(default_factory=list)
    on_request: Callable[[Seen], None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        error = self.verify(headers, body)
        params = json.loads(body) if body else {}
        seen = Seen(
            headers.get("x-tc-action", ""),
            headers.get("x-tc-region"),
            params,
            headers,
            tuple(scope["client"]) if scope.get("client") else None,
            error is None,
        )
        self.seen.append(seen)
        if self.on_request is not None:
            self.on_request(seen)
        response: dict[str, Any] = {"RequestId": str(uuid.uuid4())}
        if error:
            response["Error"] = {"Code": error[0], "Message": error[1]}
        else:
            response.update(Echo=params, Action=seen.action)
        payload = json.dumps({"Response": response}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def verify(self, headers: dict[str, str], body: bytes) -> tuple[str, str] | None:
        match = _AUTH.fullmatch(headers.get("authorization", ""))
        if not match:
            return ("AuthFailure.InvalidAuthorization", "Authorization is not TC3-HMAC-SHA256")
        secret_key = self.secrets.get(match["id"])
        if secret_key is None:
            return ("AuthFailure.SecretIdNotFound", "unknown SecretId")
        timestamp = headers.get("x-tc-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > self.max_skew:
            return ("AuthFailure.SignatureExpire", "timestamp too far from server time")
        if time.strftime("%Y-%m-%d", time.gmtime(int(timestamp))) != match["date"]:
            return ("AuthFailure.SignatureFailure", "credential date is not the UTC date")
        if match["service"] != "lighthouse":
            return ("AuthFailure.SignatureFailure", f"service {match['service']} != lighthouse")
        signed = match["signed"].split(";")
        if not {"content-type", "host"} <= set(signed) or any(n not in headers for n in signed):
            return ("AuthFailure.SignatureFailure", "content-type and host must be signed")
        expected = independent_signature(
            secret_key, match["date"], match["service"], timestamp, signed, headers, body
        )
        if not hmac.compare_digest(expected, match["sig"]):
            return ("AuthFailure.SignatureFailure", "signature mismatch")
        if self.tokens.get(match["id"]) not in (None, headers.get("x-tc-token")):
            return ("AuthFailure.TokenFailure", "token mismatch")
        return None


SECRET_ID = "AKIDfunctional0000000000000000"
SECRET_KEY = "functional-secret-key-0123456789"


@pytest.fixture
def api() -> VerifyingAPI:
    return VerifyingAPI(
        {SECRET_ID: SECRET_KEY, "AKIDtemp0000000000000": "temp-key"},
        tokens={"AKIDtemp0000000000000": "temp-token"},
    )


@pytest.fixture
def live_server(api: VerifyingAPI) -> Iterator[str]:
    """``api`` served by uvicorn on 127.0.0.1 (a real TCP listener) in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # asyncio sets TCP_NODELAY only on sockets it creates; accepted ones inherit it from
    # this listener. Without it, Nagle + delayed ACK add ~40 ms to many responses.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        api, log_level="warning", lifespan="off", backlog=2048, timeout_keep_alive=30
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
