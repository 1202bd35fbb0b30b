"""Backups and restores (patron.backup and `patron backup|restore`), on the engine of the test run.

The round trips work on scratch databases: an SQLite file under tmp_path, or a PostgreSQL database
created for the test and dropped after it.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest
from django.db import connection

from patron.backup import BackupError, backup, restore
from tests.cli_support import (
    environment,
    patron,
    patron_ok,
    pg_connect,
    scratch_database_url,
    scratch_postgresql_database,
)

SQLITE = "django.db.backends.sqlite3"


def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite run only")


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL run only")


# --- the command line, end to end -------------------------------------------------------------

@pytest.mark.django_db
def test_restore_brings_back_the_backup_and_refusals_change_nothing(tmp_path):
    with scratch_database_url(tmp_path) as url:
        env = environment(tmp_path / "var", url)
        patron_ok("migrate", env=env)
        patron_ok("demo", "--count", "8", "--seed", "1", env=env)
        original = patron_ok("customers", "list", "--format", "json", env=env)
        backup_file, junk = tmp_path / "patron.backup", tmp_path / "junk.backup"
        junk.write_bytes(b"this is not a backup\n" * 100)
        # when
        patron_ok("backup", str(backup_file), env=env)
        patron_ok("demo", "--count", "4", "--seed", "2", env=env)
        changed = patron_ok("customers", "list", "--format", "json", env=env)
        refusals = [patron("restore", str(backup_file), env=env),
                    patron("restore", str(junk), "--yes", env=env)]
        after_refusals = patron_ok("customers", "list", "--format", "json", env=env)
        patron_ok("restore", str(backup_file), "--yes", env=env)
        # then
        assert len(json.loads(original)) == 8 and len(json.loads(changed)) == 12
        assert [refused.returncode for refused in refusals] == [1, 1]
        assert "--yes" in refusals[0].stderr and "not" in refusals[1].stderr
        assert all(refused.stderr.startswith("patron: error: ") and refused.stderr.count("\n") == 1
                   for refused in refusals)
        assert after_refusals == changed
        assert patron_ok("customers", "list", "--format", "json", env=env) == original


# --- SQLite ---------------------------------------------------------------------------------------

def _sqlite_database(path, rows=("Anna", "Ben")) -> dict:
    """A live-like database file: WAL mode, Django's migrations table and some rows."""
    with closing(sqlite3.connect(path)) as live:
        live.execute("PRAGMA journal_mode=WAL")
        live.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT)")
        live.execute("CREATE TABLE customer (name TEXT)")
        live.executemany("INSERT INTO customer VALUES (?)", [(name,) for name in rows])
        live.commit()
    return {"ENGINE": SQLITE, "NAME": str(path)}


def _names(path) -> list[str]:
    with closing(sqlite3.connect(path)) as database:
        return [row[0] for row in database.execute("SELECT name FROM customer ORDER BY name")]


def test_sqlite_backup_is_a_checked_self_contained_snapshot_of_committed_data(tmp_path):
    _sqlite_only()
    database = _sqlite_database(tmp_path / "live.sqlite3")
    with closing(sqlite3.connect(database["NAME"])) as writer:
        writer.execute("BEGIN")
        writer.execute("INSERT INTO customer VALUES ('Uncommitted')")  # a write in progress
        # when
        backup(tmp_path / "copy.sqlite3", database)
        writer.rollback()
    # then
    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _names(tmp_path / "copy.sqlite3") == ["Anna", "Ben"]
    assert not list(tmp_path.glob("*partial*"))


def test_sqlite_restore_writes_into_the_live_file_and_open_connections_see_it(tmp_path):
    _sqlite_only()
    database = _sqlite_database(tmp_path / "live.sqlite3")
    backup(tmp_path / "copy.sqlite3", database)
    with closing(sqlite3.connect(database["NAME"])) as server:  # a running server's connection
        server.execute("DELETE FROM customer")
        server.execute("INSERT INTO customer VALUES ('Changed')")
        server.commit()
        # when
        restore(tmp_path / "copy.sqlite3", database)
        # then
        names = [row[0] for row in server.execute("SELECT name FROM customer ORDER BY name")]
        assert names == ["Anna", "Ben"]
        assert server.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("content, message", [
    (b"", "not one of Patron"),
    (b"garbage" * 1000, "not a readable SQLite database"),
])
def test_sqlite_restore_refuses_a_file_that_is_not_a_patron_database(tmp_path, content, message):
    _sqlite_only()
    database = _sqlite_database(tmp_path / "live.sqlite3")
    other = tmp_path / "other.sqlite3"
    if content:
        other.write_bytes(content)
    else:
        with closing(sqlite3.connect(other)) as foreign:
            foreign.execute("CREATE TABLE customer (name TEXT)")
    with pytest.raises(BackupError, match=message):
        restore(other, database)
    assert _names(database["NAME"]) == ["Anna", "Ben"]


def test_sqlite_backup_refuses_a_missing_database_or_folder_and_leaves_no_partial_file(tmp_path):
    _sqlite_only()
    database = _sqlite_database(tmp_path / "live.sqlite3")
    with pytest.raises(BackupError, match="does not exist"):
        backup(tmp_path / "missing-folder" / "copy.sqlite3", database)
    with pytest.raises(BackupError, match="does not exist"):
        backup(tmp_path / "copy.sqlite3", {"ENGINE": SQLITE, "NAME": str(tmp_path / "missing.sqlite3")})
    assert not list(tmp_path.glob("*copy*"))


def test_restore_of_a_missing_file_is_refused(tmp_path):
    with pytest.raises(BackupError, match="does not exist"):
        restore(tmp_path / "nothing.backup", {"ENGINE": SQLITE, "NAME": str(tmp_path / "live.sqlite3")})
    assert not (tmp_path / "live.sqlite3").exists()


# --- PostgreSQL -----------------------------------------------------------------------------------

def _pg_execute(settings_dict: dict, *statements: str) -> list[tuple]:
    """Run the statements; the rows of the last one that returns rows."""
    with pg_connect(settings_dict) as database:
        rows = []
        for statement in statements:
            cursor = database.execute(statement)
            rows = cursor.fetchall() if cursor.description else rows
        return rows


@pytest.mark.django_db
def test_postgresql_dump_and_restore_round_trip(tmp_path):
    _postgresql_only()
    with scratch_postgresql_database() as database:
        _pg_execute(database, "CREATE TABLE customer (name text)",
                    "INSERT INTO customer VALUES ('Anna'), ('Ben')")
        backup(tmp_path / "patron.dump", database)
        _pg_execute(database, "DELETE FROM customer", "INSERT INTO customer VALUES ('Changed')",
                    "CREATE TABLE added_later (id int)")
        # when
        restore(tmp_path / "patron.dump", database)
        # then
        assert _pg_execute(database, "SELECT name FROM customer ORDER BY name") == [("Anna",), ("Ben",)]
        assert (tmp_path / "patron.dump").read_bytes().startswith(b"PGDMP")  # pg_dump's custom format


@pytest.mark.django_db
def test_postgresql_tools_missing_give_a_clear_message(tmp_path, monkeypatch):
    _postgresql_only()
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump there
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup(tmp_path / "patron.dump", connection.settings_dict)
    assert not list(tmp_path.iterdir())
