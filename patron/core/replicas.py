"""Reads from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``), where it is safe.

Every read goes to the primary unless it runs in a view (or a view's helper taking the
request) marked ``@reads_from_replica``: the till's lookup, the customer list and the exports,
the reads that are many and may be a moment old. Money checks, the change feed, writes and everything else stay on
the primary, where a decision sees what is committed now.

A client that wrote reads its own write: a request that wrote remembers the primary's WAL
position after it (for a staff user in the session, for an API token on its row: both live in
the primary, so every server sees them), and a replica read first asks the replica whether it
has replayed that far; if not, or if the replica cannot be reached, the read goes to the primary.
A replica is never the reason a request fails (docs/operations.md, "Running a chain").
"""

from __future__ import annotations

import contextvars
import re
import time
from contextlib import contextmanager
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import StreamingHttpResponse

REPLICA = "replica"
READ_FROM_HEADER = "X-Patron-Read-From"  # "replica" or "primary", on the answers of replica_reads
SESSION_KEY = "patron_written_position"
# After the replica failed to answer, this process reads the primary for this long before trying it
# again: a replica that is down would otherwise cost every lookup a failed connection attempt.
RETRY_AFTER_SECONDS = 5.0

_read_alias = contextvars.ContextVar("patron_read_alias", default=DEFAULT_DB_ALIAS)
_watch = contextvars.ContextVar("patron_write_watch", default=None)
_replica_down_until = 0.0


class ReplicaRouter:
    """Django's database router: reads where ``replica_reads`` chose, writes to the primary."""

    def db_for_read(self, model, **hints):
        return _read_alias.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first, second, **hints):
        return True  # the replica holds the primary's rows: an object read there is the same row

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica follows the primary's schema; it cannot be written


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_connection():
    """The connection that reads go to here and now: for the raw SQL of the lookup and the exports,
    which the router does not see."""
    return connections[_read_alias.get()]


@contextmanager
def replica_reads(request):
    """Reads inside go to the replica when it has replayed what this client wrote, else to the
    primary. The choice is noted on the request (``read_from``, sent as X-Patron-Read-From)."""
    alias = _choose(written_position(request))
    request.read_from = "replica" if alias == REPLICA else "primary"
    with _reading(alias):
        yield alias


def reads_from_replica(view):
    """The view's reads go where ``replica_reads`` chooses (its first argument is the request);
    a view whose replica read failed
    (the replica went away mid-request) runs again on the primary, and a streamed answer (an
    export) keeps reading where its view did while it is sent."""

    @wraps(view)
    def scoped(request, *args, **kwargs):
        with replica_reads(request) as alias:
            try:
                response = view(request, *args, **kwargs)
            except DatabaseError:
                if alias != REPLICA:
                    raise
                # A read that failed on the replica (gone away, or a query cancelled by replay)
                # is read again on the primary: the view only reads, and a fault of its own fails
                # there too.
                if not _replica_answers():
                    _mark_replica_down()
                alias, request.read_from = DEFAULT_DB_ALIAS, "primary"
                with _reading(DEFAULT_DB_ALIAS):
                    response = view(request, *args, **kwargs)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _streamed_from(alias, response.streaming_content)
        return response

    return scoped


def written_position(request) -> str | None:
    """The primary's WAL position after this client's last write (None: none remembered). An API
    token (django-ninja's ``request.auth``, staff.ApiToken) keeps it on its row, a staff user in
    the session."""
    token = getattr(request, "auth", None)
    if token is not None:
        return token.written_position or None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return request.session.get(SESSION_KEY)


class ReadYourWritesMiddleware:
    """After a request that wrote to the primary, remember the primary's WAL position for its
    client, so that client's next replica read waits for (or skips) a replica that is behind.
    Placed inside SessionMiddleware: the session's own save is not a write the client reads back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        watch = {"wrote": False}
        token = _watch.set(watch)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(_note_writes):
                response = self.get_response(request)
        finally:
            _watch.reset(token)
        if watch["wrote"]:
            _remember(request, _primary_position())
        if getattr(request, "read_from", None):
            response[READ_FROM_HEADER] = request.read_from
        return response


@contextmanager
def not_read_back():
    """Writes inside are bookkeeping no client reads back (a token's last-used time): they do not
    make the client's next reads wait for the replica."""
    watch = _watch.get()
    if watch is None:
        yield
        return
    wrote = watch["wrote"]
    try:
        yield
    finally:
        watch["wrote"] = wrote


_READS = frozenset({"SELECT", "SET", "RESET", "SHOW", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT",
                    "EXPLAIN"})
_LEADING_COMMENT = re.compile(r"\s*(/\*.*?\*/\s*)*", re.DOTALL)
_FIRST_WORD = re.compile(r"\w*")
_CHANGES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def _note_writes(execute, sql, params, many, context):
    watch = _watch.get()
    if watch is not None and not watch["wrote"] and _writes(sql):
        watch["wrote"] = True
    return execute(sql, params, many, context)


def _writes(sql: str) -> bool:
    """Whether a statement may change data: anything but a read, or a WITH whose parts change rows."""
    text = sql[_LEADING_COMMENT.match(sql).end():]
    first = _FIRST_WORD.match(text).group(0).upper()
    if first == "WITH":
        return bool(_CHANGES.search(text))
    return first not in _READS


def _primary_position() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        # The insert position, not the flush one: it is at or past the end of every commit made.
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


def _remember(request, position: str) -> None:
    token = getattr(request, "auth", None)
    if token is not None:
        type(token).objects.filter(pk=token.pk).update(written_position=position)
        token.written_position = position
    elif getattr(request, "session", None) is not None and request.user.is_authenticated:
        request.session[SESSION_KEY] = position


def _choose(position: str | None) -> str:
    """The replica when it is configured, not found down lately and has replayed ``position``;
    else the primary. A client with nothing to wait for is not asked about: the read itself finds
    a replica that went away (``reads_from_replica`` reads the primary then), and the question
    would cost every lookup a round trip."""
    if not replica_configured() or time.monotonic() < _replica_down_until:
        return DEFAULT_DB_ALIAS
    if position is None:
        return REPLICA
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            in_recovery, caught_up = cursor.fetchone()
    except DatabaseError:
        _mark_replica_down()
        return DEFAULT_DB_ALIAS
    # Not in recovery: a database that is no standby (a promoted replica, the tests' mirror) is current.
    return REPLICA if caught_up or not in_recovery else DEFAULT_DB_ALIAS


def _replica_answers() -> bool:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def _mark_replica_down() -> None:
    global _replica_down_until
    _replica_down_until = time.monotonic() + RETRY_AFTER_SECONDS
    connections[REPLICA].close()  # a broken connection is not reused; the next try opens a new one


@contextmanager
def _reading(alias: str):
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


def _streamed_from(alias: str, pieces):
    iterator = iter(pieces)
    while True:
        with _reading(alias):
            try:
                piece = next(iterator)
            except StopIteration:
                return
        yield piece
