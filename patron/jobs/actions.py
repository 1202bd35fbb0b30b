"""Queueing, claiming, finishing and taking over jobs: the queue's rules, for workers and callers.

Every state change is a conditional UPDATE on the job's current state, so two workers racing for
one job (on SQLite or PostgreSQL) leave exactly one winner, and a worker that lost its job to a
takeover cannot finish it afterwards.
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.errors import ValidationFailed
from patron.jobs import timing
from patron.jobs.models import OPEN, Job, JobStatus, PeriodicDuty
from patron.jobs.registry import DUTIES, Duty, discover, periodic_duties

RETRY_BASE_SECONDS = 10
RETRY_CAP_SECONDS = 3600


def enqueue(duty: str, arguments: dict | None = None, *, key: str | None = None,
            run_after: datetime | None = None) -> Job:
    """Queue a run of ``duty``, in the caller's transaction: a rolled-back change queues nothing.
    With ``key``, the open job with that key is returned instead of a second one."""
    known = discover()
    if duty not in known:
        raise ValidationFailed(_("Unknown job %(duty)s.") % {"duty": duty}, field="duty", code="unknown-duty")
    values = {"duty": duty, "arguments": arguments or {}, "key": key, "run_after": run_after or timezone.now(),
              "max_attempts": known[duty].max_attempts}
    try:
        with transaction.atomic():
            job = Job.objects.create(**values)
    except IntegrityError:
        job = Job.objects.filter(key=key, status__in=OPEN).first()
        if job is None:  # it closed in between: queue this one
            job = Job.objects.create(**values)
    if timing.runs_in_thread():
        transaction.on_commit(_run_in_thread)
    return job


def claim(worker: str, *, now: datetime | None = None) -> Job | None:
    """The next due job, now running for ``worker``; None when there is none."""
    now = now or timezone.now()
    while True:
        candidate = (Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now)
                     .order_by("run_after", "pk").values_list("pk", flat=True).first())
        if candidate is None:
            return None
        taken = Job.objects.filter(pk=candidate, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, worker=worker, heartbeat_at=now, started_at=now,
            attempts=F("attempts") + 1, error="")
        if taken:
            return Job.objects.get(pk=candidate)


def beat(job: Job, worker: str) -> bool:
    """The worker is alive and still holds ``job``; False when the job was taken over meanwhile."""
    return bool(Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=worker)
                .update(heartbeat_at=timezone.now()))


def finish(job: Job, worker: str) -> bool:
    return bool(Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=worker).update(
        status=JobStatus.DONE, finished_at=timezone.now(), key=None))


def fail(job: Job, worker: str, error: str, *, now: datetime | None = None) -> bool:
    """A failed attempt: queued again after a backoff with jitter, or failed for good after the
    duty's last attempt."""
    now = now or timezone.now()
    running = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=worker)
    if job.attempts >= job.max_attempts:
        return bool(running.update(status=JobStatus.FAILED, finished_at=now, error=error[:4000], key=None))
    return bool(running.update(status=JobStatus.QUEUED, run_after=now + retry_delay(job.attempts),
                               error=error[:4000], worker=""))


def retry_delay(attempts: int, *, base: float = RETRY_BASE_SECONDS) -> timedelta:
    """Exponential backoff with jitter after the ``attempts``-th failure: between half and all of
    ``base``, 2 x ``base``, 4 x ``base`` ..., capped at an hour (jobs here, webhook deliveries)."""
    ceiling = min(RETRY_CAP_SECONDS, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def take_over_stalled(*, now: datetime | None = None) -> int:
    """Running jobs whose worker stopped beating (killed, its machine gone) are queued again at
    once, or failed when that was their last attempt. Returns how many."""
    now = now or timezone.now()
    stalled = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - timing.stale_after())
    message = _("Its worker stopped (killed or its machine restarted); another worker took it over.")
    failed = stalled.filter(attempts__gte=F("max_attempts")).update(
        status=JobStatus.FAILED, finished_at=now, error=message, key=None)
    return failed + stalled.update(status=JobStatus.QUEUED, run_after=now, worker="", error=message)


def enqueue_due(*, now: datetime | None = None) -> list[Job]:
    """Queue each periodic duty whose time has come. Moving its next time on is a conditional
    update, so of several workers one queues it; a duty whose last run is still open is skipped:
    a periodic duty never runs twice at once."""
    now = now or timezone.now()
    queued = []
    for item in periodic_duties():
        if _move_on(item, now):
            with transaction.atomic():
                if not Job.objects.filter(key=item.periodic_key, status__in=OPEN).exists():
                    queued.append(enqueue(item.name, key=item.periodic_key, run_after=now))
    return queued


def _move_on(item: Duty, now: datetime) -> bool:
    state, _created = PeriodicDuty.objects.get_or_create(duty=item.name, defaults={"next_run_at": now})
    if state.next_run_at > now:
        return False
    return bool(PeriodicDuty.objects.filter(duty=item.name, next_run_at=state.next_run_at).update(
        next_run_at=now + item.every, last_enqueued_at=now))


def purge_finished(*, now: datetime | None = None) -> int:
    """Delete done and failed jobs finished longer ago than ``timing.keep_finished()``."""
    cutoff = (now or timezone.now()) - timing.keep_finished()
    return Job.objects.filter(status__in=(JobStatus.DONE, JobStatus.FAILED), finished_at__lt=cutoff).delete()[0]


def run_job(job: Job) -> object:
    """Call the job's duty (the worker's part, after ``claim``)."""
    return DUTIES[job.duty].function(job, **job.arguments)


def _run_in_thread() -> None:
    from patron.jobs.worker import Worker  # the worker runs actions: imported late, one way

    def work():
        try:
            Worker(burst=True, periodic=False).run()
        finally:
            connections.close_all()

    threading.Thread(target=work, daemon=True).start()
