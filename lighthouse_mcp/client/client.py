"""LighthouseClient: one pooled httpx.AsyncClient, signing, rate limits, retries, errors.

``await client.call(action, params, region=...)`` is the only way the project talks to
the API. Per call: rate-limit slot -> credentials -> sign (TC3Auth) -> POST -> parse
``Response`` -> raise the grouped error or return the body; the retry policy decides,
per failure, whether the same bytes may be sent again (see ``retry``).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import anyio
import httpx

from lighthouse_mcp.catalog import SERVICE, SERVICES, tool_name
from lighthouse_mcp.catalog.secrets import secret_values

from .catalog_facts import idempotency_token, is_read
from .credentials import Credentials, CredentialsProvider, as_provider, region_from_config
from .endpoints import endpoint_for, endpoint_override
from .errors import (
    MAX_MESSAGE_CHARS,
    BadResponseError,
    ConfigurationError,
    InvalidInputError,
    LighthouseError,
    NetworkError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ThrottledError,
    api_error_from,
    scrub,
)
from .network import default_transport
from .ratelimit import RateLimiter, account_key
from .retry import ATTEMPT_TIMEOUT, RetryPolicy
from .signing import TC3Auth

log = logging.getLogger("lighthouse_mcp.client")

LANGUAGES = frozenset({"zh-CN", "en-US"})
#: connect short (an unreachable endpoint should fail fast), one read at most 20 s; the
#: whole attempt and the whole call have their own deadlines (RetryPolicy.attempt_timeout,
#: max_total), so an endpoint dripping a byte at a time cannot hold a call past them.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=60.0)
#: Largest answer read (after content decoding): far above any Lighthouse answer (a full
#: page of 100 instances is about 300 KB), far below what would hurt the process.
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
#: Largest request body the API takes (docs, 签名方法 v3: a TC3-signed POST up to 10 MB).
MAX_REQUEST_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_CONNECTIONS = 50
#: 50 connections carry ~500 calls/s at 100 ms latency. With 20, a 50-way burst queued
#: for connections whenever latency rather than CPU was the limit, and fell behind the
#: official SDK and plain httpx (100 connections by default) in bench_client_concurrency.py.
#: httpcore's bookkeeping made each extra connection costly; ``network.FlatPool`` does not.
DEFAULT_LIMITS = httpx.Limits(
    max_connections=DEFAULT_MAX_CONNECTIONS,
    max_keepalive_connections=DEFAULT_MAX_CONNECTIONS,
    keepalive_expiry=30,
)
_ACTION = re.compile(r"[A-Z][A-Za-z0-9]{1,63}")
_REGION = re.compile(r"[a-z]{2,4}(-[a-z0-9]{2,20}){1,3}")
_UA_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")
_SNIPPET = 160


class DirectExchange(Protocol):
    """An API in this process that takes a call without HTTP (the sandbox emulator).

    It gets the JSON body exactly as it would be sent, the service it is for (lighthouse,
    tat, monitor) and the credentials the client holds (in process, possession stands
    in for a signature), and returns the decoded answer envelope
    (``{"Response": {...}}``), or an ``httpx.Response`` when it acts out an HTTP-level
    fault (a 5xx, a cut body); a dropped connection is raised as
    ``httpx.TransportError``. Everything else (rate limits, retries, error
    classification, scrubbing) is the client's as for HTTP.
    """

    async def __call__(
        self,
        action: str,
        region: str | None,
        body: bytes,
        *,
        credentials: Credentials,
        language: str | None,
        service: str = SERVICE,
    ) -> dict[str, Any] | httpx.Response: ...


def package_version() -> str:
    try:
        return metadata.version("tencent-lighthouse-mcp")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def user_agent(client_name: str | None = None, client_version: str | None = None) -> str:
    """``tencent-lighthouse-mcp/<version>`` plus ``mcp-client/<name>[/<version>]``.

    Client names come from MCP peers and can be any text, so they are reduced to
    header-safe tokens.
    """
    agent = f"tencent-lighthouse-mcp/{package_version()}"
    if client_name:
        name = _UA_TOKEN.sub("-", client_name).strip("-")[:64] or "unknown"
        agent += f" mcp-client/{name}"
        if client_version:
            agent += "/" + (_UA_TOKEN.sub("-", client_version).strip("-")[:32] or "unknown")
    return agent


class LighthouseClient:
    """The process-wide Lighthouse API client (it knows nothing of MCP)."""

    def __init__(
        self,
        *,
        credentials: Credentials | CredentialsProvider | None = None,
        region: str | None = None,
        endpoint: str | None = None,
        regional_endpoints: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        direct: DirectExchange | None = None,
        language: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_LIMITS,
        max_attempts: int = 4,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        rate_limits: bool = True,
        rate_limiter: RateLimiter | None = None,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        environ = os.environ if env is None else env
        if language is not None and language not in LANGUAGES:
            raise ConfigurationError(
                f"language must be one of {sorted(LANGUAGES)}, not {language!r}"
            )
        self._credentials = as_provider(credentials)
        self._region = region or region_from_config(environ, _home(environ))
        self._override = endpoint_override(endpoint, environ)
        self._regional = regional_endpoints
        self._language = language
        self._retry = retry or RetryPolicy(max_attempts=max_attempts)
        self._max_response_bytes = max_response_bytes
        self._limiter = (
            (rate_limiter or RateLimiter(clock=monotonic, sleep=sleep)) if rate_limits else None
        )
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._user_agent = user_agent()
        self._auth: dict[str, tuple[Credentials, TC3Auth]] = {}
        #: In-process API (the sandbox): no HTTP request is built, signed or parsed.
        self._direct = direct
        # Admission control in front of httpx: httpcore's pool scans every queued request
        # against every connection on each change (quadratic), so a burst of 1,000 calls
        # queued inside it crawls. Here waiting is a FIFO semaphore; the pool only ever
        # sees as many requests as it has connections.
        self._admission = anyio.Semaphore(limits.max_connections or DEFAULT_MAX_CONNECTIONS)
        self._http = httpx.AsyncClient(
            transport=transport or default_transport(limits),
            timeout=timeout,
            limits=limits,
            follow_redirects=False,
        )

    # --- configuration ---------------------------------------------------------------

    @property
    def default_region(self) -> str | None:
        return self._region

    @property
    def credentials_source(self) -> str:
        """Where credentials come from, for a person (never the secret itself)."""
        return self._credentials.describe_source()

    @property
    def user_agent(self) -> str:
        return self._user_agent

    def set_client_info(self, name: str, version: str | None = None) -> None:
        """Name the MCP client this process serves, in the User-Agent of later calls."""
        self._user_agent = user_agent(name, version)

    def endpoint(self, region: str | None = None, service: str = SERVICE) -> str:
        return endpoint_for(
            region or self._region,
            override=self._override,
            regional=self._regional,
            service=service,
        )

    # --- lifecycle --------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- calls ------------------------------------------------------------------------

    async def call(
        self,
        action: str,
        params: Mapping[str, Any] | None = None,
        *,
        region: str | None = None,
        service: str = SERVICE,
    ) -> dict[str, Any]:
        """Send ``action`` of ``service`` (lighthouse, tat, monitor) and return the
        ``Response`` object (RequestId included).

        The service decides the credential scope, the host and the version; credentials,
        retries and rate limits are the same for all. Raises a ``LighthouseError``
        subclass; ``err.attempts`` says how many tries it took.
        """
        if service not in SERVICES:
            raise ConfigurationError(
                f"unknown service {service[:40]!r}; known: {', '.join(sorted(SERVICES))}"
            )
        if not _ACTION.fullmatch(action):
            raise InvalidInputError(
                "InvalidAction",
                f"{action!r} is not an action name (expected e.g. DescribeInstances)",
                action=action,
            )
        region = region or self._region
        if region is not None and not _REGION.fullmatch(region):
            raise InvalidInputError(
                "InvalidParameterValue",
                f"Region {region[:40]!r} is not a region id (expected e.g. ap-guangzhou)",
                action=action,
            )
        key = tool_name(service, action)  # what the catalog knows the action by
        body_params = dict(params or {})
        token_param = idempotency_token(key)
        if token_param and not body_params.get(token_param):
            body_params[token_param] = str(uuid.uuid4())
        try:
            body = json.dumps(body_params, ensure_ascii=False, separators=(",", ":")).encode()
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                "InvalidParameter", f"parameters are not JSON-serialisable: {exc}", action=action
            ) from None
        if len(body) > MAX_REQUEST_BYTES:
            raise InvalidInputError(
                "RequestSizeLimitExceeded",
                f"the request is {len(body):,} bytes; the API takes at most 10 MB",
                action=action,
            )
        repeatable = is_read(key) or bool(token_param)
        hidden = secret_values(body_params)
        started = self._monotonic()
        attempt = 0
        while True:
            attempt += 1
            if self._limiter is not None:
                account = ""
                if self._limiter.needs_account:
                    account = account_key((await self._credentials.get()).secret_id)
                await self._limiter.acquire(key, region or "", account)
            remaining = self._retry.max_total - (self._monotonic() - started)
            budget = max(0.0, min(self._retry.attempt_timeout, remaining))
            try:
                return await self._send(action, region, body, hidden, budget, service)
            except LighthouseError as err:
                err.attempts = attempt
                if attempt >= self._retry.max_attempts or not self._retry.should_retry(
                    err, repeatable=repeatable
                ):
                    raise
                throttled = isinstance(err, ThrottledError)
                delay = self._retry.backoff(attempt, self._rng, throttled=throttled)
                if self._monotonic() - started + delay > self._retry.max_total:
                    raise
                # str(err) is safe by the errors module's contract (secrets scrubbed)
                log.warning(
                    "%s attempt %d/%d failed (%s); retrying in %.2f s",
                    action,
                    attempt,
                    self._retry.max_attempts,
                    err,
                    delay,
                )
                await self._sleep(delay)

    def _signer(self, creds: Credentials, service: str) -> TC3Auth:
        """One TC3Auth per credentials object and service, so its derived-key cache is
        reused (the service is part of the derived key)."""
        cached = self._auth.get(service)
        if cached is None or cached[0] is not creds:
            cached = self._auth[service] = (
                creds,
                TC3Auth(creds, clock=self._clock, service=service),
            )
        return cached[1]

    async def _send(
        self,
        action: str,
        region: str | None,
        body: bytes,
        hidden: Sequence[str] = (),
        budget: float = ATTEMPT_TIMEOUT,
        service: str = SERVICE,
    ) -> dict[str, Any]:
        """One attempt, over within ``budget`` seconds (waiting for a connection slot,
        connecting, sending, the whole answer). ``hidden`` are the request's own secret
        values (passwords, env values), scrubbed with the key and token from any text
        an upstream sends back."""
        creds = await self._credentials.get()
        if self._direct is not None:
            return await self._send_direct(
                self._direct, creds, action, region, body, hidden, service
            )
        headers = {
            "Content-Type": "application/json",
            "X-TC-Action": action,
            "X-TC-Version": SERVICES[service],
            "User-Agent": self._user_agent,
        }
        if region:
            headers["X-TC-Region"] = region
        if self._language:
            headers["X-TC-Language"] = self._language
        url = self.endpoint(region, service) + "/"
        secrets = (creds.secret_key, creds.token, *hidden)
        admitted = False
        try:
            with anyio.fail_after(budget):
                async with self._admission:
                    admitted = True
                    request = self._http.build_request("POST", url, content=body, headers=headers)
                    response = await self._http.send(
                        request, auth=self._signer(creds, service), stream=True
                    )
                    try:
                        content = await _read_limited(response, self._max_response_bytes, action)
                    finally:
                        await response.aclose()
        except httpx.TimeoutException as exc:
            raise _timeout_error(exc, tool_name(service, action), url, secrets) from None
        except httpx.TransportError as exc:
            raise _network_error(exc, tool_name(service, action), url, secrets) from None
        except TimeoutError:
            raise _deadline_error(tool_name(service, action), url, budget, sent=admitted) from None
        return _parse(response, content, action, region, secrets)

    async def _send_direct(
        self,
        direct: DirectExchange,
        creds: Credentials,
        action: str,
        region: str | None,
        body: bytes,
        hidden: Sequence[str],
        service: str = SERVICE,
    ) -> dict[str, Any]:
        url = self.endpoint(region, service) + "/"
        secrets = (creds.secret_key, creds.token, *hidden)
        try:
            answer = await direct(
                action, region, body, credentials=creds, language=self._language, service=service
            )
        except httpx.TransportError as exc:
            raise _network_error(exc, tool_name(service, action), url, secrets) from None
        if isinstance(answer, httpx.Response):
            answer.request = httpx.Request("POST", url)
            return _parse(answer, answer.content, action, region, secrets)
        return _interpret(answer, 200, action, region, secrets)


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def _timeout_error(
    exc: httpx.TimeoutException, action: str, url: str, secrets: tuple[str | None, ...]
) -> RequestTimeoutError:
    before = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
    stage = {
        httpx.ConnectTimeout: "connecting to",
        httpx.PoolTimeout: "waiting for a free connection to",
        httpx.WriteTimeout: "sending the request to",
    }.get(type(exc), "waiting for the answer from")
    text = f"timed out {stage} {url} ({action})"
    if not before and not is_read(action):
        text += f"; {action} may or may not have been executed — check before sending it again"
    return RequestTimeoutError(
        scrub(text, secrets), action=action, may_have_reached_server=not before
    )


def _deadline_error(action: str, url: str, budget: float, *, sent: bool) -> RequestTimeoutError:
    text = f"no complete answer from {url} within {budget:.1f} s ({action})"
    if sent and not is_read(action):
        text += f"; {action} may or may not have been executed — check before sending it again"
    return RequestTimeoutError(text, action=action, may_have_reached_server=sent)


async def _read_limited(response: httpx.Response, limit: int, action: str) -> bytes:
    """The answer's (decoded) body, read no further than ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(response, limit, action)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(response, limit, action)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(response: httpx.Response, limit: int, action: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"the answer to {action} (HTTP {response.status_code}) is larger than "
        f"{limit:,} bytes; reading stopped there",
        action=action,
        status_code=response.status_code,
    )


def _network_error(
    exc: httpx.TransportError, action: str, url: str, secrets: tuple[str | None, ...]
) -> NetworkError:
    before = isinstance(exc, httpx.ConnectError)
    detail = str(exc) or type(exc).__name__
    if before:
        text = (
            f"cannot connect to {url} ({action}): {detail}. Check network access, proxy "
            "settings (HTTPS_PROXY) and the endpoint (LIGHTHOUSE_MCP_ENDPOINT)"
        )
    else:
        text = f"the connection to {url} broke during {action}: {detail}"
        if not is_read(action):
            text += f"; {action} may or may not have been executed — check before sending it again"
    return NetworkError(scrub(text, secrets), action=action, may_have_reached_server=not before)


def _parse(
    response: httpx.Response,
    content: bytes,
    action: str,
    region: str | None,
    secrets: tuple[str | None, ...],
) -> dict[str, Any]:
    """The ``Response`` object, or the error it (or the lack of it) stands for.

    Upstream text is scrubbed whole before it is cut or quoted (``scrub``)."""
    status = response.status_code
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("Response"), dict):
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        snippet = scrub(content.decode("utf-8", "replace"), secrets, _SNIPPET)
        where = scrub(str(response.request.url), secrets, _SNIPPET)
        raise BadResponseError(
            f"HTTP {status} from {where} for {action} is not a Tencent Cloud "
            f"API answer ({kind[:80]}: {snippet.replace(chr(10), ' ')!r}). A proxy, a gateway "
            "or a wrong endpoint may be in the way",
            action=action,
            status_code=status,
        )
    return _interpret(data, status, action, region, secrets)


def _interpret(
    data: dict[str, Any],
    status: int,
    action: str,
    region: str | None,
    secrets: tuple[str | None, ...],
) -> dict[str, Any]:
    """The ``Response`` of a decoded answer envelope, or the API error it carries."""
    body: dict[str, Any] = data["Response"]
    error = body.get("Error")
    if isinstance(error, dict):
        request_id = body.get("RequestId")
        raise api_error_from(
            scrub(str(error.get("Code") or "UnknownError"), secrets, _SNIPPET),
            scrub(str(error.get("Message") or "(no message)"), secrets, MAX_MESSAGE_CHARS),
            scrub(str(request_id), secrets, _SNIPPET) if request_id else None,
            action,
            region,
        )
    if not 200 <= status < 300:
        raise BadResponseError(
            f"HTTP {status} for {action} with a Response but no Error",
            action=action,
            status_code=status,
        )
    return body
