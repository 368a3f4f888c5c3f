"""Error codes map to the documented groups; messages are actionable and never leak."""

from __future__ import annotations

import pytest

from lighthouse_mcp.client import errors
from lighthouse_mcp.client.errors import api_error_from, error_class, scrub


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("AuthFailure.SignatureFailure", errors.AuthError),
        ("AuthFailure", errors.AuthError),
        ("UnauthorizedOperation.NoPermission", errors.PermissionDeniedError),
        ("InvalidParameter", errors.InvalidInputError),
        ("InvalidParameterValue.InvalidInstanceId", errors.InvalidInputError),
        ("MissingParameter", errors.InvalidInputError),
        ("UnknownParameter", errors.InvalidInputError),
        ("InvalidAction", errors.InvalidInputError),
        ("UnsupportedRegion", errors.InvalidInputError),
        ("RequestSizeLimitExceeded", errors.InvalidInputError),
        ("ResourceNotFound.InstanceIdNotFound", errors.NotFoundError),
        ("UnsupportedOperation.InvalidInstanceState", errors.StateConflictError),
        ("OperationDenied.InstanceOperationInProgress", errors.StateConflictError),
        ("ResourceInUse.KeyPairInUse", errors.StateConflictError),
        ("ResourceUnavailable.DockerUnavailable", errors.StateConflictError),
        ("RequestLimitExceeded", errors.ThrottledError),
        ("RequestLimitExceeded.UinLimitExceeded", errors.ThrottledError),
        ("LimitExceeded.InstanceQuotaLimitExceeded", errors.QuotaError),
        ("ResourceInsufficient", errors.QuotaError),
        ("ResourcesSoldOut.BundleSoldOut", errors.QuotaError),
        ("FailedOperation.InsufficientBalance", errors.QuotaError),
        ("FailedOperation.NumLimitError", errors.QuotaError),
        ("FailedOperation", errors.OperationFailedError),
        ("FailedOperation.CreateBlueprintFailed", errors.OperationFailedError),
        ("InternalError", errors.ServerError),
        ("InternalError.DescribeInstanceStatus", errors.ServerError),
        ("ServiceUnavailable", errors.ServerError),
        ("ResponseSizeLimitExceeded", errors.InvalidInputError),
        ("DryRunOperation", errors.DryRunOperation),
        ("SomethingNew.Unknown", errors.APIError),
        ("AuthFailureX", errors.APIError),  # a prefix must end at a dot
    ],
)
def test_code_groups(code: str, cls: type[errors.APIError]) -> None:
    assert error_class(code) is cls
    err = api_error_from(code, "m", "rid", "DescribeInstances", "ap-guangzhou")
    assert type(err) is cls
    assert isinstance(err, errors.LighthouseError)


def test_transient_flags() -> None:
    transient = {cls for _, cls in errors._GROUPS if cls.transient}
    assert transient == {errors.ThrottledError, errors.ServerError}


def test_api_error_message_carries_everything_a_person_needs() -> None:
    err = api_error_from(
        "ResourceNotFound.InstanceIdNotFound",
        "instance lhins-1 not found",
        "req-123",
        "StopInstances",
        "ap-guangzhou",
    )
    text = str(err)
    for part in (
        "ResourceNotFound.InstanceIdNotFound",
        "lhins-1",
        "req-123",
        "StopInstances",
        "ap-guangzhou",
        "region",
    ):
        assert part in text
    assert (err.code, err.request_id, err.action, err.region) == (
        "ResourceNotFound.InstanceIdNotFound",
        "req-123",
        "StopInstances",
        "ap-guangzhou",
    )


def test_transport_errors_are_distinct_and_timeout_is_a_builtin_timeout() -> None:
    t = errors.RequestTimeoutError("read timed out", action="DescribeInstances")
    assert isinstance(t, errors.TransportError) and isinstance(t, TimeoutError)
    assert not isinstance(t, errors.NetworkError)
    bad = errors.BadResponseError("HTTP 502", status_code=502)
    assert bad.status_code == 502 and not isinstance(bad, errors.APIError)
    assert errors.NetworkError("x", may_have_reached_server=True).may_have_reached_server
    assert issubclass(errors.CredentialsError, errors.ConfigurationError)


def test_scrub_removes_secrets_but_not_short_noise() -> None:
    assert scrub("key=abcd1234 token=tttt", ["abcd1234", "tttt", None, "x"]) == (
        "key=*** token=***"
    )
    assert scrub("a b c", ["b"]) == "a b c"  # too short to be a secret; not mangled


def test_module_docstring_documents_every_class() -> None:
    doc = errors.__doc__ or ""
    for name in (
        "APIError",
        "AuthError",
        "PermissionDeniedError",
        "InvalidInputError",
        "NotFoundError",
        "StateConflictError",
        "ThrottledError",
        "QuotaError",
        "OperationFailedError",
        "ServerError",
        "TransportError",
        "NetworkError",
        "RequestTimeoutError",
        "BadResponseError",
        "ConfigurationError",
        "CredentialsError",
    ):
        assert name in doc
        assert issubclass(getattr(errors, name), errors.LighthouseError)
