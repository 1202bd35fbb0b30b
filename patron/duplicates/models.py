"""Duplicate detection: blocking keys, proposed pairs and what is waiting to be checked.

State changes go through ``patron.duplicates.actions`` and ``patron.duplicates.scan``."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DuplicateKey(models.Model):
    """One blocking key of a customer ("email:anna@example.com", "np:MR|10115"; see rules.BLOCKING_KEYS).
    Rewritten in the transaction of every change to a customer (keys.refresh_keys)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=300)

    class Meta:
        indexes = [models.Index(fields=["key", "customer"], name="duplicate_key_block"),
                   models.Index(fields=["customer"], name="duplicate_key_of_customer")]


class PairStatus(models.TextChoices):
    OPEN = "open", _("Open")
    NOT_SAME = "not_same", _("Not the same customer")
    MERGED = "merged", _("Merged")


class DuplicatePair(models.Model):
    """Two customers that are likely the same; ``first`` has the lower id. A pair decided "not the
    same" (or merged) stays, so it is never proposed again."""

    first = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(db_index=True)
    # Evidence codes (rules.EVIDENCE) between commas, ",same_phone,same_name,", so a filter by one
    # reason is a plain substring match on both engines.
    reasons = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="duplicate_pair_ordered"),
            models.CheckConstraint(condition=Q(status__in=PairStatus.values), name="duplicate_pair_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_pair_queue")]

    @property
    def codes(self) -> list[str]:
        return [code for code in self.reasons.split(",") if code]

    def __str__(self):
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f})"


class PendingCheck(models.Model):
    """A customer created or changed since the last incremental scan (written in the change's own
    transaction, so no commit order can make the scan miss one)."""

    customer_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
