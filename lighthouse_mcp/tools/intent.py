"""Finding actions by what a person wants done, in English or Chinese.

A query like "delete server" or "开放端口" shares few words with ``TerminateInstances``
or ``CreateFirewallRules``; a word-count match finds nothing. Here each action is a
small document (name, English and Chinese titles and descriptions, parameter names),
ranked against the query with BM25-style saturation, and the query is widened with the
synonym table ``catalog/synonyms.json`` (data: add a word there, not here). Chinese
text is split into character pairs, so no dictionary is needed.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lighthouse_mcp import catalog

SYNONYMS_FILE = "synonyms.json"
#: Weight of each part of an action's document: the name and titles say what it does,
#: descriptions how, parameter names what it touches.
WEIGHTS = {"name": 3.0, "title": 3.0, "description": 1.0, "params": 0.5}
#: Weight of a word the synonym table added, against 1.0 for a word the caller typed.
SYNONYM_WEIGHT = 0.8
#: Characters of the Chinese description used: the first sentences carry the meaning;
#: the rest is usage detail that matches everything.
ZH_DESCRIPTION_CHARS = 160
_K1 = 1.2
#: Score added when the query covers every word of an action's name (scaled by the
#: square of the share covered).
NAME_COVERAGE_WEIGHT = 3.0
#: How much a long document is discounted (BM25 b); low, because a long description
#: is usually the main action of its kind (DescribeInstances), not a side one.
_B = 0.4

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z][a-z0-9]*|[0-9]+|[A-Z]+(?![a-z])")
_STOP = frozenset(
    {
        "a",
        "an",
        "the",
        "my",
        "of",
        "to",
        "for",
        "on",
        "in",
        "and",
        "or",
        "all",
        "i",
        "me",
        "do",
        "does",
        "is",
        "it",
        "what",
        "which",
        "with",
        "from",
        "how",
        "can",
        "want",
        "please",
        "one",
        "this",
        "that",
        "by",
        "at",
        "be",
        "are",
        "its",
        "into",
        "out",
        "up",
        "our",
        "your",
        "we",
    }
)


def stem(word: str) -> str:
    """A crude English stem: enough that "instances", "listing", "renewed" meet
    "instance", "list", "renew"."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("sses"):
        return w[:-2]
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed") and not w.endswith("eed"):
        return w[:-2] if not w.endswith("ied") else w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokens(text: str) -> list[str]:
    """Stemmed English words (CamelCase split) and Chinese character pairs."""
    out: list[str] = []
    for run in _CJK.findall(text):
        out += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    for word in _WORD.findall(_CJK.sub(" ", text)):
        w = word.lower()
        if w not in _STOP:
            out.append(stem(w))
    return out


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    raw = (
        resources.files("lighthouse_mcp.catalog")
        .joinpath(SYNONYMS_FILE)
        .read_text(encoding="utf-8")
    )
    return tuple(tuple(g) for g in json.loads(raw)["groups"])


def _is_phrase(term: str) -> bool:
    return bool(_CJK.search(term)) or " " in term


def expand(query: str) -> list[dict[str, float]]:
    """The query as concepts, each a set of weighted terms: a synonym group the query
    touches is one concept (typed words 1.0, the group's other words
    :data:`SYNONYM_WEIGHT`); every other typed word is a concept of its own. An action
    scores each concept once, by its best term, so a document full of synonyms of one
    word does not outrank one that matches every word of the query."""
    typed = tokens(query)
    stems = set(typed)
    lowered = query.lower()
    concepts: list[dict[str, float]] = []
    covered: set[str] = set()
    for group in synonym_groups():
        hit = [
            term
            for term in group
            if ((term.lower() in lowered) if _is_phrase(term) else stem(term) in stems)
        ]
        if not hit:
            continue
        concept: dict[str, float] = {}
        for term in group:
            for tok in tokens(term):
                concept[tok] = max(concept.get(tok, 0.0), 1.0 if term in hit else SYNONYM_WEIGHT)
        for term in hit:
            covered.update(tokens(term))
        concepts.append(concept)
    concepts += [{tok: 1.0} for tok in dict.fromkeys(typed) if tok not in covered]
    return concepts


@dataclass(frozen=True)
class _Index:
    docs: dict[str, Counter[str]]
    lengths: dict[str, float]
    average: float
    df: Counter[str]
    name_tokens: dict[str, frozenset[str]]


def _document(name: str) -> Counter[str]:
    act = catalog.action(name)
    over = catalog.load_overlay()["actions"].get(name)
    doc: Counter[str] = Counter()

    def add(text: str, weight: float) -> None:
        for tok in tokens(text):
            doc[tok] += weight  # type: ignore[assignment]

    add(name, WEIGHTS["name"])
    add(act["title_zh"], WEIGHTS["title"])
    add(act["description"][:ZH_DESCRIPTION_CHARS], WEIGHTS["description"])
    add(" ".join(p["name"] for p in act["inputs"]), WEIGHTS["params"])
    if over:
        add(over["title"], WEIGHTS["title"])
        add(over["description"], WEIGHTS["description"])
    return doc


@cache
def _index(names: tuple[str, ...]) -> _Index:
    docs = {n: _document(n) for n in names}
    lengths = {n: float(sum(d.values())) for n, d in docs.items()}
    df: Counter[str] = Counter()
    for d in docs.values():
        df.update(set(d))
    return _Index(
        docs,
        lengths,
        sum(lengths.values()) / max(len(lengths), 1),
        df,
        {n: frozenset(tokens(n)) for n in names},
    )


@dataclass(frozen=True)
class Match:
    action: str
    score: float


def search(query: str, names: Iterable[str] | None = None, limit: int = 10) -> list[Match]:
    """Actions of ``names`` (default: the whole catalog) best matching ``query``, best
    first; an action named in the query (any case) ranks first."""
    known = catalog.action_names()
    # Only catalog actions have texts to rank (a server's own tools are matched by name).
    pool = tuple(sorted(set(names).intersection(known) if names is not None else known))
    index = _index(pool)
    concepts = expand(query)
    n = len(pool)
    lowered = query.lower()
    scored: list[Match] = []
    for name in pool:
        doc = index.docs[name]
        norm = 1 - _B + _B * index.lengths[name] / index.average
        score = 0.0
        for concept in concepts:
            best = 0.0
            # A typed word no action uses ("server") lends its full weight to its
            # synonyms: they are then the only way the caller's meaning is found.
            full = not any(w == 1.0 and index.df[t] for t, w in concept.items())
            for term, weight in concept.items():
                weight = 1.0 if full else weight
                tf = doc.get(term, 0.0)
                if tf:
                    idf = math.log(1 + (n - index.df[term] + 0.5) / (index.df[term] + 0.5))
                    best = max(best, weight * idf * tf * (_K1 + 1) / (tf + _K1 * norm))
            score += best
        if score > 0:
            # Names are verb + object: a query that covers all of a name's words means
            # that action, not one that merely mentions the object (DescribeInstances
            # over DescribeInstanceVncUrl for "list my servers").
            words = index.name_tokens[name]
            covered = sum(1 for w in words if any(w in c for c in concepts))
            score += NAME_COVERAGE_WEIGHT * (covered / len(words)) ** 2 if words else 0.0
        if name.lower() in lowered:
            score += 100.0
        if score > 0:
            scored.append(Match(name, round(score, 4)))
    scored.sort(key=lambda m: (-m.score, m.action))
    return scored[:limit]


def suggest_actions(name: str, names: Sequence[str] | None = None, n: int = 3) -> list[str]:
    """Action names close to a misspelt ``name``: the same name in other case first, then
    near spellings, then names that contain it or that it contains."""
    pool = list(names if names is not None else catalog.action_names())
    lowered = {a.lower(): a for a in pool}
    key = name.strip().lower()
    if key in lowered:
        return [lowered[key]]
    out = [lowered[m] for m in difflib.get_close_matches(key, list(lowered), n=n, cutoff=0.7)]
    out += [a for a in pool if a not in out and key and (key in a.lower() or a.lower() in key)]
    if not out:
        out = [m.action for m in search(name, pool, limit=n)]
    return out[:n]


def did_you_mean(name: str, names: Sequence[str] | None = None) -> str:
    """The sentence an unknown action name is answered with."""
    found = suggest_actions(name, names)
    if not found:
        return f"Unknown action {name!r}; search_actions finds actions by intent."
    listed = ", ".join(found)
    return f"Unknown action {name!r}. Did you mean {listed}?"
