from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """The stored answer to a POST sent with an Idempotency-Key, written in the same transaction as
    the request's effect so a retry gets this answer instead of a second effect.

    Keys are scoped to the API token that sent them. ``fingerprint`` identifies the request
    (method, path and body) so the same key cannot be reused for a different one.
    """

    token = models.ForeignKey("staff.ApiToken", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0, help_text="0 until the request has finished.")
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_unique_per_token"),
        ]

    def __str__(self):
        return f"{self.key} ({self.status_code})"
