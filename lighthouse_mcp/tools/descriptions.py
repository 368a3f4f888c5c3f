"""Tool titles and descriptions in English (overlay) or Chinese (catalog), with an async note.

A description is what a model reads to choose a tool, on every turn, so it is short: the
overlay's English sentence, or the docs' title plus their first sentences. Asynchronous
actions end with one terse note saying which action to poll and for which state, derived
from the docs' own wording, so the model does not report success too early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lighthouse_mcp import catalog
from lighthouse_mcp.tools.schema import Lang
from lighthouse_mcp.tools.text import first_sentences

#: Budget for the Chinese description body (characters; each costs about one token).
ZH_DESCRIPTION_CHARS = 60
#: "本接口（DescribeInstances）用于": the docs' opening formula, which repeats the tool name.
_ZH_BOILERPLATE = re.compile(r"^本接口\s*(?:[（(]\s*\w+\s*[)）])?\s*(?:用于|用来)?\s*")

_PASCAL = re.compile(r"[A-Z][A-Za-z]+")
_QUOTED_STATE = re.compile(r"[“\"]([A-Z][A-Z_]+)[”\"]")


@dataclass(frozen=True, slots=True)
class AsyncHint:
    """How to observe completion: poll ``poller`` until ``field`` reads ``value``."""

    poller: str | None
    field: str | None
    value: str | None


def async_hint(action: str) -> AsyncHint | None:
    """Parse the docs' async note (None for synchronous actions)."""
    act = catalog.action(action)
    if not act["asynchronous"]:
        return None
    note = act.get("async_note", "") or act["description"]
    actions = set(catalog.action_names())
    words = _PASCAL.findall(note)
    poller = next((w for w in words if w in actions and w != action), None)
    field = next((w for w in words if w not in actions and ("State" in w or "Status" in w)), None)
    value = None
    for sentence in re.split(r"[。\n]", note):
        states = _QUOTED_STATE.findall(sentence)
        if states:
            value = states[-1]  # "由“ATTACHED”变为“UNATTACHED”": the target is the last one
            break
    return AsyncHint(poller, field, value)


def async_note(action: str, lang: Lang = "en") -> str:
    """One terse sentence for asynchronous actions, empty for synchronous ones."""
    hint = async_hint(action)
    if hint is None:
        return ""
    if lang == "zh":
        if hint.poller is None:
            return "异步接口：返回时操作尚未完成。"
        target = f"{hint.field or '状态'}为 {hint.value}" if hint.value else (hint.field or "结果")
        return f"异步接口：用 {hint.poller} 查询{target}。"
    if hint.poller is None:
        return "Async: the operation completes after the call returns."
    if hint.field and hint.value:
        return f"Async: poll {hint.poller} until {hint.field}={hint.value}."
    return f"Async: poll {hint.poller} for the result."


def _words(name: str) -> str:
    return " ".join(re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", name))


def tool_title(action: str, lang: Lang = "en") -> str:
    """Human-readable title: the overlay's English title or the docs' 接口功能."""
    if lang == "zh":
        return catalog.action(action)["title_zh"]
    overlay = catalog.overlay_entry(action)
    return overlay["title"] if overlay and overlay.get("title") else _words(action)


def tool_description(action: str, lang: Lang = "en") -> str:
    """What the tool does, for a model choosing among tools, plus the async note."""
    act = catalog.action(action)
    if lang == "zh":
        title = act["title_zh"].rstrip("。")
        body = first_sentences(_ZH_BOILERPLATE.sub("", act["description"]), ZH_DESCRIPTION_CHARS)
        if not body:
            text = title
        elif body.startswith(title):
            text = body
        else:
            text = f"{title}。{body}"
        if not text.endswith(("。", "…")):
            text += "。"
    else:
        overlay = catalog.overlay_entry(action)
        text = overlay["description"].strip() if overlay else ""
        if not text:
            text = tool_title(action) + "."
        hint = async_hint(action)
        if "async" in text.lower() or (hint and hint.poller and hint.poller in text):
            return text  # the overlay already says how to wait
    note = async_note(action, lang)
    return f"{text} {note}" if note and lang == "en" else text + note
