"""/healthz and /readyz: alive, and ready (database reachable, migrations applied, registered checks)."""

import pytest
from django.db import connection, connections
from django.test import Client

from patron.ops import readiness

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_asking_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_on_a_migrated_database():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "queue": "ok"}


def test_readyz_fails_while_a_migration_is_not_applied():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'transfer' AND name = '0001_initial'")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "checks": {
        "database": "ok", "migrations": "1 migration(s) not applied", "queue": "ok"}}


def _unreachable_database():
    """A connection like the real one to a database that cannot be reached: a closed port on
    PostgreSQL, a folder that does not exist for SQLite."""
    broken = connections.create_connection("default")
    broken.settings_dict = dict(broken.settings_dict)
    if connection.vendor == "postgresql":
        broken.settings_dict.update(HOST="127.0.0.1", PORT="1")
    else:
        broken.settings_dict["NAME"] = "/nonexistent-folder/patron.sqlite3"
    return broken


def test_readyz_fails_when_the_database_cannot_be_reached(monkeypatch):
    broken = _unreachable_database()
    monkeypatch.setattr(readiness, "database_connection", lambda: broken)
    try:
        response = Client().get("/readyz")
    finally:
        broken.close()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert (checks["database"], checks["migrations"]) == ("OperationalError", "OperationalError")


def test_readyz_fails_while_due_jobs_wait_for_a_worker_too_long(settings):
    from datetime import timedelta

    from django.utils import timezone

    from patron.jobs.models import Job

    settings.PATRON_JOB_QUEUE_STALL_SECONDS = 60
    job = Job.objects.create(duty="duplicates.incremental_scan", run_after=timezone.now() - timedelta(seconds=30))
    assert Client().get("/readyz").status_code == 200
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=90))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"].startswith("a job has waited 9")


def test_a_registered_check_takes_part(monkeypatch):
    monkeypatch.setattr(readiness, "CHECKS", dict(readiness.CHECKS))
    readiness.register("queue", lambda: "oldest job waiting 900 s")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == "oldest job waiting 900 s"
    readiness.register("queue", lambda: None)
    assert Client().get("/readyz").status_code == 200
