"""The job queue, kept in the database so that every server and worker shares it.

A ``Job`` is one run of a duty (``jobs.registry``) with its arguments. A worker claims a queued job
by a conditional update (one winner on SQLite and PostgreSQL alike), beats its heartbeat while it
runs, and a job whose heartbeat stops (the worker was killed) is queued again for another worker:
duties are written to resume where the committed work ends, so nothing is done twice.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    duty = models.CharField(max_length=60, help_text="The registered duty this job runs (jobs.registry).")
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    # A job with a key is the only open one with that key: a periodic duty never runs twice at once,
    # and an import is never queued twice.
    key = models.CharField(max_length=100, null=True, blank=True)
    run_after = models.DateTimeField(help_text="Not taken before this moment.")
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker took it (a takeover adds one).")
    max_attempts = models.PositiveIntegerField(default=3)
    worker = models.CharField(max_length=120, blank=True, help_text="host:pid of the worker running it.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "run_after"])]
        constraints = [models.UniqueConstraint(fields=["key"], condition=Q(status__in=["queued", "running"]),
                                               name="job_open_key_once")]

    def __str__(self) -> str:
        return f"{self.duty} {self.uuid}"


class PeriodicDuty(models.Model):
    """When a periodic duty is next due: the worker that moves ``next_run_at`` on enqueues it."""

    duty = models.CharField(max_length=60, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
