"""The job queue's rules on the test run's engine: queued in the caller's transaction, run once,
retried with backoff, taken over when a worker stops beating, periodic duties never twice at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from patron.core.errors import ValidationFailed
from patron.jobs import actions, queries
from patron.jobs.models import Job, JobStatus, PeriodicDuty
from patron.jobs.registry import DUTIES, duty
from patron.jobs.worker import Worker

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@pytest.fixture(autouse=True)
def test_duties():
    CALLS.clear()

    @duty("test.record", max_attempts=2)
    def record(job, **arguments):
        CALLS.append({"attempt": job.attempts, **arguments})

    @duty("test.broken", max_attempts=2)
    def broken(job, **arguments):
        raise RuntimeError("the shop's server said no")

    @duty("test.every_minute", every=timedelta(minutes=1))
    def every_minute(job):
        CALLS.append({"periodic": True})

    yield
    for name in ("test.record", "test.broken", "test.every_minute"):
        DUTIES.pop(name)


def _only_test_periodic(monkeypatch):
    """The shop's own periodic duties left out, so a test sees only its own."""
    from patron.jobs import actions as module

    monkeypatch.setattr(module, "periodic_duties", lambda: [DUTIES["test.every_minute"]])


def test_a_job_queued_in_a_rolled_back_transaction_never_exists():
    with transaction.atomic():
        actions.enqueue("test.record", {"n": 1})
        transaction.set_rollback(True)
    assert not Job.objects.exists()


def test_an_unknown_duty_is_refused_with_a_field_error():
    with pytest.raises(ValidationFailed) as refused:
        actions.enqueue("test.nothing")
    assert refused.value.field == "duty"


def test_a_job_runs_once_and_is_done(monkeypatch):
    _only_test_periodic(monkeypatch)
    job = actions.enqueue("test.record", {"n": 7})
    assert queries.queue_depth() == 1
    assert Worker(burst=True, periodic=False).run() == 1
    assert Worker(burst=True, periodic=False).run() == 0  # nothing left: it ran once
    job.refresh_from_db()
    assert (job.status, job.attempts, CALLS) == (JobStatus.DONE, 1, [{"attempt": 1, "n": 7}])
    assert queries.queue_depth() == 0


def test_two_workers_claiming_one_job_leave_one_winner():
    job = actions.enqueue("test.record")
    first, second = actions.claim("host:1"), actions.claim("host:2")
    assert first.pk == job.pk and second is None
    assert Job.objects.get(pk=job.pk).worker == "host:1"


def test_a_keyed_job_is_queued_once_while_open():
    first = actions.enqueue("test.record", key="import:1")
    again = actions.enqueue("test.record", key="import:1")
    assert again.pk == first.pk and Job.objects.count() == 1
    actions.finish(actions.claim("host:1"), "host:1")
    assert actions.enqueue("test.record", key="import:1").pk != first.pk  # closed: a new run may be queued


def test_a_failing_job_is_retried_after_a_backoff_then_failed_for_good():
    job = actions.enqueue("test.broken")
    assert Worker(burst=True, periodic=False).run() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "said no" in job.error
    assert job.run_after - timezone.now() > timedelta(seconds=4)  # not hammered again at once
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert Worker(burst=True, periodic=False).run() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.key) == (JobStatus.FAILED, 2, None)


def test_backoff_grows_and_is_capped():
    delays = [actions.retry_delay(attempt).total_seconds() for attempt in range(1, 12)]
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20 and 20 <= delays[2] <= 40
    assert max(delays) <= actions.RETRY_CAP_SECONDS


def test_a_job_whose_worker_stopped_beating_is_taken_over(settings):
    settings.PATRON_JOB_STALE_SECONDS = 30
    job = actions.enqueue("test.record", {"n": 1})
    actions.claim("dead-host:1")
    # the worker was killed: its heartbeat stays where it was
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=31))
    assert actions.take_over_stalled() == 1
    assert Worker(burst=True, periodic=False).run() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, CALLS) == (JobStatus.DONE, 2, [{"attempt": 2, "n": 1}])
    # the killed worker, had it come back, can no longer finish or beat for the job
    assert not actions.finish(job, "dead-host:1") and not actions.beat(job, "dead-host:1")


def test_a_job_still_beating_is_not_taken_over(settings):
    settings.PATRON_JOB_STALE_SECONDS = 30
    job = actions.enqueue("test.record")
    actions.claim("host:1")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=5))
    assert actions.take_over_stalled() == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_periodic_duty_is_queued_once_per_period_by_any_number_of_workers(monkeypatch):
    _only_test_periodic(monkeypatch)
    now = timezone.now()
    assert len(actions.enqueue_due(now=now)) == 1
    assert actions.enqueue_due(now=now) == []  # a second worker at the same moment
    assert PeriodicDuty.objects.get(duty="test.every_minute").next_run_at == now + timedelta(minutes=1)
    Worker(burst=True, periodic=False).run()
    assert len(actions.enqueue_due(now=now + timedelta(minutes=1))) == 1


def test_a_periodic_duty_never_runs_twice_at_once(monkeypatch):
    _only_test_periodic(monkeypatch)
    now = timezone.now()
    actions.enqueue_due(now=now)
    running = actions.claim("host:1", now=now)
    # its period has passed while the last run still runs: no second run beside it
    assert actions.enqueue_due(now=now + timedelta(minutes=5)) == []
    assert Job.objects.filter(duty="test.every_minute").count() == 1
    actions.finish(running, "host:1")
    assert len(actions.enqueue_due(now=now + timedelta(minutes=6))) == 1


def test_the_queue_is_stalled_when_a_due_job_waits_too_long(settings):
    settings.PATRON_JOB_QUEUE_STALL_SECONDS = 60
    job = actions.enqueue("test.record")
    assert not queries.is_stalled()
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=61))
    assert queries.is_stalled() and queries.oldest_waiting() > timedelta(seconds=60)


def test_finished_jobs_are_kept_a_week_then_purged(settings):
    settings.PATRON_JOB_KEEP_DAYS = 7
    old, recent, waiting = (actions.enqueue("test.record") for _ in range(3))
    for _ in (old, recent):  # the two queued first are taken and finished
        actions.finish(actions.claim("host:1"), "host:1")
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert actions.purge_finished() == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
