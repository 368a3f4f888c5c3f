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


def secret_values(value: Any) -> list[str]:
    """The credential texts in ``value``: whatever sits in a secret field (strings, and
    numbers as text) and the values of secret pair lists.

    For text that is not structured, such as an upstream error message that repeats the
    request: the client replaces each of these wherever it occurs (client.errors.scrub).
    Secret *structures* are searched member by member rather than taken whole, so the
    harmless members (LoginConfiguration.KeyIds) stay readable in error messages.
    """
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS:
                found += _leaves(item)
            elif key in SECRET_PAIR_LISTS and isinstance(item, list):
                found += [
                    text
                    for pair in item
                    if isinstance(pair, dict)
                    for text in _leaves(pair.get("Value"))
                ]
                found += secret_values(
                    [
                        {k: v for k, v in pair.items() if k != "Value"}
                        for pair in item
                        if isinstance(pair, dict)
                    ]
                )
            else:
                found += secret_values(item)
    elif isinstance(value, list):
        for item in value:
            found += secret_values(item)
    return found


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _leaves(item)]
    if isinstance(value, list):
        return [text for item in value for text in _leaves(item)]
    if isinstance(value, bool) or value is None:
        return []
    return [str(value)]


def _redact_pair(pair: Any) -> Any:
    if isinstance(pair, dict) and "Value" in pair:
        return {**redact(pair), "Value": REDACTED}
    return redact(pair)
