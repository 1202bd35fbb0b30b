"""Database helpers shared by the apps: engine checks and the append-only guard.

Append-only tables (the audit trail now, ledgers later) are protected by triggers on both
engines. A deliberate rewrite, such as erasing personal data or emptying a test database, runs
inside ``append_only_unlocked()``: on SQLite the triggers ask the function ``patron_locked()``
that this module registers on each connection; on PostgreSQL they read the transaction-local
setting ``patron.unlocked``.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_unlocked = contextvars.ContextVar("patron_append_only_unlocked", default=False)


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@receiver(connection_created)
def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "patron_locked", 0, lambda: 0 if _unlocked.get() else 1, deterministic=False
        )


@contextmanager
def append_only_unlocked():
    """Allow UPDATE/DELETE on append-only tables for the duration of the block."""
    token = _unlocked.set(True)
    try:
        with transaction.atomic():
            _set_postgresql_unlocked("on")
            yield
            # Inside a larger transaction the setting would outlive the block; an exception
            # needs no reset because rolling back the savepoint undoes the setting.
            _set_postgresql_unlocked("")
    finally:
        _unlocked.reset(token)


def _set_postgresql_unlocked(value: str) -> None:
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('patron.unlocked', %s, true)", [value])


def append_only_trigger_sql(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """(forward, reverse) SQL statements that make a table refuse UPDATE and DELETE."""
    message = f"{table} is append-only"
    if vendor == "sqlite":
        forward = [
            f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
            f"WHEN patron_locked() BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for verb in ("update", "delete")
        ]
        reverse = [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]
        return forward, reverse
    function = f"{table}_append_only"
    forward = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            IF coalesce(current_setting('patron.unlocked', true), '') = 'on' THEN
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END IF;
            RAISE EXCEPTION '{message}';
        END $$ LANGUAGE plpgsql""",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]
    reverse = [f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}", f"DROP FUNCTION IF EXISTS {function}()"]
    return forward, reverse


def append_only_operation(table: str):
    """A migration operation installing the append-only triggers for the current engine."""
    from django.db import migrations

    def forward(apps, schema_editor):
        for statement in append_only_trigger_sql(table, schema_editor.connection.vendor)[0]:
            schema_editor.execute(statement)

    def reverse(apps, schema_editor):
        for statement in append_only_trigger_sql(table, schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement)

    return migrations.RunPython(forward, reverse)


def postgresql_only(forward: list[str], reverse: list[str]):
    """A migration operation that runs these statements on PostgreSQL and nothing on SQLite (what
    SQLite does already, or cannot express)."""
    from django.db import migrations

    def run(statements: list[str]):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)
        return operation

    return migrations.RunPython(run(forward), run(reverse))
