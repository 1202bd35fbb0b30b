"""The queue's figures for ``/metrics`` and ``/readyz`` (registered in ``apps.py``), read from the
database, so every server reports the queue that all the workers share."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily

from patron.jobs import queries
from patron.jobs.models import Job, JobStatus


def collect():
    yield GaugeMetricFamily("patron_jobs_queued", "Jobs due and waiting for a worker.", value=queries.queue_depth())
    yield GaugeMetricFamily("patron_jobs_oldest_wait_seconds", "How long the longest-waiting due job has waited.",
                            value=queries.oldest_waiting().total_seconds())
    yield GaugeMetricFamily("patron_jobs_running", "Jobs a worker is running.",
                            value=Job.objects.filter(status=JobStatus.RUNNING).count())


def queue_not_stalled() -> str | None:
    """A readiness check: due jobs wait longer than PATRON_JOB_QUEUE_STALL_SECONDS, no worker takes them."""
    if queries.is_stalled():
        return f"a job has waited {int(queries.oldest_waiting().total_seconds())} s for a worker"
    return None
