"""``python -m bench.engine_time ARGS``: ``patron ARGS`` with the database engine's own CPU time
counted, for make bench-import's floor: the most rows a second one writing process could reach if
its Python took no time at all.

- SQLite runs inside the process: the time is this thread's CPU time spent inside SQLite's
  statements and commits, counted at the three doors the import's statements go through (Django's
  cursor, ``core.db``'s multi-row insert that skips Django's cursor, the commit).
- PostgreSQL runs in its own server process: the time is the CPU time (user and system) of the
  server process that serves this connection, read from /proc (the bench's server is local).

It prints ``engine-cpu-seconds=S`` on stderr when the command ends. The checking workers of
``--jobs`` have connections of their own, which are not counted: they only read.
"""

from __future__ import annotations

import os
import sys
import time

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    from django.db import connection

    report = _count_sqlite() if connection.vendor == "sqlite" else _count_postgresql(connection)
    from patron.cli.main import main as patron

    status = patron(sys.argv[1:])
    print(f"engine-cpu-seconds={report():.3f}", file=sys.stderr)
    return status


def _count_sqlite():
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from patron.core import db

    spent = [0.0]

    def counted(function):
        def call(*args, **kwargs):
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.thread_time() - started
        return call

    SQLiteCursorWrapper.execute = counted(SQLiteCursorWrapper.execute)
    SQLiteCursorWrapper.executemany = counted(SQLiteCursorWrapper.executemany)
    db._execute_as_written = counted(db._execute_as_written)
    BaseDatabaseWrapper._commit = counted(BaseDatabaseWrapper._commit)
    return lambda: spent[0]


def _count_postgresql(connection):
    from django.db.backends.postgresql.base import DatabaseWrapper

    spent, open_servers = [0.0], {}  # server process id -> its CPU seconds when this process connected

    def note_server(wrapper) -> None:
        with wrapper.connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (server,) = cursor.fetchone()
        open_servers[id(wrapper)] = (server, _cpu_seconds(server))

    def settle(wrapper) -> None:
        server, started = open_servers.pop(id(wrapper), (None, 0.0))
        if server is not None:
            spent[0] += _cpu_seconds(server) - started

    connect, close = DatabaseWrapper.connect, DatabaseWrapper._close

    def counted_connect(wrapper):
        connect(wrapper)
        note_server(wrapper)

    def counted_close(wrapper):
        settle(wrapper)  # before the server process ends with the connection
        close(wrapper)

    DatabaseWrapper.connect, DatabaseWrapper._close = counted_connect, counted_close
    if connection.connection is not None:
        note_server(connection)

    def report() -> float:
        for wrapper_id, (server, started) in list(open_servers.items()):
            now = _cpu_seconds(server)
            spent[0] += now - started
            open_servers[wrapper_id] = (server, now)
        return spent[0]

    return report


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
