"""Every way a Lighthouse call can fail, as one exception tree.

::

    LighthouseError                    base; ``str()`` is safe to show a person
    ├── APIError                       the API answered with Response.Error
    │   ├── AuthError                  AuthFailure.*, IpInBlacklist, IpNotInWhitelist
    │   │   └── PermissionDeniedError  UnauthorizedOperation.* (CAM policy, MFA)
    │   ├── InvalidInputError          InvalidParameter*, MissingParameter, UnknownParameter,
    │   │                              InvalidAction, UnsupportedRegion, NoSuchVersion,
    │   │                              Request/ResponseSizeLimitExceeded, ...
    │   ├── NotFoundError              ResourceNotFound.*
    │   ├── StateConflictError         UnsupportedOperation.*, OperationDenied.*,
    │   │                              ResourceInUse.*, ResourceUnavailable.*
    │   ├── ThrottledError             RequestLimitExceeded.*            (transient)
    │   ├── QuotaError                 LimitExceeded.*, ResourceInsufficient.*,
    │   │                              ResourcesSoldOut.*, FailedOperation.{Insufficient
    │   │                              Balance, BalanceInsufficient, NumLimitError}
    │   ├── OperationFailedError       other FailedOperation.*
    │   ├── DryRunOperation            DryRunOperation: not a failure — the dry run
    │   │                              (DryRun=true) says the real request would succeed
    │   └── ServerError                InternalError.*, ServiceUnavailable (transient)
    ├── TransportError                 no usable answer from the API
    │   ├── NetworkError               could not connect / connection lost
    │   ├── RequestTimeoutError               connect or read timeout
    │   └── BadResponseError           non-2xx without an API error, non-JSON, no Response
    │       └── ResponseTooLargeError      an answer past the byte limit (read no further)
    └── ConfigurationError             the client cannot be set up
        └── CredentialsError           no credentials found, or a source is broken

Why ``FailedOperation`` is its own group: the docs use it for "the operation failed" in
general — a business rule (a balance, a count) as often as a back-end fault. It is not
retried automatically (a write may have partly happened), and it is not reported as
"transient": the message says to check the resource before trying again. The few
``FailedOperation`` codes that are plainly about money or counts are quota errors.

``APIError.transient`` tells a caller (and the retry policy) whether the same request
may succeed later unchanged. No exception text ever contains a secret key or token:
the client scrubs them from any text that crosses this boundary (``scrub``).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from lighthouse_mcp.catalog.secrets import mask, secret_forms


class LighthouseError(Exception):
    """Base of every error the client raises; its ``str`` is meant for people."""

    #: How many times the request was sent (or tried) before this error was raised.
    attempts: int = 1


class APIError(LighthouseError):
    """The API processed the request and answered ``Response.Error``."""

    transient = False
    hint = ""

    def __init__(
        self,
        code: str,
        message: str,
        request_id: str | None = None,
        action: str | None = None,
        region: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.action = action
        self.region = region
        super().__init__(self._render())

    def _render(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"action {self.action}" if self.action else "",
                f"region {self.region}" if self.region else "",
                f"RequestId {self.request_id}" if self.request_id else "",
            )
            if part
        )
        text = f"{self.code}: {self.message}"
        if where:
            text += f" ({where})"
        if self.hint:
            text += f". {self.hint}"
        return text


class AuthError(APIError):
    hint = (
        "Check the SecretId/SecretKey (and token, for temporary credentials) and that the "
        "machine clock is within 5 minutes of the real time"
    )


class PermissionDeniedError(AuthError):
    hint = "The credentials are valid but not allowed to do this: grant the CAM permission"


class InvalidInputError(APIError):
    hint = "Fix the named parameter and send again"


class NotFoundError(APIError):
    hint = "Check the ID and the region: resources are per region"


class StateConflictError(APIError):
    hint = "The resource is not in a state that allows this; check its state and wait"


class ThrottledError(APIError):
    transient = True
    hint = "Too many requests; slow down and retry later"


class QuotaError(APIError):
    hint = "An account limit (quota, stock or balance) stops this; raise it or free some"


class OperationFailedError(APIError):
    hint = (
        "The operation failed on the server side; it was not retried automatically. "
        "Check the resource's state before trying again"
    )


class DryRunOperation(APIError):
    hint = "Dry run only: the request is valid and would succeed; nothing was changed"


class ServerError(APIError):
    transient = True
    hint = "A server-side error; it usually passes, retry later"


class TransportError(LighthouseError):
    """No usable answer from the API: see the subclasses."""

    def __init__(self, message: str, *, action: str | None = None) -> None:
        self.action = action
        super().__init__(message)


class NetworkError(TransportError):
    """Connecting failed or the connection broke.

    ``may_have_reached_server`` is True when the request may have been sent (the
    connection broke after sending began): for a write, the change may have happened.
    """

    def __init__(
        self, message: str, *, action: str | None = None, may_have_reached_server: bool = False
    ) -> None:
        self.may_have_reached_server = may_have_reached_server
        super().__init__(message, action=action)


class RequestTimeoutError(TransportError, builtins.TimeoutError):
    """A connect or read timeout; also a ``builtins.TimeoutError`` for generic handlers."""

    def __init__(
        self, message: str, *, action: str | None = None, may_have_reached_server: bool = False
    ) -> None:
        self.may_have_reached_server = may_have_reached_server
        TransportError.__init__(self, message, action=action)


class BadResponseError(TransportError):
    """An HTTP answer that is not a Lighthouse API answer (a proxy page, a 502, junk)."""

    def __init__(
        self, message: str, *, action: str | None = None, status_code: int | None = None
    ) -> None:
        self.status_code = status_code
        super().__init__(message, action=action)


class ResponseTooLargeError(BadResponseError):
    """An answer larger than the client's byte limit; reading stopped at the limit.

    Not transient: the same request would bring the same answer again."""


class ConfigurationError(LighthouseError):
    """The client cannot be set up as asked (a bad endpoint, an unknown option value)."""


class CredentialsError(ConfigurationError):
    """No credentials could be found, or a configured source is broken."""


#: (code prefix, class), first match wins; a prefix matches the code or ``prefix.*``.
_GROUPS: tuple[tuple[str, type[APIError]], ...] = (
    ("AuthFailure", AuthError),
    ("IpInBlacklist", AuthError),
    ("IpNotInWhitelist", AuthError),
    ("UnauthorizedOperation", PermissionDeniedError),
    ("InvalidParameter", InvalidInputError),  # also InvalidParameterValue
    ("MissingParameter", InvalidInputError),
    ("UnknownParameter", InvalidInputError),
    ("InvalidAction", InvalidInputError),
    ("InvalidFilter", InvalidInputError),
    ("InvalidRequest", InvalidInputError),
    ("UnsupportedRegion", InvalidInputError),
    ("UnsupportedProtocol", InvalidInputError),
    ("NoSuchVersion", InvalidInputError),
    ("NoSuchProduct", InvalidInputError),
    ("ActionOffline", InvalidInputError),
    ("RequestSizeLimitExceeded", InvalidInputError),
    ("ResponseSizeLimitExceeded", InvalidInputError),
    ("DryRunOperation", DryRunOperation),
    ("ResourceNotFound", NotFoundError),
    ("UnsupportedOperation", StateConflictError),
    ("OperationDenied", StateConflictError),
    ("ResourceInUse", StateConflictError),
    ("ResourceUnavailable", StateConflictError),
    ("RequestLimitExceeded", ThrottledError),
    ("LimitExceeded", QuotaError),
    ("ResourceInsufficient", QuotaError),
    ("ResourcesSoldOut", QuotaError),
    ("FailedOperation.InsufficientBalance", QuotaError),
    ("FailedOperation.BalanceInsufficient", QuotaError),
    ("FailedOperation.NumLimitError", QuotaError),
    ("FailedOperation", OperationFailedError),
    ("InternalError", ServerError),
    ("ServiceUnavailable", ServerError),
    ("ServiceNotAvailable", ServerError),
)


def error_class(code: str) -> type[APIError]:
    """The group of an API error code; ``APIError`` itself for codes of no known group."""
    for prefix, cls in _GROUPS:
        if (
            code == prefix
            or code.startswith(prefix + ".")
            or (prefix == "InvalidParameter" and code.startswith("InvalidParameterValue"))
        ):
            return cls
    return APIError


def api_error_from(
    code: str,
    message: str,
    request_id: str | None = None,
    action: str | None = None,
    region: str | None = None,
) -> APIError:
    """Build the exception for a ``Response.Error``, choosing the class by code group."""
    return error_class(code)(code, message, request_id, action, region)


#: Longest text taken from an upstream answer into an exception message: the same order
#: as a successful result's cap, so a 5 MB error message cannot become a 5 MB tool result.
MAX_MESSAGE_CHARS = 4_000


def scrub(text: str, secrets: Iterable[str | None], limit: int | None = None) -> str:
    """``text`` with every secret replaced by ``***``, then cut to ``limit`` characters.

    Used on any text built from outside input (server messages, transport errors) before
    it becomes an exception message, so a secret echoed back can never reach a log. Each
    secret is matched in every form it takes in quoted text (JSON- and repr-escaped,
    URL-encoded, base64; ``catalog.secrets.secret_forms``), and a piece of one at either
    end of the text (where a sender cut it) is masked too. Masking comes before cutting,
    and the cut text is masked again, so a secret crossing the cut leaks no prefix.
    """
    wanted = [secret for secret in secrets if secret]
    if limit is None or len(text) <= limit:
        return mask(text, wanted)
    longest = max((len(form) for secret in wanted for form in secret_forms(secret)), default=0)
    masked = mask(text[: limit + longest], wanted)
    if len(masked) <= limit:
        return masked
    return mask(masked[:limit], wanted) + f"… (cut: {len(text)} characters in all)"
