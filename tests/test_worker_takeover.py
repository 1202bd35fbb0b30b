"""An import queued for the workers (as the back office queues it), its `patron worker` killed with
SIGKILL mid-run, is taken over by a second worker once the first one's heartbeat is silent, and
ends with every row imported exactly once: the same data as an import never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.cli_support import patron_ok
from tests.test_import_crash import BATCH, ROWS, _checksum, _query, _site, _state, _write_file

pytestmark = pytest.mark.django_db

QUEUE_IMPORT = ("from patron.core.actors import system_actor; from patron.transfer.imports import jobs; "
                "job = jobs.create_job(actor=system_actor(), source={source!r}, file_name='customers.csv', "
                "mapping={{'account': 'account_number', 'first_name': 'first_name', 'last_name': 'last_name', "
                "'email': 'email', 'opening_balance': 'opening_balance'}}, match_key='account_number', "
                "batch_size={batch}); jobs.start_in_background(job, check=False)")
FAST_BEATS = {"PATRON_JOB_HEARTBEAT_SECONDS": "0.2", "PATRON_JOB_STALE_SECONDS": "2"}


def _worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "patron.cli", "worker", "--poll", "0.1", *args],
                            env={**env, **FAST_BEATS}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _queue_job(url: str) -> tuple:
    return _query(url, "SELECT status, attempts, worker FROM jobs_job WHERE duty = 'import.run'")[0]


def test_a_worker_killed_mid_import_is_taken_over_and_nothing_is_imported_twice(tmp_path):
    source = tmp_path / "customers.csv"
    _write_file(source)
    with _site(tmp_path, "clean") as (clean_url, clean_env):
        patron_ok("import", "customers", str(source), "--map", "account=account_number", "--map",
                  "opening_balance=opening_balance", "--batch-size", str(BATCH), "--quiet", env=clean_env)
        expected = _checksum(clean_url)

    with _site(tmp_path, "cluster") as (url, env):
        patron_ok("manage", "shell", "-c", QUEUE_IMPORT.format(source=str(source), batch=BATCH), env=env)
        assert _queue_job(url)[0] == "queued"
        first = _worker(env)
        deadline = time.monotonic() + 120
        while _state(url)["job"][0] < 5 * BATCH and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        committed = _state(url)["job"][0]
        assert BATCH * 5 <= committed < ROWS  # killed mid-import
        status, attempts, dead_worker = _queue_job(url)
        assert (status, attempts) == ("running", 1)

        time.sleep(float(FAST_BEATS["PATRON_JOB_STALE_SECONDS"]) + 0.5)  # the dead worker's heartbeat goes stale
        second = _worker(env, "--burst")  # takes the job over
        out, err = second.communicate(timeout=180)
        assert second.returncode == 0, err
        status, attempts, worker = _queue_job(url)
        assert (status, attempts) == ("done", 2) and worker != dead_worker
        assert _query(url, "SELECT status, committed_rows FROM transfer_importjob")[0] == ("done", ROWS)
        assert _checksum(url) == expected
        assert _query(url, "SELECT count(*), count(DISTINCT row_number) FROM transfer_importrow")[0] == (ROWS, ROWS)
