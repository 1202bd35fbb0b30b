"""Webhook subscriptions, the outbox of events, and each event's delivery to each subscription."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class Subscription(models.Model):
    """An integrator's endpoint: which events it wants, and the secret its deliveries are signed with
    (Standard Webhooks: ``whsec_`` and base64)."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, blank=True, help_text="Event types it receives; empty: all.")
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True, help_text="False: removed; nothing more is sent.")
    paused_at = models.DateTimeField(null=True, blank=True, help_text="Deliveries wait while paused.")
    paused_reason = models.CharField(max_length=300, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True, help_text="The first failure of an unbroken run.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class Event(models.Model):
    """One event out, written in the transaction of the change it reports (the outbox). Its id
    orders the events: a customer's events are delivered in this order."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    customer_uuid = models.UUIDField(null=True, blank=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")


class Delivery(models.Model):
    """One event for one subscription: sent until the endpoint answers 2xx (at least once)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # The event's customer, copied so the in-order rule is one index range.
    customer_uuid = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["subscription", "customer_uuid", "status"])]


class DeliveryAttempt(models.Model):
    """The delivery log: each request sent and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True, help_text="None: no answer.")
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
