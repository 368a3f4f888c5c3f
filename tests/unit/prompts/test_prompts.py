"""Workflow prompts parse, render with their arguments, and refuse bad ones."""

from __future__ import annotations

import re

import pytest

from lighthouse_mcp.prompts import PromptError, load_prompts, parse_prompt

PROMPTS = load_prompts()


def test_at_least_six_prompts_with_arguments() -> None:
    assert len(PROMPTS) >= 6
    for prompt in PROMPTS.values():
        assert prompt.arguments, prompt.name
        assert any(a.required for a in prompt.arguments), prompt.name


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_renders_with_required_arguments_only(name: str) -> None:
    prompt = PROMPTS[name]
    values = {a.name: f"<{a.name}>" for a in prompt.arguments if a.required}
    text = prompt.render(values)
    for value in values.values():
        assert value in text
    assert "{{" not in text and "}}" not in text


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_renders_with_every_argument(name: str) -> None:
    prompt = PROMPTS[name]
    values = {a.name: f"<{a.name}>" for a in prompt.arguments}
    text = prompt.render(values)
    for value in values.values():
        assert value in text, f"{name}: optional argument {value} never shows"


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_missing_required_argument_is_named(name: str) -> None:
    prompt = PROMPTS[name]
    first = next(a for a in prompt.arguments if a.required)
    with pytest.raises(PromptError, match=first.name):
        prompt.render({})


def test_unknown_argument_is_refused() -> None:
    prompt = PROMPTS["diagnose_unreachable_instance"]
    with pytest.raises(PromptError, match="no argument 'colour'"):
        prompt.render({"instance_id": "lhins-1", "region": "ap-guangzhou", "colour": "red"})


def test_conditional_and_fallback_placeholders() -> None:
    prompt = parse_prompt(
        "---\nname: t\ntitle: T\ndescription: d\narg: a | required | x\n"
        "arg: b | optional | y\n---\n{{a}} {{b: [$]}}{{b|none}} {{b|@a}} {{b: yes|no}}\n"
    )
    assert prompt.render({"a": "1"}) == "1 none 1 no\n"
    assert prompt.render({"a": "1", "b": "2"}) == "1 [2]2 2 yes\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: t\n", "front matter"),
        ("---\nname: t\ntitle: T\n---\nbody", "description"),
        ("---\nname: t\ntitle: T\ndescription: d\narg: x | maybe | y\n---\n", "required"),
        ("---\nname: t\ntitle: T\ndescription: d\n---\n{{nope}}", "undeclared"),
        ("---\nname: t\ntitle: T\ndescription: d\ncolour: red\n---\n", "unknown"),
    ],
)
def test_malformed_prompt_files_are_explained(text: str, message: str) -> None:
    with pytest.raises(PromptError, match=message):
        parse_prompt(text)


def test_prompts_only_name_real_actions() -> None:
    from lighthouse_mcp.catalog import action_names, load_catalog

    actions = set(action_names())
    catalog = load_catalog()
    fields = {p["name"] for a in catalog["actions"].values() for p in a["inputs"] + a["outputs"]}
    fields |= {m["name"] for s in catalog["structures"].values() for m in s["members"]}
    for prompt in PROMPTS.values():
        for word in re.findall(
            r"\b(?:Describe|Create|Delete|Modify|Apply|Associate|Disassociate|"
            r"Run|Start|Stop|Reboot|Remove|Inquire|Import|Renew|Reset|"
            r"Terminate|Isolate)[A-Za-z]+",
            prompt.body,
        ):
            if word not in fields:
                assert word in actions, f"{prompt.name} names unknown action {word}"
