"""``patron migrate``, ``demo``, ``backup``, ``restore`` and ``manage``: the database as a whole."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from django.core.management import call_command, execute_from_command_line

from patron import backup as backups
from patron.cli.common import CliError, cli_actor, counted, positive_int, print_table
from patron.customers.models import Customer
from patron.demo import DEFAULT_COUNT, DEFAULT_SEED, DemoSummary, create_demo_users, load_demo
from patron.staff.models import User


def register(commands) -> None:
    migrate_parser = commands.add_parser(
        "migrate", help="create or upgrade the database tables",
        description="Apply every pending database migration. Run it after installing or upgrading Patron.")
    migrate_parser.set_defaults(handler=migrate)

    demo_parser = commands.add_parser(
        "demo", help="load the demo data set",
        description="Load a demo shop: a second store and branch, custom fields and realistic customers of "
                    "every kind (persons, companies with representatives, placeholders), made through the "
                    "same checked and audited actions staff use. When no staff user exists, also create "
                    "the users admin, manager and cashier and print their generated passwords once.")
    demo_parser.add_argument("--if-empty", action="store_true",
                             help="do nothing when the database already has customers (make run uses this)")
    demo_parser.add_argument("--count", type=positive_int, default=DEFAULT_COUNT,
                             help="customers to create, representatives included (default: %(default)s)")
    demo_parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                             help="the same seed gives the same customers (default: %(default)s)")
    demo_parser.set_defaults(handler=demo)

    backup_parser = commands.add_parser(
        "backup", help="write a consistent backup of the database to a file",
        description="Back up the database while Patron runs. SQLite: an online copy (backup API), checked "
                    "with PRAGMA integrity_check. PostgreSQL: pg_dump's custom format. Photos under "
                    "var/media are files: copy them separately.")
    backup_parser.add_argument("file", type=Path, help="where to write the backup (replaced if it exists)")
    backup_parser.set_defaults(handler=backup)

    restore_parser = commands.add_parser(
        "restore", help="replace the database with a backup",
        description="Replace everything in the database with the content of a backup made by `patron "
                    "backup`. The file is checked before anything is replaced. SQLite restores into the live "
                    "file, so a running server sees the restored data at its next request.")
    restore_parser.add_argument("file", type=Path, help="the backup to restore")
    restore_parser.add_argument("--yes", action="store_true", help="really replace the current data")
    restore_parser.set_defaults(handler=restore)

    manage_parser = commands.add_parser(
        "manage", help="run a Django management command (e.g. changepassword, check, dbshell)",
        description="Pass the rest of the command line to Django's manage.py, e.g. `patron manage "
                    "changepassword admin`. `patron manage help` lists the commands.")
    manage_parser.add_argument("arguments", nargs=argparse.REMAINDER,
                               help="the management command and its options")
    manage_parser.set_defaults(handler=manage)


def migrate(args) -> None:
    call_command("migrate", interactive=False)


def demo(args) -> None:
    if args.if_empty and Customer.objects.exists():
        print("The database already has customers: the demo data set was not loaded.")
        _hint_when_nobody_can_log_in()
        return
    started = time.monotonic()
    summary = load_demo(actor=cli_actor(), count=args.count, seed=args.seed)
    print(f"Loaded the demo data set in {time.monotonic() - started:.1f} s: {_describe(summary)}.")
    _print_new_logins(create_demo_users(actor=cli_actor()))


def _describe(summary: DemoSummary) -> str:
    kinds = summary.kinds
    return (f"{counted(summary.total, 'customer')} ({counted(kinds['person'], 'private person')}, "
            f"{counted(kinds['company'], 'company', 'companies')} with "
            f"{counted(kinds['representative'], 'representative')}, "
            f"{counted(kinds['placeholder'], 'placeholder')}) and a year of their trading "
            f"({counted(summary.trading.sales, 'sale')}, {counted(summary.trading.returns, 'return')}, "
            f"{counted(summary.trading.payments, 'account payment')}, {counted(summary.trading.orders, 'order')})")


def _print_new_logins(users: list[tuple[str, str, str]]) -> None:
    if not users:
        print("Staff users exist already, so no demo users were created.")
        return
    print("Created staff users. Note the passwords: they are shown only this once.")
    print_table([{"username": username, "role": role, "password": password}
                 for username, role, password in users], indent="  ")
    print(f"Log in as {users[0][0]} with password {users[0][2]}")


def _hint_when_nobody_can_log_in() -> None:
    if not User.objects.exists():
        print("No staff user exists yet: create one with `patron user create NAME --role admin`.")


def backup(args) -> None:
    backups.backup(args.file)
    size = args.file.stat().st_size
    print(f"Backed up the {backups.describe()} to {args.file} ({size / 1_000_000:.1f} MB).")


def restore(args) -> None:
    if not args.yes:
        raise CliError(f"Restoring replaces everything in the {backups.describe()} with the content of "
                       f"{args.file}. Run again with --yes to go ahead.")
    backups.restore(args.file)
    print(f"Restored the {backups.describe()} from {args.file}. "
          "If the backup comes from an older version of Patron, run `patron migrate` now.")


def manage(args) -> None:
    execute_from_command_line(["patron manage", *(args.arguments or ["help"])])
