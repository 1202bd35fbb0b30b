"""What the queue holds, for the jobs page, the command line, /readyz and the metrics."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min
from django.utils import timezone

from patron.jobs import timing
from patron.jobs.models import Job, JobStatus


def queue_depth() -> int:
    """Jobs due now and waiting for a worker."""
    return Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=timezone.now()).count()


def oldest_waiting() -> timedelta:
    """How long the longest-waiting due job has waited (zero when none waits)."""
    now = timezone.now()
    since = Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now).aggregate(since=Min("run_after"))["since"]
    return now - since if since else timedelta(0)


def is_stalled() -> bool:
    """Jobs wait longer than they should: no worker is taking them."""
    return oldest_waiting() > timing.stalled_queue_after()


def latest_jobs(*, status: str = "", limit: int = 50) -> list[Job]:
    jobs = Job.objects.all()
    if status:
        jobs = jobs.filter(status=status)
    return list(jobs[:limit])
