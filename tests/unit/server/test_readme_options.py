"""The README's options table names every serve flag and environment variable."""

from __future__ import annotations

import argparse

from lighthouse_mcp.server import config
from tests.support.imports import REPO


def test_every_serve_flag_and_variable_is_in_the_readme_options_table() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Options and environment") : text.index("## What a model sees")]
    parser = argparse.ArgumentParser()
    config.add_arguments(parser)
    flags = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    flags.remove("--help")
    variables = [v for k, v in vars(config).items() if k.startswith("ENV_")]
    missing = [f for f in flags if f"`{f}" not in table]
    missing += [v for v in variables if v not in table]
    assert missing == []
