"""The tree of commands: each module adds its own."""

from __future__ import annotations

from patron.cli import (
    channels,
    customers,
    database,
    duplicates,
    imports,
    jobs,
    lookup,
    privacy,
    server,
    staff,
    transfer,
    webhooks,
)
from patron.cli import marketing as marketing_commands
from patron.cli.common import Parser


def build_parser() -> Parser:
    parser = Parser(
        prog="patron",
        description="Patron: customer records for retail shops. Run a command with --help for its options.",
        epilog="Settings come from the environment (see docs/configuration.md); the database is "
               "DATABASE_URL, by default var/patron.sqlite3.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (server, jobs, database, staff, customers, lookup, duplicates, transfer, imports, privacy):
        module.register(commands)
    channels.register(commands)
    webhooks.register(commands)
    marketing_commands.register(commands)  # patron segment, patron newsletter
    return parser
