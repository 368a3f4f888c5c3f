"""Risk judged on the arguments: rules over a call's arguments, kept as data, that decide
per call whether it runs, asks a person, or is refused.

The safety class of an action (catalog overlay) says what the action *can* do; the
arguments say what this call *does*. CreateFirewallRules is an ordinary write when it
opens 443 and a way into the machine when it opens 22 to 0.0.0.0/0. The default rules
are tools/risk_rules.json; a user policy file (``--policy FILE``) adds rules in the same
format. How a call is decided (:func:`judge`):

- ``deny``: any matching deny rule refuses the call; nobody is asked; deny wins.
- ``ask``: any matching ask rule asks a person, unless a matching ``allow`` rule names
  that ask rule's id in its ``overrides`` (defaults are lifted only by name, never
  silently; the server logs every override at start).
- otherwise the action's safety class decides (the gate's ``--confirm`` classes).

A rule: ``{"id", "actions": [...], "decision": "allow"|"ask"|"deny", "reason",
"each": [paths]?, "when": {path: {op: value}}?, "overrides": [ids]?}``. ``when`` holds
for a call when every path's predicate holds; a path is dotted member names, and a list
on the way matches when any element does. With ``each``, ``when`` is read relative to
each element of the lists at those paths (one firewall rule at a time), and holds when it
holds for any element. A path may name alternatives ``A|B`` (the first present).
"""

from __future__ import annotations

import ipaddress
import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from lighthouse_mcp import catalog

Decision = Literal["allow", "ask", "deny"]
DECISIONS: tuple[Decision, ...] = ("allow", "ask", "deny")

#: A missing value (the argument was not given).
_MISSING = object()


class PolicyError(ValueError):
    """A rule that does not say what it means: names the file, line or field."""


def _port_ranges(spec: Any) -> list[tuple[int, int]]:
    """A firewall Port value as ranges: ALL (or nothing) is every port."""
    if spec is _MISSING or spec is None or str(spec).strip().upper() in ("", "ALL"):
        return [(1, 65535)]
    out: list[tuple[int, int]] = []
    for part in str(spec).split(","):
        low, _, high = part.strip().partition("-")
        try:
            out.append((int(low), int(high or low)))
        except ValueError:
            continue
    return out


def _is_world(value: Any) -> bool:
    """A source that is the whole internet: 0.0.0.0/0, ::/0, or none given (the API's
    default source is 0.0.0.0/0)."""
    if value is _MISSING or value in (None, ""):
        return True
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _within(value: Any, roots: Sequence[str]) -> bool:
    """A host path that is one of ``roots`` or below one of them ("/" only itself)."""
    if not isinstance(value, str) or not value.strip():
        return False
    path = posixpath.normpath("/" + value.strip().lstrip("/"))
    for root in roots:
        base = posixpath.normpath(root)
        if path == base or (base != "/" and path.startswith(base + "/")):
            return True
    return False


def _fold(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


#: Predicate operators: name -> (value checker, test of one argument value).
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda got, want: got is not _MISSING and _fold(got) == _fold(want),
    "in": lambda got, want: got is not _MISSING and _fold(got) in {_fold(w) for w in want},
    "not_in": lambda got, want: got is _MISSING or _fold(got) not in {_fold(w) for w in want},
    "prefix": lambda got, want: isinstance(got, str) and got.startswith(want),
    "matches": lambda got, want: isinstance(got, str) and re.search(want, got) is not None,
    "exists": lambda got, want: (got is not _MISSING) == bool(want),
    "port_overlaps": lambda got, want: any(
        lo <= int(p) <= hi for lo, hi in _port_ranges(got) for p in want
    ),
    "world": lambda got, want: _is_world(got) == bool(want),
    "path_within": _within,
}
#: What each operator's value must be (checked when a rule is loaded).
_OP_VALUE: dict[str, tuple[type, ...]] = {
    "equals": (str, int, float, bool),
    "in": (list,),
    "not_in": (list,),
    "prefix": (str,),
    "matches": (str,),
    "exists": (bool,),
    "port_overlaps": (list,),
    "world": (bool,),
    "path_within": (list,),
}


@dataclass(frozen=True)
class Rule:
    """One rule (see the module docstring); ``source`` says where it came from."""

    id: str
    actions: frozenset[str]
    decision: Decision
    reason: str
    when: tuple[tuple[str, str, Any], ...] = ()
    each: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    source: str = "default"

    def matches(self, action: str, arguments: Mapping[str, Any]) -> bool:
        if action not in self.actions:
            return False
        if not self.each:
            return _holds(self.when, arguments)
        return any(
            _holds(self.when, element)
            for path in self.each
            for element in _values(arguments, path)
            if isinstance(element, Mapping)
        )


@dataclass(frozen=True)
class Verdict:
    """How one call is decided by the argument rules, and why."""

    decision: Decision | None  # None: no rule decides; the safety class does
    reasons: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    lifted: tuple[str, ...] = field(default=())


def _values(data: Any, path: str) -> list[Any]:
    """Every value at ``path`` (lists flattened); [_MISSING] when there is none."""
    for alternative in path.split("|"):
        found = _walk(data, alternative.split("."))
        if found:
            return found
    return [_MISSING]


def _walk(data: Any, parts: list[str]) -> list[Any]:
    if isinstance(data, list):
        return [v for item in data for v in _walk(item, parts)]
    if not parts:
        return [data]
    if not isinstance(data, Mapping) or parts[0] not in data or data[parts[0]] is None:
        return []
    return _walk(data[parts[0]], parts[1:])


def _holds(when: Iterable[tuple[str, str, Any]], data: Any) -> bool:
    return all(any(OPS[op](v, want) for v in _values(data, path)) for path, op, want in when)


def judge(rules: Iterable[Rule], action: str, arguments: Mapping[str, Any]) -> Verdict:
    """The decision of ``rules`` for one call (see the module docstring)."""
    hits = [r for r in rules if r.matches(action, arguments)]
    denied = [r for r in hits if r.decision == "deny"]
    if denied:
        return Verdict("deny", tuple(r.reason for r in denied), tuple(r.id for r in denied))
    lifted = {rid for r in hits if r.decision == "allow" for rid in r.overrides}
    asks = [r for r in hits if r.decision == "ask" and r.id not in lifted]
    if asks:
        return Verdict("ask", tuple(r.reason for r in asks), tuple(r.id for r in asks))
    allowed = [r for r in hits if r.decision == "allow"]
    if allowed:
        return Verdict(
            "allow",
            rules=tuple(r.id for r in allowed),
            lifted=tuple(sorted(lifted & {r.id for r in hits})),
        )
    return Verdict(None)


# -- loading -------------------------------------------------------------------------------

_RULE_KEYS = {"id", "actions", "decision", "reason", "when", "each", "overrides", "_comment"}


def parse_rule(raw: Any, where: str, source: str) -> Rule:
    """One rule from its JSON form; PolicyError names the field that is wrong."""
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: a rule is an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        fields = ", ".join(sorted(_RULE_KEYS - {"_comment"}))
        raise PolicyError(f"{where}.{unknown[0]}: unknown field; a rule has {fields}")
    for name in ("id", "actions", "decision", "reason"):
        if name not in raw:
            raise PolicyError(f"{where}.{name}: missing")
    rid, reason, decision = raw["id"], raw["reason"], raw["decision"]
    if not isinstance(rid, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", rid):
        raise PolicyError(f"{where}.id: {rid!r} is not a name of letters, digits, - _ .")
    if not isinstance(reason, str) or not reason.strip():
        raise PolicyError(f"{where}.reason: say in words why (a non-empty string)")
    if decision not in DECISIONS:
        raise PolicyError(f"{where}.decision: {decision!r} is not one of {', '.join(DECISIONS)}")
    actions = raw["actions"]
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        raise PolicyError(f"{where}.actions: a non-empty list of action names")
    known = set(catalog.action_names())
    for index, name in enumerate(actions):
        if name not in known:
            raise PolicyError(f"{where}.actions[{index}]: {name!r} is not a Lighthouse action")
    each = raw.get("each", [])
    if not isinstance(each, list) or not all(isinstance(p, str) and p for p in each):
        raise PolicyError(f"{where}.each: a list of argument paths")
    overrides = raw.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise PolicyError(f"{where}.overrides: a list of rule ids")
    if overrides and decision != "allow":
        raise PolicyError(f"{where}.overrides: only an allow rule lifts other rules")
    if decision == "allow" and not overrides:
        raise PolicyError(
            f"{where}.overrides: an allow rule names the ask rules it lifts "
            "(rules are never lifted silently)"
        )
    when_raw = raw.get("when", {})
    if not isinstance(when_raw, Mapping):
        raise PolicyError(f"{where}.when: an object of argument path -> {{operator: value}}")
    when: list[tuple[str, str, Any]] = []
    for path, predicate in when_raw.items():
        at = f"{where}.when.{path}"
        if not isinstance(predicate, Mapping) or len(predicate) != 1:
            raise PolicyError(f"{at}: one {{operator: value}}; operators: {', '.join(OPS)}")
        op, want = next(iter(predicate.items()))
        if op not in OPS:
            raise PolicyError(f"{at}.{op}: unknown operator; operators: {', '.join(OPS)}")
        if not isinstance(want, _OP_VALUE[op]):
            kinds = " or ".join(t.__name__ for t in _OP_VALUE[op])
            raise PolicyError(f"{at}.{op}: the value must be a {kinds}")
        if op == "matches" and isinstance(want, str):
            try:
                re.compile(want)
            except re.error as exc:
                raise PolicyError(f"{at}.matches: not a regular expression ({exc})") from None
        if op == "port_overlaps" and not (
            isinstance(want, list) and all(isinstance(p, int) for p in want)
        ):
            raise PolicyError(f"{at}.port_overlaps: a list of port numbers")
        when.append((path, op, want))
    return Rule(
        id=rid,
        actions=frozenset(actions),
        decision=decision,
        reason=reason.strip(),
        when=tuple(when),
        each=tuple(each),
        overrides=tuple(overrides),
        source=source,
    )


def parse_rules(text: str, source: str, known: Iterable[Rule] = ()) -> tuple[Rule, ...]:
    """The rules of one policy document (JSON: ``{"rules": [...]}``). PolicyError names the
    line and column of a syntax error, or the field of a rule that is wrong; ``known``
    are the rules already loaded, which ``overrides`` may name and ids may not repeat."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{source} line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise PolicyError(f'{source}: expected an object {{"rules": [...]}}')
    extra = sorted(set(data) - {"rules", "_comment", "version"})
    if extra:
        raise PolicyError(f"{source}: unknown field {extra[0]!r}; a policy has rules")
    rules = [
        parse_rule(raw, f"{source}: rules[{i}]", source) for i, raw in enumerate(data["rules"])
    ]
    ids = {r.id for r in known}
    for index, rule in enumerate(rules):
        if rule.id in ids:
            raise PolicyError(f"{source}: rules[{index}].id: {rule.id!r} is already a rule id")
        ids.add(rule.id)
    for index, rule in enumerate(rules):
        for name in rule.overrides:
            if name not in ids:
                raise PolicyError(
                    f"{source}: rules[{index}].overrides: no rule has the id {name!r}"
                )
    return tuple(rules)


@cache
def default_rules() -> tuple[Rule, ...]:
    """The rules every server starts with (tools/risk_rules.json)."""
    text = resources.files(__package__).joinpath("risk_rules.json").read_text("utf-8")
    return parse_rules(text, "risk_rules.json")


def load_policy(path: str, text: str) -> tuple[Rule, ...]:
    """The defaults plus a user policy file's rules (which may not reuse their ids)."""
    defaults = default_rules()
    return defaults + parse_rules(text, path, defaults)


def actions_with_rules(rules: Iterable[Rule]) -> frozenset[str]:
    """Actions some ask or deny rule may gate (their tools take a confirmation)."""
    return frozenset(a for r in rules if r.decision != "allow" for a in r.actions)
