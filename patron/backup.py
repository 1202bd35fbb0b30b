"""Backing up and restoring Patron's database, on SQLite or PostgreSQL.

SQLite: ``backup`` copies the live file with SQLite's online backup API, a consistent snapshot even
while the server writes, then checks the copy with ``PRAGMA integrity_check``. The copy is a single
self-contained file (rollback journal, not WAL). ``restore`` checks the backup the same way and
writes it into the live database through the same API: SQLite's locks keep a running server's
requests from seeing a half-restored database, and the next request sees the restored data.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists`` in one transaction,
with the connection parameters of DATABASE_URL. Both tools must be installed (postgresql-client).

A backup is written next to its target under a temporary name and renamed when complete, so a
failed backup never leaves a truncated file where a good one was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.conf import settings

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL_ENGINES = ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def backup(target: Path, database: dict | None = None) -> None:
    """Write a consistent copy of the database to ``target`` (replaced if it exists)."""
    database = database or settings.DATABASES["default"]
    target = Path(target)
    if not target.parent.is_dir():
        raise BackupError(f"Folder {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        if _is_sqlite(database):
            _sqlite_backup(Path(database["NAME"]), partial)
        else:
            _pg_dump(database, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def restore(source: Path, database: dict | None = None) -> None:
    """Replace the whole content of the database with the backup in ``source``."""
    database = database or settings.DATABASES["default"]
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Backup file {source} does not exist.")
    if _is_sqlite(database):
        _sqlite_restore(source, Path(database["NAME"]))
    else:
        _pg_restore(database, source)


def describe(database: dict | None = None) -> str:
    """Which database a backup or restore works on, for messages."""
    database = database or settings.DATABASES["default"]
    if _is_sqlite(database):
        return f"SQLite database {database['NAME']}"
    host, port = database.get("HOST") or "localhost", database.get("PORT") or 5432
    return f"PostgreSQL database {database['NAME']} on {host}:{port}"


def _is_sqlite(database: dict) -> bool:
    engine = database["ENGINE"]
    if engine == SQLITE:
        return True
    if engine in POSTGRESQL_ENGINES:
        return False
    raise BackupError(f"Backups of {engine} databases are not supported.")


# --- SQLite -----------------------------------------------------------------------------------

_BUSY_TIMEOUT_SECONDS = 30
_PATRON_TABLE = "django_migrations"


def _sqlite_backup(live: Path, target: Path) -> None:
    if not live.is_file():
        raise BackupError(f"The database file {live} does not exist.")
    with closing(sqlite3.connect(live, timeout=_BUSY_TIMEOUT_SECONDS)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)  # in one step: a single consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    _check_sqlite_file(target, what="The backup copy")


def _sqlite_restore(source: Path, live: Path) -> None:
    _check_sqlite_file(source, what=f"{source}")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file, \
            closing(sqlite3.connect(live, timeout=_BUSY_TIMEOUT_SECONDS)) as database:
        backup_file.backup(database)
        database.execute("PRAGMA journal_mode=WAL")  # the live database runs in WAL mode


def _check_sqlite_file(path: Path, *, what: str) -> None:
    """Refuse a file that is not an intact SQLite database of Patron."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            is_patron = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [_PATRON_TABLE]).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} is not a readable SQLite database ({error}).") from None
    if result != ["ok"]:
        raise BackupError(f"{what} failed SQLite's integrity check: {'; '.join(result[:3])}")
    if not is_patron:
        raise BackupError(f"{what} is an SQLite database, but not one of Patron.")


# --- PostgreSQL -------------------------------------------------------------------------------

def _pg_dump(database: dict, target: Path) -> None:
    _run_pg_tool(database, "pg_dump", "--format=custom", f"--file={target}")
    _pg_check_archive(database, target, what="The dump")


def _pg_restore(database: dict, source: Path) -> None:
    _pg_check_archive(database, source, what=str(source))
    _run_pg_tool(database, "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                 "--single-transaction", "--exit-on-error", f"--dbname={database['NAME']}", str(source))


def _pg_check_archive(database: dict, path: Path, *, what: str) -> None:
    """pg_restore --list reads the whole table of contents: a truncated or foreign file fails."""
    try:
        _run_pg_tool(database, "pg_restore", "--list", str(path))
    except BackupError as error:
        raise BackupError(f"{what} is not a readable pg_dump archive: {error}") from None


def _run_pg_tool(database: dict, tool: str, *arguments: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed; install the PostgreSQL client tools "
                          "(on Debian: apt-get install postgresql-client).")
    result = subprocess.run([tool, *arguments], env=_pg_environment(database), capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line.removeprefix(f"{tool}: ").removeprefix("error: ")
                 for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool} failed: {lines[-1] if lines else f'exit status {result.returncode}'}")


def _pg_environment(database: dict) -> dict:
    """libpq's variables for the connection, so the password never shows in a process list."""
    values = {"PGHOST": database.get("HOST"), "PGPORT": database.get("PORT"), "PGUSER": database.get("USER"),
              "PGPASSWORD": database.get("PASSWORD"), "PGDATABASE": database.get("NAME"),
              "PGSSLMODE": database.get("OPTIONS", {}).get("sslmode")}
    return {**os.environ, **{name: str(value) for name, value in values.items() if value}}
