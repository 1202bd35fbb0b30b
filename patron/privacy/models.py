"""Privacy requests (subject access, erasure) and the outbox of events for downstream systems."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Subject-access export")
    ERASURE = "erasure", _("Erasure")


class RequestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued (waiting for a hold to clear)")
    DONE = "done", _("Done")


class PrivacyRequest(models.Model):
    """A data subject's request, from receipt to completion (one month is the legal deadline).

    An erasure that a credit balance or the retention hold after the last sale blocks waits here
    as ``queued`` with what it waits for, and ``run_due`` carries it out once that clears."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="privacy_requests")
    customer_uuid = models.UUIDField(db_index=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.QUEUED)
    reason = models.CharField(max_length=500, blank=True)
    waiting_for = models.CharField(max_length=500, blank=True, help_text="Why a queued erasure has to wait.")
    requested_by = models.CharField(max_length=150)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} request {self.uuid}"
