"""Database helpers shared by the apps: engine checks, the append-only guard, bulk inserts and
plain reads.

Append-only tables (the audit trail now, ledgers later) are protected by triggers on both
engines. A deliberate rewrite, such as erasing personal data or emptying a test database, runs
inside ``append_only_unlocked()``: on SQLite the triggers ask the function ``patron_locked()``
that this module registers on each connection; on PostgreSQL they read the transaction-local
setting ``patron.unlocked``.
"""

from __future__ import annotations

import contextvars
import sqlite3
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In
from django.dispatch import receiver

from patron.core.replicas import read_connection

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


@Field.register_lookup
@ForeignObject.register_lookup  # which does not inherit Field's lookups
class AnyOf(Lookup):
    """``field__any_of=values``: ``field__in`` for long lists of plain values (the thousands of
    ids a scan reads at a time). On PostgreSQL the list goes as one array parameter,
    ``= ANY(%s)``: for an IN list Django prepares every value and writes a placeholder for each,
    and psycopg parses them all again on every run, which cost more than running the query.
    Elsewhere it is ``__in``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Typed as the column is: an untyped list of numbers would be numeric[], compared by
        # casting every row's value (no index).
        return f"{lhs} = ANY(%s::{self.lhs.output_field.cast_db_type(connection)}[])", [*lhs_params, self.rhs]


# Prepared statements a PostgreSQL connection keeps (psycopg's default is 100): the lookup's
# statements differ by tier, word count and list length, and one evicted is planned again.
PREPARED_MAX = 1000
_NEVER_BY_COUNT = 2**31 - 1  # psycopg prepares by count after this many runs: never, only when asked


@receiver(connection_created)
def _allow_prepared_statements(sender, connection, **kwargs):
    """Django turns psycopg's prepared statements off (prepare_threshold None), and then a
    statement cannot be prepared even when asked; ``hot_cursor`` asks, nothing else does."""
    if connection.vendor == "postgresql":
        connection.connection.prepare_threshold = _NEVER_BY_COUNT
        connection.connection.prepared_max = PREPARED_MAX


@contextmanager
def hot_cursor():
    """A cursor for the statements every request runs, many times a second (the API token, the
    lookup, a till's page of customers). On PostgreSQL each is prepared once per connection with
    its parameters bound on the server, and runs a generic plan (settings: plan_cache_mode):
    planning one of these small statements took 0.2-1.2 ms, five to ten times running it, and a
    lookup runs several. Its rows come in binary, read by psycopg's C loaders: Django reads text
    timestamps in Python (a till's page has 20, the token 3). Elsewhere (SQLite keeps its own
    statement cache) Django's cursor. On the connection reads go to (``core.replicas``): the
    replica inside ``replica_reads``, else the primary."""
    database = read_connection()
    if database.vendor != "postgresql":
        with database.cursor() as cursor:
            yield cursor
        return
    from psycopg.pq import Format

    with _server_binding_cursor(database) as cursor:
        cursor.cursor.format = Format.BINARY
        yield cursor


def _server_binding_cursor(database):
    """Django's cursor (errors as Django names them, the query log), on the connection and in its
    transaction, over a psycopg cursor that binds parameters on the server (Django's own binds
    them in the client) and prepares the queries it runs."""
    database.ensure_connection()
    with database.wrap_database_errors:
        return database._prepare_cursor(_preparing_cursor_class()(database.connection))


# A statement hot_cursor is given starting with this is planned for its values instead: sent with
# them written in (bound, even unprepared, it would still get a generic plan), e.g. a LIKE on a
# trigram index.
PLANNED_FOR_ITS_VALUES = "/* planned for its values */ "


def refresh_statistics(models) -> None:
    """On PostgreSQL, ANALYZE the models' tables now (it reads a sample: seconds for millions of
    rows). The prepared statements' generic plans follow the statistics; after a large load
    autovacuum would take a minute or more to notice, and plans made from stale numbers can be
    a hundred times slower."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models))


def _preparing_cursor_class():
    global _PreparingCursor
    if _PreparingCursor is None:
        from django.db.backends.postgresql.base import ServerBindingCursor
        from psycopg import ClientCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                if query.startswith(PLANNED_FOR_ITS_VALUES):
                    query, params, prepare = ClientCursor(self.connection).mogrify(query, params), None, False
                # Only queries: a SET the lookup runs, or a bulk INSERT, is not worth a prepared statement.
                prepare = prepare if prepare is not None else query.lstrip()[:6].upper() in ("SELECT", "WITH R")
                return super().execute(query, params, prepare=prepare, binary=binary)

        _PreparingCursor = PreparingCursor
    return _PreparingCursor


_PreparingCursor = None


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
_NOTHING = object()
_MAX_PARAMETERS = 30_000  # under SQLite's 32,766 bound parameters and PostgreSQL's 65,535


def insert_many(objects: list, *, batch_rows: int = 2000) -> None:
    """``bulk_create`` for the bulk paths (imports, bulk loads): the same rows and primary keys set
    on the objects, without the ORM compiling every value of every row (most of bulk_create's
    time). Fields left unset get their defaults and auto_now values as the ORM would give them.
    Signals and save() are not run, as with bulk_create."""
    if not objects:
        return
    from django.utils import timezone

    meta = type(objects[0])._meta
    pk = meta.pk
    fields = [field for field in meta.concrete_fields if field is not pk or getattr(objects[0], pk.attname) is not None]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for item in objects:
                if field.auto_now or getattr(item, field.attname) is None:
                    setattr(item, field.attname, now)
    database = connections[DEFAULT_DB_ALIAS]
    if pk not in fields and database.vendor == "postgresql" and len(objects) > 1:
        # the keys taken from the table's sequence first, then the rows sent as a COPY: the server
        # takes COPY in about half the time of an INSERT returning the keys
        for item, key in zip(objects, _next_keys(database, meta, len(objects)), strict=True):
            setattr(item, pk.attname, key)
        fields = [pk, *fields]
    attnames = [field.attname for field in fields]
    keys = _insert(meta, fields, [[item.__dict__[name] for name in attnames] for item in objects],
                   returning=pk not in fields, batch_rows=batch_rows)
    for item, key in zip(objects, keys or [None] * len(objects), strict=True):
        if key is not None:
            setattr(item, pk.attname, key)
        item._state.adding, item._state.db = False, database.alias


def _next_keys(database, meta, count: int) -> list[int]:
    """``count`` new primary keys of the model's table, taken from its sequence (PostgreSQL)."""
    with database.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, count])
        return [key for (key,) in cursor.fetchall()]


def insert_values(model, rows: list[dict], *, batch_rows: int = 2000) -> None:
    """Insert rows given as {attname: value} (``customer_id``, not ``customer``) without making a
    model instance per row, for rows nobody reads back (an import's phones, links, log lines).
    Fields a row leaves out get their default or auto_now value."""
    if not rows:
        return
    from django.utils import timezone

    meta = model._meta
    given = list(dict.fromkeys(name for row in rows for name in row))  # rows may leave out different fields
    fields = [next(field for field in meta.concrete_fields if field.attname == name) for name in given]
    uneven = any(len(row) != len(given) for row in rows)
    missing = [field for field in meta.concrete_fields if field is not meta.pk and field.attname not in given]
    now = timezone.now()
    fixed, per_row = [], []
    for field in missing:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed.append(now)
        elif callable(field.default):
            fixed.append(None)
            per_row.append((len(fixed) - 1, field))
        else:
            fixed.append(field.get_default())
    values = []
    for row in rows:
        extra = list(fixed)
        for index, field in per_row:
            extra[index] = field.get_default()
        if uneven:
            values.append([row[field.attname] if field.attname in row else field.get_default() for field in fields]
                          + extra)
        else:
            values.append([row[name] for name in given] + extra)
    _insert(meta, fields + missing, values, returning=False, batch_rows=batch_rows)


def _insert(meta, fields: list, rows: list[list], *, returning: bool, batch_rows: int) -> list | None:
    """INSERT rows of values for ``fields`` (converted as the ORM would), many rows per statement
    (on PostgreSQL a COPY when no keys are wanted); with ``returning``, the new primary keys in the
    rows' order."""
    database = connections[DEFAULT_DB_ALIAS]  # the object itself: the module's proxy costs a lookup per use
    convert = [(index, field.get_db_prep_save) for index, field in enumerate(fields)
               if field.get_internal_type() not in _PLAIN_TYPES]
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    per_batch = max(1, min(batch_rows, _MAX_PARAMETERS // len(fields)))
    unnest = ", ".join(f"(%s)::{field.db_type(database).split('(')[0]}[]" for field in fields) \
        if database.vendor == "postgresql" and len(rows) > 1 else ""
    keys = [] if returning else None
    copying = database.vendor == "postgresql" and not returning
    # the last value converted per column: rows share many (the same "now", a default), and the
    # same object converts to the same value
    last = [(_NOTHING, None)] * len(fields)
    # on PostgreSQL the arrays are bound on the server: sent in binary, dumped in C (a client-bound
    # array is quoted element by element in Python)
    with (_server_binding_cursor(database) if unnest else database.cursor()) as cursor:
        for start in range(0, len(rows), per_batch):
            batch = rows[start:start + per_batch]
            for values in batch:
                for index, prepare in convert:
                    value = values[index]
                    before, after = last[index]
                    if value is not before:
                        after = prepare(value, database)
                        last[index] = (value, after)
                    values[index] = after
            if copying:  # rows nobody reads back: COPY, which the server takes in about half the time
                # of the same rows as an INSERT of arrays (the audit trail's, an import's biggest table)
                with database.wrap_database_errors, cursor.cursor.copy(
                        f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                    for values in batch:
                        copy.write_row(values)
                continue
            if unnest:  # a column per array: a short statement (thousands of %s took psycopg longer to
                # split than the server took to insert), the rows in order, as Django's bulk_create does
                sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT * FROM unnest({unnest})"
                params = [list(column) for column in zip(*batch, strict=True)]
            else:
                mark = "?" if database.vendor == "sqlite" else "%s"
                row = "(" + ", ".join([mark] * len(fields)) + ")"
                sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES " + ", ".join([row] * len(batch))
                params = [value for values in batch for value in values]
            if returning:
                sql += f" RETURNING {quote(meta.pk.column)}"
            if database.vendor == "sqlite":
                _execute_as_written(database, cursor, sql, params)
            else:
                cursor.execute(sql, params)
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def _execute_as_written(database, cursor, sql: str, params: list) -> None:
    """Run a statement with SQLite's own ? marks as it is: Django's cursor rewrites %s marks with a
    regular expression, in Python, which for a statement of a thousand rows costs a good part of
    what SQLite takes to run it. Errors are Django's, as from Django's cursor."""
    with database.wrap_database_errors:
        sqlite3.Cursor.execute(cursor.cursor, sql, params)


class PlainRead:
    """A hot read of model columns as one SELECT written once per process, with the converters
    the ORM would apply to each column. For the reads every request makes (the API token, a till's
    page of customers), where compiling the ORM's query anew cost more than running it.

    ``columns`` are (key, model, field name, table alias); ``source`` is the FROM clause that
    gives the aliases; ``computed(vendor)`` may add (key, SQL expression) columns, read as the
    driver returns them. ``rows(where, params)`` returns dicts by key, as ``values()`` would.
    """

    def __init__(self, columns: list[tuple[str, type, str, str]], source: str, computed=None):
        self.columns, self.source, self.computed = columns, source, computed
        self._compiled: dict[str, tuple[str, list]] = {}

    def rows(self, where: str, params: list) -> list[dict]:
        with hot_cursor() as cursor:
            cursor.execute(f"{self.select()} WHERE {where}", params)
            return self.converted(cursor.fetchall())

    def select(self) -> str:
        """The SELECT without a WHERE (for ``rows``, or to put inside another statement)."""
        return self._compile()[0]

    def converted(self, fetched) -> list[dict]:
        """Rows of ``select`` (tuples, as fetched) as ``rows`` returns them."""
        converters = self._compile()[1]
        rows = []
        for values in fetched:
            row = {}
            for (key, column, steps), value in zip(converters, values, strict=True):
                for convert in steps:
                    value = convert(value, column, connection)
                row[key] = value
            rows.append(row)
        return rows

    def _compile(self) -> tuple[str, list]:
        if connection.vendor not in self._compiled:
            names, converters = [], []
            for key, model, field_name, alias in self.columns:
                column = model._meta.get_field(field_name).get_col(alias)
                names.append(f"{alias}.{connection.ops.quote_name(column.target.column)}")
                converters.append((key, column, [*connection.ops.get_db_converters(column),
                                                 *column.get_db_converters(connection)]))
            for key, expression in self.computed(connection.vendor) if self.computed else ():
                names.append(expression)
                converters.append((key, None, []))
            self._compiled[connection.vendor] = (f"SELECT {', '.join(names)} FROM {self.source}", converters)
        return self._compiled[connection.vendor]


def model_columns(model, alias: str, prefix: str = "") -> list[tuple[str, type, str, str]]:
    """Every concrete column of ``model`` for a PlainRead, keyed by attribute name (with ``prefix``)."""
    return [(f"{prefix}{field.attname}", model, field.name, alias) for field in model._meta.concrete_fields]


def model_from_row(model, row: dict, prefix: str = ""):
    """An instance of ``model`` as loaded from the database, from a PlainRead row of its
    ``model_columns`` (with the same ``prefix``)."""
    fields = model._meta.concrete_fields
    return model.from_db(DEFAULT_DB_ALIAS, [field.attname for field in fields],
                         [row[f"{prefix}{field.attname}"] for field in fields])
