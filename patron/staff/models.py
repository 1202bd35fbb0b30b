from django.contrib.auth.models import AbstractUser
from django.db import models

from patron.core.permissions import Role


class User(AbstractUser):
    """A member of staff who logs in to the back office. What they may do follows their role."""

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CASHIER)
    location = models.ForeignKey(
        "locations.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
        help_text="The store this person works at; customers they create are homed there.",
    )
    # One of settings.LANGUAGES; blank follows the browser's Accept-Language.
    language = models.CharField(max_length=10, blank=True, default="")
    # The customer list's columns this person chose, in the list's order; empty: the defaults.
    list_columns = models.JSONField(default=list, blank=True)


class ApiToken(models.Model):
    """A credential for a POS terminal or webshop. Only a hash of the secret is kept; the secret
    is shown once when the token is created."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CASHIER)
    location = models.ForeignKey("locations.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="api_tokens")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The primary's WAL position after this token's last write (core.replicas): its next replica
    # read waits for a replica that has replayed this far. On the row, so every server sees it.
    written_position = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
