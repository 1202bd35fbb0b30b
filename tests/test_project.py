"""Project-wide checks: migrations match the models, settings are safe, SQLite runs as documented."""

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_sqlite_connection_settings_match_the_documented_durability():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        pragmas = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                   for name in ("foreign_keys", "busy_timeout", "synchronous")}
    assert pragmas == {"foreign_keys": 1, "busy_timeout": 30000, "synchronous": 2}  # 2 = FULL
    assert connection.transaction_mode == "IMMEDIATE"


def test_sqlite_file_database_uses_wal(tmp_path):
    import sqlite3

    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    with sqlite3.connect(tmp_path / "probe.sqlite3") as probe:
        for statement in database["OPTIONS"]["init_command"].split(";"):
            if statement.strip():
                probe.execute(statement)
        assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.django_db
def test_postgresql_commits_synchronously():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


def test_secret_key_is_kept_under_var_and_private():
    import os
    import stat

    from django.conf import settings

    key_file = settings.VAR_DIR / "secret_key"
    if os.environ.get("PATRON_SECRET_KEY"):
        pytest.skip("secret key comes from the environment")
    assert key_file.read_text().strip() == settings.SECRET_KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
