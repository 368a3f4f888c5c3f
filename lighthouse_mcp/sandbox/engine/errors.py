"""Errors the sandbox answers with: each carries the documented Tencent Cloud error code.

Handlers raise these; the HTTP layer turns any of them into the API's error envelope
``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`` (HTTP 200, as the real API
does). Keeping the code on the exception (moto's habit) means a handler states *what went
wrong* in the API's own vocabulary and never touches HTTP.

Exception tree::

    SandboxError(code, message)
    ├── AuthFailure             AuthFailure.*            signature / credential problems
    ├── InvalidRequestError     InvalidAction, NoSuchVersion, UnsupportedRegion, ...
    ├── ParameterError          MissingParameter, UnknownParameter, InvalidParameter*,
    │                           InvalidParameterValue*
    ├── NotFoundError           ResourceNotFound*
    ├── StateError              UnsupportedOperation*, OperationDenied*, ResourceInUse*
    ├── LimitError              LimitExceeded*, RequestLimitExceeded*
    └── InternalError           InternalError, FailedOperation*

The subclass is a convenience for ``except`` clauses and tests; the ``code`` is what the
client sees. ``err(code, message)`` builds the right subclass from a code.
"""

from __future__ import annotations

from collections.abc import Iterable


class SandboxError(Exception):
    """An API error: ``code`` as documented (e.g. ``ResourceNotFound.InstanceIdNotFound``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


class AuthFailure(SandboxError):
    """The request's credentials or signature were not accepted."""


class InvalidRequestError(SandboxError):
    """The request envelope (action, version, region, body) is not acceptable."""


class ParameterError(SandboxError):
    """A parameter is missing, unknown, of the wrong type or out of range."""


class NotFoundError(SandboxError):
    """A referenced resource does not exist in this account and region."""


class StateError(SandboxError):
    """The resource exists but its state does not allow the operation."""


class LimitError(SandboxError):
    """A quota or a request-rate limit is exceeded."""


class InternalError(SandboxError):
    """The service failed (injected faults, or a failed operation)."""


_PREFIXES: tuple[tuple[str, type[SandboxError]], ...] = (
    ("AuthFailure", AuthFailure),
    ("MissingParameter", ParameterError),
    ("UnknownParameter", ParameterError),
    ("InvalidParameter", ParameterError),  # also InvalidParameterValue*
    ("ResourceNotFound", NotFoundError),
    ("UnsupportedOperation", StateError),
    ("OperationDenied", StateError),
    ("ResourceInUse", StateError),
    ("ResourceUnavailable", StateError),
    ("LimitExceeded", LimitError),
    ("RequestLimitExceeded", LimitError),
    ("InternalError", InternalError),
    ("FailedOperation", InternalError),
    ("InvalidAction", InvalidRequestError),
    ("NoSuchVersion", InvalidRequestError),
    ("UnsupportedRegion", InvalidRequestError),
    ("UnsupportedProtocol", InvalidRequestError),
    ("RequestSizeLimitExceeded", InvalidRequestError),
)


def err(code: str, message: str) -> SandboxError:
    """The SandboxError subclass matching ``code``'s family, e.g. ``NotFoundError``."""
    head = code.split(".", 1)[0]
    for prefix, cls in _PREFIXES:
        if head.startswith(prefix):
            return cls(code, message)
    return SandboxError(code, message)


def first_documented(candidates: Iterable[str], documented: Iterable[str], fallback: str) -> str:
    """The first of ``candidates`` that an action documents, else ``fallback``.

    Actions spell the same condition differently (``ResourceNotFound.InstanceIdNotFound``
    in one, ``ResourceNotFound.InstanceNotFound`` in another); answering with the code
    the action's own error list names is what a client written against that page expects.
    """
    known = set(documented)
    for code in candidates:
        if code in known:
            return code
    return fallback


# Helpers for the codes the pipeline itself answers with (families use ``ctx.fail``).


def internal_error(message: str = "An internal error occurred; please retry.") -> InternalError:
    return InternalError("InternalError", message)


def request_limit_exceeded(action: str) -> LimitError:
    return LimitError(
        "RequestLimitExceeded",
        f"Requests to {action} exceeded the frequency limit; slow down and retry.",
    )
