"""The shared async Lighthouse API client: TC3 signing, credentials, retries, rate limits.

``LighthouseClient`` is the entry point; the error classes are re-exported so callers
can ``except lighthouse_mcp.client.ThrottledError``. Nothing here knows about MCP.
"""

from lighthouse_mcp.catalog import API_VERSION

from .client import LighthouseClient
from .credentials import CredentialChain, Credentials, CredentialsProvider, StaticProvider
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
