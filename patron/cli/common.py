"""What every command shares: the argument parser, errors, the acting identity and output formats."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence

from django.core.management.base import CommandError

from patron.backup import BackupError
from patron.core.actors import Actor, system_actor
from patron.core.errors import DomainError


class CliError(Exception):
    """A command that cannot go on; the message tells the admin what to do instead."""


# Failures the admin can act on: shown as one line, never as a traceback.
EXPECTED_ERRORS = (DomainError, BackupError, CliError, CommandError)


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line that point to --help."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def one_line(error: Exception) -> str:
    """The error's message, with every field problem of a domain error, on a single line."""
    if isinstance(error, DomainError) and len(error.errors) > 1:
        text = "; ".join(f"{field}: {' '.join(messages)}" if field else " ".join(messages)
                         for field, messages in error.errors.items())
    elif isinstance(error, DomainError) and error.field:
        text = f"{error.field}: {error.message}"
    else:
        text = str(error)
    return " ".join(text.split())


def cli_actor() -> Actor:
    """Who the audit trail names for changes made from the command line."""
    return system_actor("cli")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def counted(number: int, noun: str, plural: str = "") -> str:
    """A count with its noun: 1 customer, 2 customers; ``plural`` for nouns that take more than an s."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


# --- output formats -------------------------------------------------------------------------------

def print_table(rows: Sequence[dict], *, max_width: int = 40, indent: str = "") -> None:
    """Rows as aligned columns under their keys; long values are cut with an ellipsis."""
    if not rows:
        return
    columns = list(rows[0])
    cells = [[_cell(row[column], max_width) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[index]) for line in cells)) for index, column in enumerate(columns)]
    for line in [columns, *cells]:
        padded = (value.ljust(width) for value, width in zip(line, widths, strict=True))
        print(indent + "  ".join(padded).rstrip())


def _cell(value, max_width: int) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= max_width else text[:max_width - 1] + "…"


def print_listing(rows: Sequence[dict], *, as_json: bool, empty: str, max_width: int = 40) -> None:
    """A listing command's rows: JSON, a table, or a line saying there are none."""
    if as_json:
        print_json(list(rows))
    elif rows:
        print_table(rows, max_width=max_width)
    else:
        print(empty)


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_csv(rows: Sequence[dict]) -> None:
    """CSV whose text cells a spreadsheet shows as text, never runs as a formula (test S7)."""
    from patron.transfer.exports import spreadsheet_safe

    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(value) if isinstance(value, str) else value for key, value in row.items()}
                     for row in rows)
