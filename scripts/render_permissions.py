"""Rewrite the table in docs/permissions.md from patron.core.permissions.PERMISSIONS.

Run after changing the matrix: `.venv/bin/python scripts/render_permissions.py`.
"""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")

import django  # noqa: E402

django.setup()

from patron.core.permissions import PERMISSIONS, Role  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"
ROLES = (Role.ADMIN, Role.MANAGER, Role.CASHIER)

rows = ["| permission | what it allows | admin | manager | cashier |", "|---|---|:-:|:-:|:-:|"]
for name, (roles, text) in PERMISSIONS.items():
    rows.append(f"| `{name}` | {text} | " + " | ".join("yes" if role in roles else "—" for role in ROLES) + " |")
text = DOC.read_text()
table = re.compile(r"\| permission \|.*?(?=\n\n)", re.S)
DOC.write_text(table.sub("\n".join(rows), text, count=1))
print(f"wrote {len(PERMISSIONS)} permissions to {DOC}")
