"""Which argument and result fields hold secrets, and how to blank them.

One list, used wherever arguments or results leave the process in a form a person or
a model might read: the audit log, error messages, logs. Matching is by field name at
any depth, because the API reuses names (``Password`` sits in LoginConfiguration and in
ResetInstancesPassword alike).
"""
from __future__ import annotations

from typing import Any

REDACTED = "<redacted>"

#: Field names whose values are credentials, at any depth of arguments or results.
SECRET_FIELDS = frozenset(
    {
        "Password",  # LoginConfiguration.Password, ResetInstancesPassword
        "PrivateKey",  # CreateKeyPair -> KeyPair.PrivateKey
        "InstanceVncUrl",  # DescribeInstanceVncUrl: a live console login link
        "KeyPassword",
        "SecretKey",
        "Token",
    }
)

#: Structures redacted whole: every member is login material.
SECRET_STRUCTURES = frozenset({"LoginConfiguration"})

#: Lists of {Key, Value} pairs whose values may be anything, e.g. container env vars.
SECRET_PAIR_LISTS = frozenset({"Envs"})


def is_secret_field(name: str) -> bool:
    return name in SECRET_FIELDS or name in SECRET_STRUCTURES


def redact(value: Any) -> Any:
    """A deep copy of ``value`` with every secret field replaced by ``<redacted>``."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_FIELDS or key in SECRET_STRUCTURES:
                out[key] = REDACTED
            elif key in SECRET_PAIR_LISTS and isinstance(item, list):
                out[key] = [_redact_pair(pair) for pair in item]
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def _redact_pair(pair: Any) -> Any:
    if isinstance(pair, dict) and "Value" in pair:
        return {**redact(pair), "Value": REDACTED}
    return redact(pair)
