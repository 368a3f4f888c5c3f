"""The retry rule: reads retry on transient failures; writes only when the request
provably never left; backoff is full jitter within bounds."""

from __future__ import annotations

import random

import pytest

from lighthouse_mcp.client import catalog_facts, errors
from lighthouse_mcp.client.retry import RetryPolicy, is_transient, may_have_reached_server

CONNECT = errors.NetworkError("refused", may_have_reached_server=False)
RESET = errors.NetworkError("reset", may_have_reached_server=True)
CONNECT_TIMEOUT = errors.RequestTimeoutError("t", may_have_reached_server=False)
READ_TIMEOUT = errors.RequestTimeoutError("t", may_have_reached_server=True)
INTERNAL = errors.api_error_from("InternalError", "m")
THROTTLED = errors.api_error_from("RequestLimitExceeded", "m")
BAD_502 = errors.BadResponseError("html", status_code=502)
BAD_404 = errors.BadResponseError("html", status_code=404)
BAD_200 = errors.BadResponseError("truncated", status_code=200)
NOT_FOUND = errors.api_error_from("ResourceNotFound.InstanceIdNotFound", "m")
FAILED = errors.api_error_from("FailedOperation", "m")
AUTH = errors.api_error_from("AuthFailure.SignatureFailure", "m")


@pytest.mark.parametrize(
    ("error", "read", "write"),
    [
        (CONNECT, True, True),
        (CONNECT_TIMEOUT, True, True),
        (RESET, True, False),
        (READ_TIMEOUT, True, False),
        (INTERNAL, True, False),
        (THROTTLED, True, False),
        (BAD_502, True, False),
        (BAD_404, False, False),
        (BAD_200, True, False),
        (NOT_FOUND, False, False),
        (FAILED, False, False),
        (AUTH, False, False),
    ],
)
def test_should_retry(error: errors.LighthouseError, read: bool, write: bool) -> None:
    policy = RetryPolicy()
    assert policy.should_retry(error, repeatable=True) is read
    assert policy.should_retry(error, repeatable=False) is write


def test_reached_server_is_assumed_unless_proven_otherwise() -> None:
    assert not may_have_reached_server(CONNECT)
    assert may_have_reached_server(RESET)
    assert may_have_reached_server(INTERNAL)
    assert is_transient(BAD_502) and not is_transient(BAD_404)


def test_backoff_is_full_jitter_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    rng = random.Random(7)
    for attempt, cap in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (10, 3.0)]:
        values = [policy.backoff(attempt, rng) for _ in range(300)]
        assert all(0.0 <= v <= cap for v in values)
        assert max(values) > cap * 0.8 and min(values) < cap * 0.2  # spread over [0, cap]


def test_read_classification_uses_the_catalog_with_a_prefix_fallback() -> None:
    assert catalog_facts.is_read("DescribeInstances")
    assert catalog_facts.is_read("InquirePriceCreateInstances")
    assert not catalog_facts.is_read("StopInstances")
    assert not catalog_facts.is_read("TerminateInstances")
    assert catalog_facts.is_read("DescribeSomethingNotInTheCatalog")  # fallback by prefix
    assert not catalog_facts.is_read("DeleteSomethingNotInTheCatalog")


def test_idempotency_token_comes_from_the_catalog() -> None:
    assert catalog_facts.idempotency_token("CreateInstances") == "ClientToken"
    assert catalog_facts.idempotency_token("StopInstances") is None
    assert catalog_facts.idempotency_token("NotAnAction") is None


def test_throttled_backoff_uses_its_own_base() -> None:
    policy = RetryPolicy(base_delay=0.1, throttle_base_delay=1.0, max_delay=8.0)
    rng = random.Random(5)
    plain = [policy.backoff(1, rng) for _ in range(200)]
    throttled = [policy.backoff(1, rng, throttled=True) for _ in range(200)]
    assert max(plain) <= 0.1 < max(throttled) <= 1.0
