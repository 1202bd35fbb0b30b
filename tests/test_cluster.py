"""The chain's topology on one machine (scripts/cluster.py, `make cluster`): two `patron serve` and
two `patron worker` processes on one PostgreSQL primary with a streaming replica (scripts/replica.py),
which the lookups read. An import uploaded through one server is
watched through the other; the worker running it is killed with SIGKILL mid-run and the other
worker finishes it, no row twice; a webhook receiver on loopback gets every customer's event, in
order, and the import's end."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time

import psycopg
import pytest
import requests
from django.db import connection

from patron.events.tests.receiver import Receiver
from scripts.cluster import Cluster
from scripts.replica import ReplicaPair
from tests.cli_support import environment, logged_in, patron_ok, two_free_ports

pytestmark = pytest.mark.django_db
ROWS = 2500
PASSWORD = "cluster-test-password"


def _write_shopify_export(path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Customer ID", "First Name", "Last Name", "Email", "Phone"])
        for number in range(1, ROWS + 1):
            writer.writerow([f"99{number:08}", f"First{number}", f"Last{number}", f"c{number}@example.com",
                             f"+3161{number:07}"])


def _csrf(session: requests.Session, page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(page).text).group(1)


def _query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        return db.execute(sql).fetchall()


def test_two_servers_and_two_workers_share_an_import_and_survive_a_killed_worker(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a cluster shares one PostgreSQL database")
    receiver = Receiver()
    with ReplicaPair() as pair:
        url = pair.primary_url
        env = {**environment(tmp_path / "var", url), "DATABASE_REPLICA_URL": pair.replica_url,
               "PATRON_JOB_HEARTBEAT_SECONDS": "0.2", "PATRON_JOB_STALE_SECONDS": "2"}
        patron_ok("migrate", env=env)
        subprocess.run([sys.executable, "-m", "patron.cli", "user", "create", "boss", "--role", "admin",
                        "--password-stdin"], input=f"{PASSWORD}\n{PASSWORD}\n", text=True, env=env, check=True,
                       capture_output=True)
        token = patron_ok("token", "create", "Integrator", "--role", "admin", env=env).strip()
        with Cluster(env, servers=2, workers=2, first_port=two_free_ports()) as cluster:
            one, other = cluster.url(0), cluster.url(1)
            # an integrator subscribes through one server
            subscribed = requests.post(f"{one}/api/v1/webhooks", headers={"Authorization": f"Bearer {token}"},
                                       json={"url": receiver.url, "event_types": ["customer.created",
                                                                                  "import.finished"]})
            assert subscribed.status_code == 201, subscribed.text
            # a manager uploads an import through that server and starts it
            source = tmp_path / "shopify.csv"
            _write_shopify_export(source)
            session = logged_in(one, "boss", PASSWORD)
            start = f"{one}/customers/import/"
            with open(source, "rb") as upload:
                page = session.post(start, data={"csrfmiddlewaretoken": _csrf(session, start)},
                                    files={"file": ("shopify.csv", upload, "text/csv")})
            job = int(re.search(r"/customers/import/(\d+)/", page.url).group(1))
            run = session.post(f"{one}/customers/import/{job}/run/",
                               data={"csrfmiddlewaretoken": _csrf(session, page.url)})
            assert run.ok
            # the worker that took it is killed once a batch is in
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                committed = _query(url, f"SELECT committed_rows FROM transfer_importjob WHERE id = {job}")[0][0]
                running = _query(url, "SELECT worker FROM jobs_job WHERE duty = 'import.run' AND status = 'running'")
                if committed and running:
                    break
                time.sleep(0.05)
            [(victim,)] = running
            cluster.kill(victim)
            assert _query(url, f"SELECT committed_rows FROM transfer_importjob WHERE id = {job}")[0][0] < ROWS
            # the other server shows the progress; the other worker takes the job over and ends it
            watcher = logged_in(other, "boss", PASSWORD)
            while time.monotonic() < deadline:
                progress = watcher.get(f"{other}/customers/import/{job}/progress/")
                assert progress.status_code == 200
                if _query(url, f"SELECT status FROM transfer_importjob WHERE id = {job}")[0][0] == "done":
                    break
                time.sleep(0.2)
            assert _query(url, f"SELECT status, created_count, rejected_count FROM transfer_importjob "
                               f"WHERE id = {job}")[0] == ("done", ROWS, 0)
            assert _query(url, "SELECT count(*), count(DISTINCT row_number) FROM transfer_importrow")[0] == (
                ROWS, ROWS)
            assert _query(url, "SELECT attempts, worker FROM jobs_job WHERE duty = 'import.run'")[0][0] == 2
            # a till's lookup through either server reads the replica, once it has replayed the import
            pair.wait_for_replay()
            for base in (one, other):
                found = requests.get(f"{base}/api/v1/lookup", params={"q": f"Last{ROWS}", "scope": "all"},
                                     headers={"Authorization": f"Bearer {token}"})
                assert found.status_code == 200 and found.headers["X-Patron-Read-From"] == "replica"
                assert [item["customer"]["last_name"] for item in found.json()["items"]] == [f"Last{ROWS}"]
            # every customer's event arrived, and the import's end after them
            while time.monotonic() < deadline and not any(
                    item["payload"]["type"] == "import.finished" for item in receiver.received):
                time.sleep(0.2)
        created = {item["id"] for item in receiver.received if item["payload"]["type"] == "customer.created"}
        assert len(created) == ROWS
        kinds = [item["payload"]["type"] for item in receiver.received if item["status"] < 300]
        assert kinds[-1] == "import.finished"
    receiver.stop()

