"""Loyalty points: an append-only ledger per customer, never negative."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class LoyaltySettings(models.Model):
    """Single row (pk 1), created by migration."""

    is_enabled = models.BooleanField(default=True)
    points_per_unit = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("1"),
                                          help_text="Points earned per currency unit spent (rounded down).")
    point_value = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0.01"),
                                      help_text="What one point is worth when redeemed as payment.")

    class Meta:
        verbose_name_plural = "loyalty settings"


class PointsAccount(models.Model):
    """Cached balance of a customer's points, changed only under this row's lock."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="points_account")
    balance = models.PositiveIntegerField(default=0)
    last_sequence = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.balance} points of {self.customer.name}"


class PointsKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    ADJUSTMENT = "adjustment", _("Adjustment")
    RETURN = "return", _("Returned goods")


class PointsEntry(models.Model):
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=PointsKind.choices)
    points = models.IntegerField()
    balance_after = models.IntegerField()
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)
    actor_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["account", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["account", "sequence"], name="points_sequence_unique"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_never_negative"),
            models.CheckConstraint(condition=~Q(points=0), name="points_not_zero"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points}"
