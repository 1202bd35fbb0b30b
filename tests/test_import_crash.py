"""Test D4: an import killed with SIGKILL at random points and resumed each time ends exactly like
an import that was never interrupted: only whole batches after each kill, no row imported twice,
opening balances posted once.

The real `patron import` runs in a child process against a scratch database of the test run's
engine; the test reads the database directly while the child works, and kills it mid-batch.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from decimal import Decimal

import psycopg
import pytest

from tests.cli_support import environment, patron_ok, scratch_database_url

pytestmark = pytest.mark.django_db

ROWS = 2000
BATCH = 100
KILLS = 4
CREDIT_ON = ("from patron.core.actors import system_actor; from patron.credit.actions import set_credit_enabled; "
             "set_credit_enabled(actor=system_actor(), is_enabled=True)")


def _write_file(path) -> None:
    rng = random.Random(4)
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["account", "first_name", "last_name", "email", "opening_balance"])
        for number in range(1, ROWS + 1):
            balance = f"{rng.choice([-1, 1]) * rng.randint(1, 50000) / 100:.2f}" if number % 3 == 0 else ""
            writer.writerow([f"D4-{number:05}", f"First{number}", f"Last{rng.randint(1, 999)}",
                             f"d4.{number}@example.com", balance])


@contextmanager
def _site(tmp_path, name: str):
    with scratch_database_url(tmp_path / name) as url:
        (tmp_path / name).mkdir(exist_ok=True)
        env = environment(tmp_path / name / "var", url)
        patron_ok("migrate", env=env)
        patron_ok("manage", "shell", "-c", CREDIT_ON, env=env)
        yield url, env


def _query(url: str, sql: str) -> list[tuple]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True, timeout=30) as db:
            return db.execute(sql).fetchall()
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        return db.execute(sql).fetchall()


def _state(url: str) -> dict:
    job = _query(url, "SELECT committed_rows, batches_committed, created_count FROM transfer_importjob")
    return {
        "job": job[0] if job else (0, 0, 0),
        "import_rows": _query(url, "SELECT count(*) FROM transfer_importrow")[0][0],
        "customers": _query(url, "SELECT count(*) FROM customers_customer")[0][0],
        "entries": _query(url, "SELECT count(*) FROM credit_ledgerentry")[0][0],
    }


def _checksum(url: str) -> tuple[int, str]:
    """A digest of every imported customer as stored: account, names, e-mail, balance."""
    rows = _query(url, """
        SELECT c.account_number, c.first_name, c.last_name, e.address, coalesce(a.balance, 0),
               (SELECT count(*) FROM credit_ledgerentry l WHERE l.account_id = a.id)
        FROM customers_customer c
        JOIN customers_customeremail e ON e.customer_id = c.id
        LEFT JOIN credit_creditaccount a ON a.customer_id = c.id
        ORDER BY c.account_number""")
    text = "\n".join("|".join(str(Decimal(str(value)).quantize(Decimal("0.01"))) if index == 4 else str(value)
                              for index, value in enumerate(row)) for row in rows)
    return len(rows), hashlib.sha256(text.encode()).hexdigest()


def _start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "patron.cli", "import", *args, "--quiet"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when_committed(process: subprocess.Popen, url: str, rows: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            committed = _state(url)["job"][0]
        except (sqlite3.OperationalError, psycopg.Error):  # the tables are not there yet
            committed = 0
        if committed >= rows:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait(timeout=60)


def test_an_import_killed_and_resumed_equals_one_never_interrupted(tmp_path):
    source = tmp_path / "customers.csv"
    _write_file(source)
    file_args = ["customers", str(source), "--map", "account=account_number", "--map",
                 "opening_balance=opening_balance", "--batch-size", str(BATCH)]
    points = sorted(random.Random(2026).sample(range(BATCH, ROWS - BATCH, BATCH // 2), KILLS))

    with _site(tmp_path, "clean") as (clean_url, clean_env):
        patron_ok("import", *file_args, "--quiet", env=clean_env)
        expected = _checksum(clean_url)

    with _site(tmp_path, "crashed") as (url, env):
        kills = 0
        for number, point in enumerate(points):
            process = _start(file_args if number == 0 else ["resume", "1"], env)
            _kill_when_committed(process, url, point)
            kills += process.returncode == -signal.SIGKILL
            # only whole batches: the job names the last one, and the data holds exactly those rows
            state = _state(url)
            committed, batches, created = state["job"]
            assert committed == batches * BATCH and committed >= point
            assert state["import_rows"] == committed == created == state["customers"]
            assert state["entries"] == sum(1 for row in range(1, committed + 1) if row % 3 == 0)
        patron_ok("import", "resume", "1", env=env)
        assert _checksum(url) == expected
        assert _query(url, "SELECT count(*), count(DISTINCT lower(account_number)) FROM customers_customer")[0] == (
            ROWS, ROWS)
        assert _query(url, "SELECT status, committed_rows FROM transfer_importjob")[0] == ("done", ROWS)
    assert expected[0] == ROWS
    assert kills == KILLS  # each run really was killed mid-import
