"""Import jobs: a file, how its columns map to a customer, and how far the import got.

A job commits its rows in batches; each batch, its ``ImportRow`` lines and the job's counters are
one transaction. So after a crash the job record names the last whole batch, and a resumed run
starts after it: no row is imported twice (the unique (job, row_number) makes sure).
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7
from patron.core.workers import process_alive


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    CHECKING = "checking", _("Dry run in progress")
    CHECKED = "checked", _("Dry run done")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Stopped by an error")
    ROLLED_BACK = "rolled_back", _("Rolled back")


WORKING = (ImportStatus.CHECKING, ImportStatus.RUNNING)
# A worker on another machine that committed no batch for this long is taken to have stopped.
REMOTE_WORKER_SILENCE = timedelta(minutes=10)


class ImportJob(models.Model):
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    file_path = models.CharField(max_length=300, help_text="The uploaded file, kept under var/imports/.")
    file_name = models.CharField(max_length=200, help_text="The name the file had on the user's computer.")
    file_format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    encoding = models.CharField(max_length=30, blank=True, help_text="Blank: UTF-8, with or without BOM.")
    delimiter = models.CharField(max_length=1, blank=True, help_text="Blank: detected.")
    profile = models.CharField(max_length=20, blank=True, help_text="The built-in mapping the header matched.")
    mapping = models.JSONField(default=dict, help_text="column header -> target field ('' ignores it).")
    match_key = models.CharField(max_length=20)
    channel_code = models.CharField(max_length=40, blank=True, help_text="Whose external references the file holds.")
    batch_size = models.PositiveIntegerField(default=1000)
    strict = models.BooleanField(default=False, help_text="Reject a row with an invalid phone or e-mail instead of "
                                                          "importing it without that value (with a warning).")
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0, help_text="Rows read by the running pass.")
    committed_rows = models.PositiveIntegerField(default=0, help_text="Rows in whole committed batches.")
    batches_committed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0, help_text="Values left out of imported rows.")
    check_report = models.JSONField(default=dict, blank=True,
                                    help_text="The dry run's counts and its first problems.")
    error = models.TextField(blank=True, help_text="Why the job stopped, when it did.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor_label = models.CharField(max_length=150)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    worker_host = models.CharField(max_length=100, blank=True, help_text="The machine of the worker process.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name}"

    # The worker's process id says whether a job said to be working really is: a worker killed
    # with SIGKILL (or a server restart) leaves the status behind, and only a resume goes on.
    # The process itself (a thread worker of the server) is neither busy nor stalled to itself. A
    # worker on another machine cannot be asked: its batches' commits (``updated_at``) say it lives.
    @property
    def is_busy(self) -> bool:
        """Another live process is working on this job: it may not be started or rolled back."""
        if self.status not in WORKING or self.worker_pid is None:
            return False
        if self.worker_host and self.worker_host != socket.gethostname():
            return timezone.now() - self.updated_at < REMOTE_WORKER_SILENCE
        return self.worker_pid != os.getpid() and process_alive(self.worker_pid)

    @property
    def is_stalled(self) -> bool:
        """Working by its status, but the process that took it is gone: resume it. (A job without a
        worker yet is queued: the back office sets the status before its worker takes the job.)"""
        if self.status not in WORKING or self.worker_pid is None or self.worker_pid == os.getpid():
            return False
        return not self.is_busy


class RowOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    REJECTED = "rejected", _("Rejected")


class ImportRow(models.Model):
    """What one row of a job did: the customer it made or changed (and what it was before), or why
    it was refused. Written in the transaction of the row's batch."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(help_text="1 = the first row under the header.")
    line = models.PositiveIntegerField(help_text="Where the row starts in the file (1 = the header).")
    outcome = models.CharField(max_length=10, choices=RowOutcome.choices)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    before = models.JSONField(null=True, blank=True, help_text="An updated customer's values before the row.")
    problems = models.JSONField(default=list, blank=True, help_text="[{column, message}] of a rejected row.")
    warnings = models.JSONField(default=list, blank=True,
                                help_text="[{column, value, message}]: values an imported row was left without.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="import_row_once")]
        indexes = [models.Index(fields=["job", "outcome"])]


class SavedMapping(models.Model):
    """A column mapping kept under a name, to import the next file of the same layout."""

    name = models.CharField(max_length=80, unique=True)
    mapping = models.JSONField(default=dict)
    match_key = models.CharField(max_length=20)
    channel_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
