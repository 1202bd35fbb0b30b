"""Reads from a real PostgreSQL streaming replica (patron/core/replicas.py): a primary and its
replica started on this machine (scripts/replica.py), two `patron serve` processes reading from
it. The replica's replay is paused to hold it behind the primary: what the lookup and the lists
then miss shows they read the replica; what the money checks, the change feed and a client that
just wrote see shows those read the primary."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import requests
from django.db import connection
from django.urls import reverse

from scripts.cluster import Cluster
from scripts.replica import ReplicaPair
from tests.cli_support import environment, logged_in, patron_ok, two_free_ports

PASSWORD = "replica-test-password"
READ_FROM = "X-Patron-Read-From"


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica is PostgreSQL's")
    var = tmp_path_factory.mktemp("replica")
    with ReplicaPair() as pair:
        env = {**environment(var / "var", pair.primary_url), "DATABASE_REPLICA_URL": pair.replica_url}
        patron_ok("migrate", env=env)
        subprocess.run([sys.executable, "-m", "patron.cli", "user", "create", "boss", "--role", "admin",
                        "--password-stdin"], input=f"{PASSWORD}\n{PASSWORD}\n", text=True, env=env, check=True,
                       capture_output=True)
        tokens = {name: patron_ok("token", "create", name, "--role", "admin", env=env).strip()
                  for name in ("writer", "reader")}
        with Cluster(env, servers=2, workers=0, first_port=two_free_ports()) as cluster:
            pair.wait_for_replay()
            yield pair, cluster, tokens


def _api(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def _create(session: requests.Session, base: str, last_name: str) -> str:
    answer = session.post(f"{base}/api/v1/customers", json={"kind": "person", "first_name": "Ada",
                                                            "last_name": last_name})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _lookup(session: requests.Session, base: str, text: str) -> tuple[list[str], str]:
    answer = session.get(f"{base}/api/v1/lookup", params={"q": text, "scope": "all"})
    assert answer.status_code == 200, answer.text
    return [item["customer"]["id"] for item in answer.json()["items"]], answer.headers[READ_FROM]


def _unique_name() -> str:
    return "Zq" + uuid.uuid4().hex[:8]


def test_lookups_and_lists_read_the_replica_money_checks_and_the_feed_the_primary(chain):
    pair, cluster, tokens = chain
    one, other = cluster.url(0), cluster.url(1)
    writer, reader = _api(tokens["writer"]), _api(tokens["reader"])
    cashier = logged_in(one, "boss", PASSWORD)
    name = _unique_name()
    pair.wait_for_replay()
    pair.pause_replay()
    try:
        created = _create(writer, one, name)
        # the replica has not replayed the new customer: another client's lookup and list miss it
        assert _lookup(reader, other, name) == ([], "replica")
        till = cashier.get(f"{other}{reverse('web:till')}", params={"q": name})
        assert till.status_code == 200 and till.headers[READ_FROM] == "replica"
        assert created not in till.text
        listed = reader.get(f"{other}/api/v1/customers", params={"q": name})
        assert listed.status_code == 200 and listed.json()["items"] == []
        assert listed.headers[READ_FROM] == "replica"
        exported = reader.get(f"{one}/api/v1/exports/customers", params={"format": "json"})
        assert exported.status_code == 200 and exported.headers[READ_FROM] == "replica"
        assert created not in exported.text
        # while the till's money check and the change feed read the primary and see it
        terms = reader.get(f"{other}/api/v1/customers/{created}/terms")
        assert terms.status_code == 200, terms.text
        assert READ_FROM not in terms.headers
        feed = reader.get(f"{other}/api/v1/changes")
        assert created in {item["id"] for item in feed.json()["items"]}
    finally:
        pair.resume_replay()
    pair.wait_for_replay()
    assert _lookup(reader, other, name) == ([created], "replica")
    till = cashier.get(f"{other}{reverse('web:till')}", params={"q": name})
    assert till.headers[READ_FROM] == "replica" and created in till.text


def test_a_client_reads_its_own_write_through_the_other_server(chain):
    pair, cluster, tokens = chain
    one, other = cluster.url(0), cluster.url(1)
    writer, reader = _api(tokens["writer"]), _api(tokens["reader"])
    name = _unique_name()
    manager_before = logged_in(one, "boss", PASSWORD)
    pair.wait_for_replay()
    pair.pause_replay()
    try:
        created = _create(writer, one, name)
        # the writer's next lookup, on the other server, waits for no replica: the primary answers
        assert _lookup(writer, other, name) == ([created], "primary")
        assert _lookup(reader, other, name) == ([], "replica")
        # a staff user who logs in (a write: the session, the last login) reads the primary too ...
        manager = logged_in(one, "boss", PASSWORD)
        page = manager.get(f"{other}/customers/", params={"q": name})
        assert page.status_code == 200 and page.headers[READ_FROM] == "primary"
        assert created in page.text
        # ... and one who has written nothing since the replica replayed reads the replica
        page = manager_before.get(f"{other}/customers/", params={"q": name})
        assert page.status_code == 200 and page.headers[READ_FROM] == "replica"
        assert created not in page.text
    finally:
        pair.resume_replay()
    pair.wait_for_replay()
    assert _lookup(writer, other, name) == ([created], "replica")


def test_reads_go_to_the_primary_when_the_replica_is_down(chain):
    pair, cluster, tokens = chain
    one, other = cluster.url(0), cluster.url(1)
    writer, reader = _api(tokens["writer"]), _api(tokens["reader"])
    name = _unique_name()
    created = _create(writer, one, name)
    pair.wait_for_replay()
    assert _lookup(reader, other, name) == ([created], "replica")  # the connection is open when it goes
    pair.stop_replica()
    # the reader has nothing to wait for, so its lookup is sent to the replica unasked, fails there
    # and is read again on the primary; the server then leaves the replica alone for a while
    for base in (one, other):
        assert _lookup(reader, base, name) == ([created], "primary")
        page = reader.get(f"{base}/api/v1/customers", params={"q": name})
        assert page.status_code == 200 and page.headers[READ_FROM] == "primary"
        assert [item["id"] for item in page.json()["items"]] == [created]
