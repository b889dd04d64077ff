"""The README documents every command, option, setting and named query (datasette's habit)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from strategylinks import queries
from strategylinks.api.settings import ServerSettings
from strategylinks.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_is_documented() -> None:
    for name, sub in subcommands().items():
        assert f"strategylinks {name}" in README, f"command {name} is not in README.md"
        for action in sub._actions:
            for option in action.option_strings:
                if option in ("-h", "--help"):
                    continue
                assert option in README, f"option {option} of {name} is not in README.md"
            if action.choices and not isinstance(action, argparse._SubParsersAction):
                for choice in action.choices:
                    assert re.search(rf"\b{re.escape(str(choice))}\b", README), f"{name}: {choice} undocumented"


def test_every_setting_is_documented() -> None:
    for field in ServerSettings.model_fields:
        assert f"STRATEGYLINKS_{field.upper()}" in README, f"setting {field} is not in README.md"


def test_every_named_query_is_documented() -> None:
    for name in queries.available():
        assert f"`{name}`" in README, f"query {name} is not in README.md"


def test_exit_codes_are_documented() -> None:
    for code in ("**0**", "**1**", "**2**"):
        assert code in README
