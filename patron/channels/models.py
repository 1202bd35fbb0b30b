"""Webshop channels: who may deliver customers, which webshop customer is which Patron customer,
and which deliveries arrived (so a repeated delivery is answered, not applied again)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    """A webshop that sends its customers, signed with a shared secret.

    The secret is kept as it is (not hashed): an HMAC can only be checked with the secret itself.
    It is shown once, when the channel is created or its secret rotated; after a rotation the
    previous secret keeps working until ``previous_secret_expires_at`` so the shop can switch."""

    code = models.SlugField(max_length=40, unique=True, help_text="Part of the delivery address; e.g. 'webshop'.")
    name = models.CharField(max_length=100)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", help_text="Home store of the customers it creates.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def secrets_valid_at(self, moment) -> list[str]:
        """The secrets a signature may use now: the current one, and the previous one during overlap."""
        valid = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and moment < self.previous_secret_expires_at:
            valid.append(self.previous_secret)
        return valid


class ExternalReference(models.Model):
    """The webshop's id of a customer, bound to the Patron customer it created or updates."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="references")
    external_id = models.CharField(max_length=100)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="channel_references")
    source_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The webshop's updated_at of the last delivery applied; older ones are "
                                         "ignored.")
    delivered = models.JSONField(default=dict, blank=True,
                                 help_text="The values last taken from the webshop: only what the webshop changes "
                                           "since is applied, so edits made in the shop stay.")
    created_at = models.DateTimeField(default=timezone.now)
    last_delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="channel_reference_unique"),
        ]
        indexes = [models.Index(fields=["customer"], name="channel_reference_customer")]

    def __str__(self):
        return f"{self.channel.code}:{self.external_id}"


class DeliveryOutcome(models.TextChoices):
    CREATED = "created", _("Created a customer")
    LINKED = "linked", _("Linked to an existing customer likely the same")
    UPDATED = "updated", _("Updated the customer")
    UNCHANGED = "unchanged", _("Nothing new")
    STALE = "stale", _("Older than what was applied; ignored")


class Delivery(models.Model):
    """One accepted delivery. ``key`` is the sender's delivery id (Idempotency-Key or
    X-Shopify-Webhook-Id) or, without one, the body's hash: the same key again is answered from
    here without being applied again."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=255)
    body_sha256 = models.CharField(max_length=64)
    external_id = models.CharField(max_length=100)
    customer = models.ForeignKey("customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    outcome = models.CharField(max_length=10, choices=DeliveryOutcome.choices)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="channel_delivery_key_unique"),
        ]

    def __str__(self):
        return f"{self.channel.code} {self.key}: {self.outcome}"
