"""When a failed call may be sent again, and how long to wait first.

The rule that matters is for writes. A request that *may have reached the server* may
have been executed, so sending it again could stop an instance twice, create a second
server, or charge twice. What is known at each failure:

- connect error / connect timeout / pool timeout: no byte of the request left this
  process (the TCP/TLS connection was never established, or no pooled connection was
  free) — the server cannot have seen it. Safe to retry for every action.
- any error after sending began (read/write timeout, connection reset, a broken
  response, a 5xx, InternalError, even RequestLimitExceeded from a gateway that might
  sit behind the service): the request may have run. Retried only when running it twice
  is harmless: read actions, and requests that carry an idempotency ``ClientToken``
  (the client adds one to CreateInstances, so its retry returns the first result
  instead of creating a second instance).

So reads (catalog class ``read``; Describe*/InquirePrice* as a fallback) retry on
network errors, timeouts, 5xx, InternalError*, RequestLimitExceeded* and garbled 2xx
bodies; writes retry
only on errors raised before sending. Attempts and total time are both bounded, and the
wait is exponential backoff with *full jitter* (uniform in [0, min(cap, base·2^n)]),
which spreads out many clients that failed together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import (
    BadResponseError,
    LighthouseError,
    NetworkError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    ThrottledError,
)


def may_have_reached_server(error: LighthouseError) -> bool:
    """False only when the error proves the request never left this process."""
    if isinstance(error, NetworkError | RequestTimeoutError):
        return error.may_have_reached_server
    return True


def is_transient(error: LighthouseError) -> bool:
    """Errors that the same request may not meet again later."""
    if isinstance(error, ThrottledError | ServerError | NetworkError | RequestTimeoutError):
        return True
    if isinstance(error, ResponseTooLargeError):
        return False
    if isinstance(error, BadResponseError):
        # 5xx: a gateway or the service in trouble. 2xx with a body that is not an API
        # answer: most often a truncated or garbled transfer. 4xx: a wrong endpoint or
        # a proxy refusing -- sending again changes nothing.
        status = error.status_code or 0
        return status >= 500 or 200 <= status < 300
    return False


#: Seconds one attempt may take by default, connecting to the last byte of the answer.
ATTEMPT_TIMEOUT = 25.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds and backoff for retries; ``should_retry`` holds the safety rule."""

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0
    throttle_base_delay: float = 1.0
    #: The call's deadline, seconds from its start: no attempt runs past it, and no retry
    #: starts whose backoff would end past it.
    max_total: float = 60.0
    #: One attempt's deadline, connecting to the last byte of the answer; a read timeout
    #: (or this deadline) leaves room for retries inside ``max_total``.
    attempt_timeout: float = ATTEMPT_TIMEOUT

    def should_retry(self, error: LighthouseError, *, repeatable: bool) -> bool:
        """``repeatable``: the action is a read or carries an idempotency token."""
        if not is_transient(error):
            return False
        return repeatable or not may_have_reached_server(error)

    def backoff(self, attempt: int, rng: random.Random, *, throttled: bool = False) -> float:
        """Full-jitter delay before attempt ``attempt + 1`` (``attempt`` counts from 1).

        After RequestLimitExceeded the base is ``throttle_base_delay`` (one second, the
        window the documented rates are counted in): retrying sooner mostly meets the
        same full window again.
        """
        base = self.throttle_base_delay if throttled else self.base_delay
        cap = min(self.max_delay, base * (2 ** (attempt - 1)))
        return rng.uniform(0.0, cap)
