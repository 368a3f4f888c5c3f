"""The shared async Lighthouse API client: TC3 signing, credentials, retries, rate limits.

``LighthouseClient`` is the entry point; the error classes are re-exported so callers
can ``except lighthouse_mcp.client.ThrottledError``. Nothing here knows about MCP.
"""

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
    ServerError,
    StateConflictError,
    ThrottledError,
    TimeoutError,
    TransportError,
    api_error_from,
)
from .transport import API_VERSION, LighthouseClient

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
    "ServerError",
    "StateConflictError",
    "StaticProvider",
    "ThrottledError",
    "TimeoutError",
    "TransportError",
    "api_error_from",
]
