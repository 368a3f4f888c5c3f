"""Rules the docs state in prose that the published schema does not carry, checked before
sending: the KeyName characters, the documented password complexity, the ID formats.

They stay out of the tool's inputSchema on purpose: every tool list pays for each
pattern on every turn, while the parameter descriptions already say the rule in words.
Checked here, a call the API would refuse costs no request, and the problem says the
rule. Rules are keyed by parameter name wherever it appears in the arguments (a Password
inside LoginConfiguration too), so one rule covers every action that takes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lighthouse_mcp.catalog.secrets import REDACTED

#: (path, message, expected) for one broken rule.
Finding = tuple[str, str, str]

#: "密钥对名称，可由数字，字母和下划线组成，长度不超过 25 个字符" (CreateKeyPair, ImportKeyPair);
#: the length is the schema's maxLength already.
KEY_NAME = re.compile(r"[A-Za-z0-9_]+")
KEY_NAME_EXPECTED = "letters, digits and underscores only"

#: The documented resource ID prefixes (the docs' examples: lhins-4r4pvtbg, ...).
ID_PREFIXES: dict[str, str] = {
    "InstanceId": "lhins-",
    "DiskId": "lhdisk-",
    "SnapshotId": "lhsnap-",
    "KeyId": "lhkp-",
    "BlueprintId": "lhbp-",
    "DiskBackupId": "lhbak-",
}

#: The special characters ResetInstancesPassword's docs list.
PASSWORD_SPECIALS = frozenset("()`~!@#$%^&*-+=_|{}[]:;' <>,.?/")
PASSWORD_MIN, PASSWORD_MAX = 8, 30
PASSWORD_EXPECTED = (
    f"{PASSWORD_MIN}-{PASSWORD_MAX} characters (12-30 for WINDOWS), not starting with '/', "
    "with at least three of: lower-case letters, upper-case letters, digits, special "
    "characters ()`~!@#$%^&*-+=_|{}[]:;' <>,.?/"
)


#: Every Lighthouse ID prefix, kind by kind: an ID of one kind given where another is
#: documented is the mistake worth catching (a disk ID as InstanceId).
KNOWN_PREFIXES: dict[str, str] = {
    **{prefix: name for name, prefix in ID_PREFIXES.items()},
    "lhft-": "firewall template ID",
    "lhftr-": "firewall template rule ID",
    "lhsc-": "scene ID",
}
_PREFIX = re.compile(r"^(lh[a-z]+-)")


def _id_problem(prefix: str) -> Callable[[Any], str | None]:
    """Refuses an ID of another documented kind; any other string goes to the API, which
    answers for IDs it does not know (placeholders and future formats included)."""

    def check(value: Any) -> str | None:
        match = _PREFIX.match(value) if isinstance(value, str) else None
        if match is None or match.group(1) == prefix or match.group(1) not in KNOWN_PREFIXES:
            return None
        return f"is a {KNOWN_PREFIXES[match.group(1)]}, not an ID of the form {prefix}xxxxxxxx"

    return check


def password_problem(value: Any) -> str | None:
    """Whether the documented complexity (the LINUX_UNIX minimum, which every
    instance's password must meet) is broken; the answer says nothing about the value
    (not its length, not which kinds of characters it lacks)."""
    if not isinstance(value, str):
        return None
    kinds = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(c in PASSWORD_SPECIALS for c in value),
        )
    )
    allowed = all((c.isascii() and c.isalnum()) or c in PASSWORD_SPECIALS for c in value)
    ok = PASSWORD_MIN <= len(value) <= PASSWORD_MAX and not value.startswith("/")
    if ok and allowed and kinds >= 3:
        return None
    return "does not meet the documented password rules"


def key_name_problem(value: Any) -> str | None:
    if isinstance(value, str) and value and not KEY_NAME.fullmatch(value):
        return "holds characters other than letters, digits and underscores"
    return None


#: parameter name -> (check, expected, secret)
RULES: dict[str, tuple[Callable[[Any], str | None], str, bool]] = {
    "KeyName": (key_name_problem, KEY_NAME_EXPECTED, False),
    "Password": (password_problem, PASSWORD_EXPECTED, True),
    **{
        name: (_id_problem(prefix), f"an ID starting with {prefix}", False)
        for name, prefix in ID_PREFIXES.items()
    },
}


def governs(name: str) -> bool:
    """Whether a rule here applies to the parameter ``name`` (``InstanceIds`` too: its
    items are InstanceIds)."""
    return name in RULES or (name.endswith("Ids") and name[:-1] in RULES)


def sample(name: str) -> str:
    """A value that meets the rule for ``name`` (the docs' own examples)."""
    single = name[:-1] if name.endswith("Ids") else name
    if single in ID_PREFIXES:
        return ID_PREFIXES[single] + "ruy9d2tw"
    return {"KeyName": "test_create_1", "Password": "a!LightHouse@123"}[single]


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, parameter name, value) for every member, array items under their
    parameter's name (InstanceIds[1] is checked as an InstanceId)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                continue
            where = f"{path}.{key}" if path else key
            if isinstance(item, list):
                single = key[:-1] if key.endswith("Ids") else key
                for i, element in enumerate(item):
                    if isinstance(element, Mapping | list):
                        yield from _walk(element, f"{where}[{i}]")
                    else:
                        yield f"{where}[{i}]", single, element
            elif isinstance(item, Mapping):
                yield from _walk(item, where)
            else:
                yield where, key, item


def check(arguments: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(path, given, expected, message) for each broken documented rule; a secret's value
    is never shown."""
    out = []
    for path, name, value in _walk(arguments, ""):
        rule = RULES.get(name)
        if rule is None:
            continue
        test, expected, secret = rule
        why = test(value)
        if why is None:
            continue
        given = REDACTED if secret else repr(value)[:40]
        out.append((path, given, expected, f"{path}: {why}; the docs require {expected}"))
    return out
