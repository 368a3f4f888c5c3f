"""The hand-kept overlay covers exactly the catalog, classes every action, and stays lean.

The overlay is what the model reads (titles, descriptions, parameter texts) and what the
confirmation gate trusts (safety classes), so a gap or a misclassification here is a
user-visible bug, not a cosmetic one.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import pytest

from lighthouse_mcp import catalog as cat
from tests.support.spec import spec_action_names

ROOT = Path(__file__).resolve().parents[3]

SAFETY_CLASSES = set(get_args(cat.SafetyClass))
GROUP_IDS = {
    "blueprint",
    "disk-backup",
    "firewall",
    "snapshot",
    "keypair",
    "instance",
    "ccn",
    "disk",
    "other",
    "scene",
    "bundle",
    "docker",
    "quota",
    "region",
    "mcp-server",
}
#: Actions that lose data or cannot be undone; the gate must stop every one of them.
MUST_BE_DESTRUCTIVE = {
    "TerminateInstances",
    "IsolateInstances",
    "ResetInstance",
    "ApplyInstanceSnapshot",
    "DeleteSnapshots",
    "DeleteBlueprints",
    "DeleteKeyPairs",
    "TerminateDisks",
    "IsolateDisks",
    "DeleteDiskBackups",
    "ApplyDiskBackup",
    "DeleteFirewallRules",
    "ModifyFirewallRules",
    "DeleteFirewallTemplate",
    "ResetFirewallTemplateRules",
    "RemoveDockerContainers",
}
#: Exactly these return a credential (a private key, a console login URL).
SECRET_OUTPUT = {"CreateKeyPair", "DescribeInstanceVncUrl"}
ACTION_KEYS = {"title", "description", "safety", "reason", "secret_output", "idempotent", "params"}


def _load_todo_script() -> ModuleType:
    """scripts/ is not a package; load the one gap-finding function the CLI script also uses."""
    path = ROOT / "scripts" / "overlay_todo.py"
    spec = importlib.util.spec_from_file_location("overlay_todo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


todo = _load_todo_script()


@pytest.fixture(scope="module")
def overlay() -> dict[str, Any]:
    return dict(cat.load_overlay())


@pytest.fixture(scope="module")
def actions(overlay: dict[str, Any]) -> dict[str, Any]:
    return dict(overlay["actions"])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# ---------------------------------------------------------------- coverage against the catalog


def test_overlay_covers_exactly_the_catalog(overlay: dict[str, Any]) -> None:
    gaps = todo.overlay_gaps(cat.load_catalog(), overlay)
    assert gaps == [], "run scripts/overlay_todo.py:\n" + "\n".join(gaps)


def test_gap_finder_reports_missing_and_extra_entries() -> None:
    """The checker itself must fail on drift, or the coverage test proves nothing."""
    param = {"name": "Filters", "type": "Filter", "array": True, "required": False}
    catalog = {
        "actions": {"DescribeX": {"inputs": [param]}, "DeleteY": {"inputs": []}},
        "structures": {
            "Filter": {
                "members": [
                    {"name": "Name", "type": "String"},
                    {"name": "Values", "type": "String"},
                ]
            },
            "Output": {"members": [{"name": "Id", "type": "String"}]},
        },
        "groups": [{"id": "instance"}],
    }
    overlay = {
        "actions": {"DescribeX": {"params": {"Offset": ""}}, "Ghost": {"params": {}}},
        "structures": {"Filter": {"Name": ""}, "Output": {"Id": ""}},
        "groups": {"instance": "Instances"},
    }
    assert todo.overlay_gaps(catalog, overlay) == [
        "missing action DeleteY",
        "extra action Ghost",
        "missing param DescribeX.Filters",
        "extra param DescribeX.Offset",
        "extra structure Output",
        "missing member Filter.Values",
    ]


def test_input_structures_follow_nested_members() -> None:
    catalog = {
        "actions": {"Run": {"inputs": [{"name": "C", "type": "Conf"}]}},
        "structures": {
            "Conf": {"members": [{"name": "Envs", "type": "Env"}]},
            "Env": {"members": [{"name": "Key", "type": "String"}]},
            "Unused": {"members": []},
        },
    }
    assert todo.input_structures(catalog) == {"Conf", "Env"}


def test_async_actions_say_how_to_see_them_finish(actions: dict[str, Any]) -> None:
    hint = re.compile(r"\b(async|poll)", re.IGNORECASE)
    silent = [
        name
        for name, a in cat.load_catalog()["actions"].items()
        if a["asynchronous"] and not hint.search(actions[name]["description"])
    ]
    assert silent == []


def _documented_params(overlay: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(where, catalog param, overlay text) for every action input and input-structure member."""
    catalog = cat.load_catalog()
    rows = []
    for name, a in catalog["actions"].items():
        spec = a.get("filters")
        for p in a["inputs"]:
            param: dict[str, Any] = dict(p)
            if spec is not None and p["name"] == spec["param"]:
                param["enum"] = [f["name"] for f in spec["filters"]]  # the schema enumerates them
            text = overlay["actions"][name]["params"].get(p["name"], "")
            rows.append((f"{name}.{p['name']}", param, text))
    rows += [
        (f"{name}.{m['name']}", dict(m), members.get(m["name"], ""))
        for name, members in overlay["structures"].items()
        for m in catalog["structures"][name]["members"]
    ]
    return rows


def test_param_texts_do_not_repeat_enums_or_defaults(overlay: dict[str, Any]) -> None:
    """The schema carries enum values, filter names and defaults; repeating them costs tokens."""
    repeats = []
    for where, param, text in _documented_params(overlay):
        values = [str(v) for v in param.get("enum", [])]
        cited = [v for v in values if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text)]
        if len(values) >= 2 and len(cited) >= 2:
            repeats.append(f"{where}: enum")
        if "default" in param and "default" in text.lower():
            repeats.append(f"{where}: default")
    assert repeats == []


def _states_rule(texts: dict[str, str], description: str, params: list[str]) -> bool:
    """A rule is stated when one of its params' texts names another, or the description all."""
    if any(q in texts.get(p, "") for p in params for q in params if q != p):
        return True
    return all(p in description for p in params)


def test_texts_state_documented_rules_between_params(overlay: dict[str, Any]) -> None:
    """A call that breaks an exclusion or dependency fails; the model should learn it up front."""
    catalog = cat.load_catalog()
    unstated = [
        f"{name}: {rule['kind']} {rule['params']}"
        for name, a in catalog["actions"].items()
        for rule in a["constraints"]
        if not _states_rule(
            overlay["actions"][name]["params"],
            overlay["actions"][name]["description"],
            rule["params"],
        )
    ]
    unstated += [
        f"{name}: {rule['kind']} {rule['params']}"
        for name, members in overlay["structures"].items()
        for rule in catalog["structures"][name].get("constraints", [])
        if not _states_rule(members, "", rule["params"])
    ]
    assert unstated == []


# ---------------------------------------------------------------- shape and classes


def test_every_action_has_title_description_class_and_reason(actions: dict[str, Any]) -> None:
    assert sorted(actions) == spec_action_names()
    for name, a in actions.items():
        assert set(a) <= ACTION_KEYS, name
        assert a["safety"] in SAFETY_CLASSES, name
        for key in ("title", "description", "reason"):
            assert isinstance(a[key], str) and a[key].strip() == a[key] and a[key], (name, key)
            assert "\n" not in a[key], (name, key)
        assert len(a["title"]) <= 40, name
        assert isinstance(a["params"], dict), name
        for param, text in a["params"].items():
            assert isinstance(text, str) and "\n" not in text, (name, param)
        for flag in ("secret_output", "idempotent"):
            assert isinstance(a.get(flag, False), bool), (name, flag)


def test_named_destructive_actions_are_destructive(actions: dict[str, Any]) -> None:
    classes = {n: actions[n]["safety"] for n in MUST_BE_DESTRUCTIVE}
    assert {n: c for n, c in classes.items() if c != "destructive"} == {}


def test_classes_follow_the_verbs(actions: dict[str, Any]) -> None:
    """Guard rails against a slip of the pen; the overlay's reasons carry the judgement."""
    for name, a in actions.items():
        safety = a["safety"]
        if name.startswith(("Describe", "Inquire")):
            assert safety == "read", name
        else:
            assert safety != "read", name
        if name.startswith(("Delete", "Terminate", "Isolate", "Remove")):
            assert safety == "destructive", name
        if name.startswith(("Renew", "Resize", "InquirePrice")) or name in {
            "CreateInstances",
            "CreateDisks",
            "ModifyInstancesBundle",
        }:
            assert safety in {"billing", "read"}, name
        if name.startswith(("Stop", "Reboot", "Restart")):
            assert safety == "disruptive", name


#: An action name as texts cite it ("poll DescribeInstances"): a verb prefix, then PascalCase.
ACTION_REF = re.compile(
    r"\b(?:Describe|Create|Delete|Modify|Apply|Inquire|Reset|Terminate|Isolate|Renew|Resize"
    r"|Attach|Detach|Associate|Disassociate|Import|Start|Stop|Reboot|Run|Remove|Rename|Rerun"
    r"|Restart|Share|Cancel|Sync|Replace)[A-Z][A-Za-z]+"
)


def test_texts_cite_only_real_actions(overlay: dict[str, Any], actions: dict[str, Any]) -> None:
    """A model told to poll a misspelled action calls a tool that does not exist."""
    texts = [t for a in actions.values() for t in (a["description"], a["reason"])]
    texts += [t for a in actions.values() for t in a["params"].values()]
    texts += [t for members in overlay["structures"].values() for t in members.values()]
    names = {p for a in actions.values() for p in a["params"]} | set(overlay["structures"])
    names |= {m for members in overlay["structures"].values() for m in members}
    cited = {m for t in texts for m in ACTION_REF.findall(t)} - names
    assert cited - set(actions) == set()


def test_secret_output_marks_exactly_the_credential_returning_actions(
    actions: dict[str, Any],
) -> None:
    assert {n for n, a in actions.items() if a.get("secret_output")} == SECRET_OUTPUT


def test_reads_are_idempotent(actions: dict[str, Any]) -> None:
    reads = [n for n, a in actions.items() if a["safety"] == "read"]
    assert [n for n in reads if not actions[n].get("idempotent")] == []


def test_groups_name_every_group_id(overlay: dict[str, Any]) -> None:
    assert set(overlay["groups"]) == GROUP_IDS
    assert all(overlay["groups"].values())


def test_all_texts_are_ascii(overlay: dict[str, Any]) -> None:
    assert [s for s in _strings(overlay) if not s.isascii()] == []


# ---------------------------------------------------------------- budget


def test_descriptions_stay_within_budget(actions: dict[str, Any]) -> None:
    """Every tool costs its description on every request; 200 tokens per tool is the budget."""
    lengths = {n: len(a["description"]) for n, a in actions.items()}
    assert sum(lengths.values()) / len(lengths) < 300
    assert max(lengths.values()) <= 450, max(lengths, key=lengths.__getitem__)


def test_overlay_text_leaves_room_for_the_schema(overlay: dict[str, Any]) -> None:
    per_action = todo.overlay_text_tokens(overlay)
    assert sum(per_action.values()) / len(per_action) < 100
    param_texts = [t for a in overlay["actions"].values() for t in a["params"].values()]
    assert max(map(len, param_texts)) <= 150
    assert json.dumps(overlay).isascii()
