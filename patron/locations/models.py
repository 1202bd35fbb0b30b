from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class LocationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    BRANCH = "branch", _("Branch")
    STORE = "store", _("Store")


# Which kinds may sit directly under which: a company holds branches and stores, a branch stores.
ALLOWED_PARENTS = {
    LocationKind.COMPANY: set(),
    LocationKind.BRANCH: {LocationKind.COMPANY},
    LocationKind.STORE: {LocationKind.COMPANY, LocationKind.BRANCH},
}


class Location(models.Model):
    """A place in the shop's hierarchy: company > branch > store."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=LocationKind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField(default=True)
    # Where the location is: blank means "as the location above it". A national phone number or
    # tax ID typed here is read in its country; times are shown in its time zone.
    country = models.CharField(max_length=2, blank=True, default="", help_text="ISO 3166-1 alpha-2 code.")
    time_zone = models.CharField(max_length=64, blank=True, default="", help_text="IANA name, e.g. Europe/Berlin.")
    # The country and time zone in force: its own, else the nearest location above it that has
    # one, else blank (the installation's defaults). Kept by the location actions
    # (``patron.locations.inherited``), so a till's request reads a column instead of a walk up.
    effective_country = models.CharField(max_length=2, blank=True, default="", editable=False)
    effective_time_zone = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("code"), name="location_code_unique_ci")]

    def __str__(self):
        return self.name


class LocationGroup(models.Model):
    """A set of locations deciding where a customer is available. A group that holds a company
    or branch covers every store beneath it."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    name = models.CharField(max_length=100)
    locations = models.ManyToManyField(Location, related_name="groups", blank=True)
    is_default = models.BooleanField(default=False, help_text="Given to new customers when none is chosen.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="location_group_name_unique_ci")]

    def __str__(self):
        return self.name


class Coverage(models.Model):
    """One location group covering one location: the group holds it or a location above it.
    Derived from the hierarchy and the groups' locations, and rewritten by the location actions
    that change either (``patron.locations.coverage``): the till's lookups check a customer's
    groups against a store's rows on every keystroke, one index range instead of a walk up the
    hierarchy in each of their statements."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="coverage")
    group = models.ForeignKey(LocationGroup, on_delete=models.CASCADE, related_name="coverage")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "group"], name="coverage_location_group_unique")]
