"""The shared async Lighthouse API client: TC3 signing, credentials, retries, rate limits.

``LighthouseClient`` is the entry point; the error classes are re-exported so callers
can ``except lighthouse_mcp.client.ThrottledError``. Nothing here knows about MCP.
"""

from typing import TYPE_CHECKING, Any

from lighthouse_mcp.catalog import API_VERSION

# The errors are light; the client itself brings httpx and httpcore (~40 ms of a cold
# start), which a server needs only at its first API call, not to list its tools.
from .errors import (
    APIError,
    AuthError,
    BadResponseError,
    ConfigurationError,
    CredentialsError,
    DryRunOperation,
    InvalidInputError,
    LighthouseError,
    NetworkError,
    NotFoundError,
    OperationFailedError,
    PermissionDeniedError,
    QuotaError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    StateConflictError,
    ThrottledError,
    TransportError,
    api_error_from,
)

if TYPE_CHECKING:
    from .client import DirectExchange, LighthouseClient
    from .credentials import CredentialChain, Credentials, CredentialsProvider, StaticProvider

#: Names imported from their module on first use (PEP 562).
_LAZY = {
    "DirectExchange": "client",
    "LighthouseClient": "client",
    "CredentialChain": "credentials",
    "Credentials": "credentials",
    "CredentialsProvider": "credentials",
    "StaticProvider": "credentials",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "API_VERSION",
    "APIError",
    "AuthError",
    "BadResponseError",
    "ConfigurationError",
    "CredentialChain",
    "Credentials",
    "CredentialsError",
    "CredentialsProvider",
    "DirectExchange",
    "DryRunOperation",
    "InvalidInputError",
    "LighthouseClient",
    "LighthouseError",
    "NetworkError",
    "NotFoundError",
    "OperationFailedError",
    "PermissionDeniedError",
    "QuotaError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "StateConflictError",
    "StaticProvider",
    "ThrottledError",
    "TransportError",
    "api_error_from",
]
