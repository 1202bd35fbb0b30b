"""Customer merges: what each merge did, so it can be undone, and the events it announces.

Changes go through ``patron.merging.actions``; these classes hold data and constraints only.
"""

from django.db import models
from django.db.models import Q

from patron.core.ids import uuid7


class Merge(models.Model):
    """One merge of customers into a survivor. ``snapshot`` holds every merged record (and the
    survivor) as it was, and what moved where (patron/merging/registry.py), so ``unmerge`` puts
    each record back as it was; ``report`` says what an unmerge did and what stayed."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    survivor = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="merges")
    merged_uuids = models.JSONField(default=list, help_text="The uuids of the records merged into the survivor.")
    field_choices = models.JSONField(default=dict, blank=True,
                                     help_text="{field: uuid of the record whose value the survivor took}.")
    snapshot = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=255, blank=True)
    actor_label = models.CharField(max_length=150)
    merged_at = models.DateTimeField(auto_now_add=True, db_index=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.CharField(max_length=150, blank=True)
    report = models.JSONField(default=dict, blank=True, help_text="What the unmerge restored and what stayed.")

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="merge_idempotency_key_unique"),
        ]

    def __str__(self):
        return f"Merge {self.uuid}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
