"""The documentation keeps up with the code: every setting and every command is described."""

import re
from pathlib import Path

from patron.cli.commands import build_parser

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT_READ = re.compile(r"""(?:environ\.get\(|environ\[|_env_\w+\()["']([A-Z_]+)["']""")


def test_configuration_doc_describes_every_environment_variable_of_the_settings():
    variables = set(ENVIRONMENT_READ.findall((ROOT / "patron" / "settings.py").read_text()))
    documented = set(re.findall(r"^\| `([A-Z_]+)`", (ROOT / "docs" / "configuration.md").read_text(), re.M))
    assert "DATABASE_URL" in variables and len(variables) > 10
    assert variables - documented == set()


def test_operations_doc_lists_every_command_of_the_command_line():
    commands = re.findall(r"^    (\w+)", build_parser().format_help(), re.M)
    table = (ROOT / "docs" / "operations.md").read_text()
    assert len(commands) >= 9
    assert [name for name in commands if f"`patron {name}" not in table] == []


def test_readme_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start")[1].split("```sh")[1].split("```")[0]
    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    assert commands == ["make run", "make test"]
