"""Marketing consent (an append-only history per customer and channel), segments, and the
record of each newsletter sync.

The consent history is the single source of truth: the newsletter platform is told what it says,
and unsubscribes from the platform are written back into it. Changes go through
``patron.marketing.actions``.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class ConsentSource(models.TextChoices):
    POS = "pos", _("Till (POS)")
    WEBSHOP = "webshop", _("Webshop")
    IMPORT = "import", _("Import")
    BACK_OFFICE = "back_office", _("Back office")
    NEWSLETTER = "newsletter", _("Newsletter platform")


class ConsentEvent(models.Model):
    """One change of a customer's consent on one channel; never changed or deleted. The latest by
    ``occurred_at`` (then by id) is the customer's current state."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="consent_events")
    channel = models.CharField(max_length=10, choices=ConsentChannel.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=12, choices=ConsentSource.choices)
    proof = models.CharField(max_length=500, blank=True,
                             help_text="E.g. the double opt-in token, the IP address, the form or the import file.")
    actor_label = models.CharField(max_length=150)
    occurred_at = models.DateTimeField(help_text="When the customer gave or withdrew consent.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["customer", "channel", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=ConsentChannel.values), name="consent_channel_valid"),
            models.CheckConstraint(condition=Q(source__in=ConsentSource.values), name="consent_source_valid"),
        ]
        indexes = [models.Index(fields=["customer", "channel", "occurred_at", "id"], name="consent_latest")]

    def __str__(self):
        return f"{self.get_channel_display()} {'granted' if self.granted else 'withdrawn'}"


class ConsentFilter(models.TextChoices):
    ANY = "", _("Any")
    GRANTED = "granted", _("Granted")
    NOT_GRANTED = "not_granted", _("Not granted (withdrawn or never asked)")


class Segment(models.Model):
    """A saved filter over customers, for exports and the newsletter sync. Empty criteria keep
    everyone; the criteria given must all hold."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=500, blank=True)
    statuses = models.JSONField(default=list, blank=True, help_text="Customer statuses kept; empty keeps all.")
    tags = models.ManyToManyField("customers.Tag", related_name="segments", blank=True,
                                  help_text="Customers with any of these tags.")
    home_location = models.ForeignKey("locations.Location", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", help_text="Customers homed here or beneath it.")
    location_group = models.ForeignKey("locations.LocationGroup", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    min_total_spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_total_spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    last_purchase_after = models.DateField(null=True, blank=True)
    last_purchase_before = models.DateField(null=True, blank=True)
    email_consent = models.CharField(max_length=12, choices=ConsentFilter.choices, default="", blank=True)
    sms_consent = models.CharField(max_length=12, choices=ConsentFilter.choices, default="", blank=True)
    newsletter_tag = models.CharField(max_length=100, blank=True,
                                      help_text="Tag given to the segment's members on the newsletter platform.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="segment_name_unique_ci")]

    def __str__(self):
        return self.name


class SyncStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class NewsletterSync(models.Model):
    """One run of the newsletter sync: what it sent and took back. The next run asks the platform
    for changes since ``pulled_until`` of the last finished run of the same list."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    list_id = models.CharField(max_length=100)
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="syncs")
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pulled_until = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    actor_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Newsletter sync {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
