"""The ``patron`` command line for admins: serve, migrate, demo data, staff users and API tokens,
customers, backups. See ``patron --help`` and docs/operations.md."""

from patron.cli.main import main

__all__ = ["main"]
