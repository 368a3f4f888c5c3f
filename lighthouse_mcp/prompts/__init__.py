"""Workflow prompts: Markdown files with a small front matter, rendered with arguments.

Prompts are data (``*.md`` beside this module) so they can be read and reviewed as
text; this module only parses and renders them. Front matter lines:

    name: machine_name            title: Human title         description: one line
    arg: NAME | required|optional | what to pass

Body placeholders, kept deliberately tiny so a prompt stays readable:

    {{name}}             the argument's value
    {{name|fallback}}    the value, or the fallback text (``@other`` = another argument)
    {{name: text $}}     the text with ``$`` replaced by the value, or nothing when absent
    {{name: text $|alt}} as above, or ``alt`` when absent
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_PLACEHOLDER = re.compile(r"\{\{(\w+)(?::([^|}]*))?(?:\|([^}]*))?\}\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PromptError(ValueError):
    """A prompt file is malformed, or a render was asked with bad arguments."""


@dataclass(frozen=True)
class PromptArgument:
    name: str
    description: str
    required: bool


@dataclass(frozen=True)
class Prompt:
    name: str
    title: str
    description: str
    arguments: tuple[PromptArgument, ...]
    body: str

    def render(self, values: dict[str, str] | None = None) -> str:
        """The prompt text for these arguments; missing required or unknown ones fail."""
        given = {k: v for k, v in (values or {}).items() if v is not None and v != ""}
        known = {a.name for a in self.arguments}
        unknown = sorted(set(given) - known)
        if unknown:
            raise PromptError(
                f"prompt {self.name!r} has no argument {unknown[0]!r}; "
                f"it takes: {', '.join(sorted(known))}"
            )
        missing = [a.name for a in self.arguments if a.required and a.name not in given]
        if missing:
            raise PromptError(f"prompt {self.name!r} needs the argument {missing[0]!r}")

        def substitute(match: re.Match[str]) -> str:
            name, then, fallback = match.group(1), match.group(2), match.group(3)
            value = given.get(name)
            if value is not None:
                return then.strip().replace("$", value) if then is not None else value
            if fallback is None:
                return ""
            if fallback.startswith("@"):
                return given.get(fallback[1:], "")
            return fallback

        return _PLACEHOLDER.sub(substitute, self.body).strip() + "\n"


def parse_prompt(text: str, *, source: str = "<prompt>") -> Prompt:
    """Parse one prompt file; every problem names the file and what was expected."""
    if not text.startswith("---\n"):
        raise PromptError(f"{source}: must start with a '---' front matter line")
    try:
        head, body = text[4:].split("\n---\n", 1)
    except ValueError:
        raise PromptError(f"{source}: front matter is not closed by '---'") from None
    fields: dict[str, str] = {}
    arguments: list[PromptArgument] = []
    for line in head.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise PromptError(f"{source}: front matter line without 'key:': {line!r}")
        key, value = key.strip(), value.strip()
        if key == "arg":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3 or parts[1] not in ("required", "optional"):
                raise PromptError(
                    f"{source}: 'arg:' takes 'NAME | required|optional | description'"
                )
            if not _NAME.match(parts[0]):
                raise PromptError(f"{source}: argument name {parts[0]!r} is not snake_case")
            arguments.append(PromptArgument(parts[0], parts[2], parts[1] == "required"))
        elif key in ("name", "title", "description"):
            fields[key] = value
        else:
            raise PromptError(f"{source}: unknown front matter key {key!r}")
    for key in ("name", "title", "description"):
        if not fields.get(key):
            raise PromptError(f"{source}: front matter needs '{key}:'")
    declared = {a.name for a in arguments}
    for match in _PLACEHOLDER.finditer(body):
        used = {match.group(1)}
        if match.group(3) and match.group(3).startswith("@"):
            used.add(match.group(3)[1:])
        if used - declared:
            raise PromptError(
                f"{source}: placeholder uses undeclared argument {sorted(used - declared)[0]!r}"
            )
    return Prompt(fields["name"], fields["title"], fields["description"], tuple(arguments), body)


@cache
def load_prompts() -> dict[str, Prompt]:
    """Every packaged prompt by name, parsed once."""
    found: dict[str, Prompt] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            prompt = parse_prompt(entry.read_text(encoding="utf-8"), source=entry.name)
            if prompt.name in found:
                raise PromptError(f"{entry.name}: duplicate prompt name {prompt.name!r}")
            found[prompt.name] = prompt
    return found
