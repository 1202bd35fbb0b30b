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

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
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


# --- inserting many rows ----------------------------------------------------------------------------

# Column types whose Python value the drivers store as the ORM would, with no conversion: the
# other fields (UUID, JSON, decimal, date and time) go through the field's own get_db_prep_save.
_PLAIN_TYPES = ("CharField", "TextField", "SlugField", "EmailField", "IntegerField", "BigIntegerField",
                "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
                "BooleanField", "ForeignKey", "OneToOneField", "AutoField", "BigAutoField")
_MAX_PARAMETERS = 30_000  # under SQLite's 32,766 bound parameters and PostgreSQL's 65,535


def insert_many(objects: list, *, batch_rows: int = 2000) -> None:
    """``bulk_create`` for the bulk paths (imports, bulk loads): the same rows and primary keys set
    on the objects, without the ORM compiling every value of every row (most of bulk_create's
    time). Fields left unset get their defaults and auto_now values as the ORM would give them.
    Signals and save() are not run, as with bulk_create."""
    if not objects:
        return
    from django.utils import timezone

    model = type(objects[0])
    meta = model._meta
    pk = meta.pk
    fields = [field for field in meta.concrete_fields if field is not pk or getattr(objects[0], pk.attname) is not None]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for item in objects:
                if field.auto_now or getattr(item, field.attname) is None:
                    setattr(item, field.attname, now)
    database = connections[DEFAULT_DB_ALIAS]  # the object itself: the module's proxy costs a lookup per use
    convert = [None if field.get_internal_type() in _PLAIN_TYPES else field.get_db_prep_save for field in fields]
    plain = all(converter is None for converter in convert)
    columns = ", ".join(database.ops.quote_name(field.column) for field in fields)
    attnames = [field.attname for field in fields]
    returning = pk not in fields
    per_batch = max(1, min(batch_rows, _MAX_PARAMETERS // len(fields)))
    with database.cursor() as cursor:
        for start in range(0, len(objects), per_batch):
            batch = objects[start:start + per_batch]
            params = []
            for item in batch:
                values = item.__dict__
                if plain:
                    params.extend([values[name] for name in attnames])
                    continue
                for name, converter in zip(attnames, convert, strict=True):
                    value = values[name]
                    params.append(value if converter is None else converter(value, database))
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql = f"INSERT INTO {database.ops.quote_name(meta.db_table)} ({columns}) VALUES " + ", ".join(
                [row] * len(batch))
            if returning:
                sql += f" RETURNING {database.ops.quote_name(pk.column)}"
            cursor.execute(sql, params)
            if returning:
                for item, (key,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(item, pk.attname, key)
    for item in objects:
        item._state.adding, item._state.db = False, database.alias
