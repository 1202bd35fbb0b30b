"""Running the real `patron` command in a child process against a scratch database.

The scratch database uses the engine of the test run: an SQLite file under the test's tmp_path, or
a PostgreSQL database `patron_cli_test_<random>` created on the test server and dropped afterwards
(never the test database itself).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.db import connection

SCRATCH_PREFIX = "patron_cli_test_"
TIMEOUT = 120


def patron(*args: str, env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `patron ARGS` like an admin would, returning its exit status and output."""
    return subprocess.run([sys.executable, "-m", "patron.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=TIMEOUT)


def patron_ok(*args: str, env: dict) -> str:
    result = patron(*args, env=env)
    assert result.returncode == 0, f"patron {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def environment(var_dir: Path, database_url: str) -> dict:
    """The environment of a child `patron`: its own var/ folder and database. The API's rate limits
    per token and address are off: the load runs send thousands of requests a minute from one token
    and one address, to measure the server (patron/api/tests/test_rate_limit.py tests the limits)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PATRON_")}
    return {**env, "PATRON_VAR_DIR": str(var_dir), "DATABASE_URL": database_url,
            "PATRON_API_RATE_LIMIT_TOKEN": "0", "PATRON_API_RATE_LIMIT_ADDRESS": "0"}


@contextmanager
def scratch_database_url(tmp_path: Path):
    """A URL of an empty database on the engine of this test run; removed afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    with scratch_postgresql_database() as settings_dict:
        yield postgresql_url(settings_dict)


@contextmanager
def scratch_postgresql_database(*, keep: bool = False):
    """Connection settings (Django's shape) of a new, empty PostgreSQL database; dropped afterwards
    unless ``keep`` (a benchmark's loaded data kept for later runs)."""
    server = connection.settings_dict
    name = f"{SCRATCH_PREFIX}{secrets.token_hex(4)}"
    # CREATE and DROP DATABASE run over a connection to the test database, which they leave alone.
    with pg_connect(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**server, "NAME": name}
    finally:
        if not keep:
            with pg_connect(server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_connect(settings_dict: dict) -> psycopg.Connection:
    """An autocommit connection to the PostgreSQL database of Django-shaped settings."""
    return psycopg.connect(host=settings_dict["HOST"] or None, port=settings_dict["PORT"] or None,
                           user=settings_dict["USER"] or None, password=settings_dict["PASSWORD"] or None,
                           dbname=settings_dict["NAME"], autocommit=True)


def postgresql_url(settings_dict: dict) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict["PASSWORD"] else ""
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def two_free_ports() -> int:
    """A free port whose next one is free too (a cluster's servers take ports in a row)."""
    while True:
        port = free_port()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port + 1)) != 0:
                return port


def logged_in(base: str, username: str, password: str):
    """A requests session logged in to the back office of the server at ``base``."""
    import requests

    session = requests.Session()
    session.get(f"{base}/login/")
    answer = session.post(f"{base}/login/", data={"username": username, "password": password,
                                                    "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert answer.ok and "/login/" not in answer.url
    return session
