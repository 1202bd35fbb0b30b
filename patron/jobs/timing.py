"""The queue's timings and mode, from Django settings (patron/settings.py reads the environment)."""

from datetime import timedelta

from django.conf import settings


def heartbeat_interval() -> float:
    """Seconds between a running job's heartbeats."""
    return float(getattr(settings, "PATRON_JOB_HEARTBEAT_SECONDS", 5))


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this lost its worker: another takes it over."""
    return timedelta(seconds=float(getattr(settings, "PATRON_JOB_STALE_SECONDS", 30)))


def stalled_queue_after() -> timedelta:
    """A queued job waiting longer than this means no worker is taking jobs (/readyz)."""
    return timedelta(seconds=float(getattr(settings, "PATRON_JOB_QUEUE_STALL_SECONDS", 300)))


def runs_in_thread() -> bool:
    """PATRON_JOBS_RUN=thread: a queued job is run by a thread of the process that queued it, for a
    single-process setup and tests. The default, "worker", leaves it to ``patron worker``."""
    return getattr(settings, "PATRON_JOBS_RUN", "worker") == "thread"


def keep_finished() -> timedelta:
    """How long done and failed jobs stay in the queue's table (``patron jobs list``)."""
    return timedelta(days=float(getattr(settings, "PATRON_JOB_KEEP_DAYS", 7)))
