"""Imports go one way: core <- ops <- locations <- staff <- customers <- (api, web, cli).

A domain app never imports an interface (api, web, cli, ninja, Django forms), and a lower app
never imports a higher one. Checked by reading every module's imports.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "patron"
LAYERS = ["core", "ops", "jobs", "events", "locations", "staff", "customers", "credit", "loyalty", "sales",
          "lookup", "duplicates", "marketing", "channels", "transfer", "merging", "privacy"]
INTERFACES = ("patron.api", "patron.web", "patron.cli", "ninja", "django.forms", "django_htmx")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(app: str):
    return [path for path in (PACKAGE / app).rglob("*.py") if "tests" not in path.parts]


@pytest.mark.parametrize("app", LAYERS)
def test_domain_apps_import_only_lower_layers_and_no_interface(app):
    higher = [f"patron.{name}" for name in LAYERS[LAYERS.index(app) + 1:]]
    offences = []
    for path in _modules(app):
        for name in _imports(path):
            if name.startswith(INTERFACES) or any(name == h or name.startswith(h + ".") for h in higher):
                offences.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offences == []


def test_every_app_of_the_package_is_placed_in_a_layer():
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    assert apps <= set(LAYERS) | {"api", "web"}
