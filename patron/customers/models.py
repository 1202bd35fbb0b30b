"""Customer records: the customer itself and everything that hangs off it.

State changes go through ``patron.customers.actions``; these classes hold data and database
constraints only.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Private person")
    COMPANY = "company", _("Company")
    PLACEHOLDER = "placeholder", _("Placeholder / walk-in")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    CREDIT_HOLD = "credit_hold", _("On credit hold")
    INACTIVE = "inactive", _("Inactive")
    DELETED = "deleted", _("Deleted by mistake")


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    FAX = "fax", _("Fax")


class EmailKind(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    WORK = "work", _("Work")
    BILLING = "billing", _("Billing")
    OTHER = "other", _("Other")


class AddressKind(models.TextChoices):
    CONTACT = "contact", _("Contact / primary")
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping / worksite")


class MessageChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other")


class MessageDirection(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("To the customer")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")


class CustomerSettings(models.Model):
    """Shop-wide customer settings; a single row (pk 1), created by migration."""

    account_number_pattern = models.CharField(
        max_length=30, default="C######",
        help_text="Automatic account numbers: each # is a digit of the sequence, e.g. C###### gives C000001.",
    )
    next_account_number = models.PositiveBigIntegerField(default=1)
    initial_status = models.CharField(max_length=12, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)

    class Meta:
        verbose_name_plural = "customer settings"


class PriceLevel(models.Model):
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="price_level_code_unique_ci"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="price_level_one_default"),
        ]

    def __str__(self):
        return self.code


class Tag(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self):
        return self.name


class CustomFieldDefinition(models.Model):
    """A field an admin adds to every customer record."""

    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    field_type = models.CharField(max_length=10, choices=CustomFieldType.choices)
    choices = models.JSONField(default=list, blank=True, help_text="Allowed values of a choice field.")
    is_required = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    help_text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class LiveCustomerManager(models.Manager):
    """Customers that are records of their own: a merged record (a tombstone pointing at the
    survivor, patron/merging) is left out of every list, search, export and count. Reading a
    tombstone by its id goes through ``Customer.with_tombstones`` (customers.queries follows it
    to the survivor); Django's related-object access uses the base manager and still reaches it."""

    def get_queryset(self):
        return super().get_queryset().filter(merged_into__isnull=True)


class Customer(models.Model):
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=CustomerKind.choices)
    account_number = models.CharField(max_length=30)
    # Persons have first and last name; companies and placeholders a name. ``name`` is always
    # the display name (for persons "First prefix Last"), ``sort_name`` its folded sort key.
    first_name = models.CharField(max_length=100, blank=True)
    # "van der" of Jan van der Berg: written in the name, left out of its sort key (sorted under B).
    name_prefix = models.CharField(max_length=30, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    sort_name = models.CharField(max_length=200, db_index=True)
    status = models.CharField(max_length=12, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    birth_date = models.DateField(null=True, blank=True)
    tax_id = models.CharField(max_length=40, blank=True, db_index=True, help_text="Tax or resale ID, stored compact.")
    tax_id_country = models.CharField(max_length=2, blank=True)
    is_tax_exempt = models.BooleanField(default=False)
    price_level = models.ForeignKey(PriceLevel, on_delete=models.PROTECT, related_name="customers")
    default_discount = models.DecimalField(max_digits=5, decimal_places=2, default=0,
                                           help_text="Percent taken off every purchase at the till.")
    is_employee = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    track_sales = models.BooleanField(default=True, help_text="Placeholders: link sales to this record.")
    always_formal_invoice = models.BooleanField(default=False)
    home_location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="customers")
    location_groups = models.ManyToManyField("locations.LocationGroup", related_name="customers")
    tags = models.ManyToManyField(Tag, related_name="customers", blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    photo = models.CharField(max_length=200, blank=True, help_text="Path under MEDIA_ROOT of the re-encoded photo.")
    photo_version = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every change; the API's ETag.")
    # Purchase figures, kept current by the sales app as each sale is recorded, so lists can sort
    # by them without summing sales. Not part of the record's version: they change by sales only.
    total_purchases = models.DecimalField(max_digits=14, decimal_places=2, default=0, db_index=True)
    sale_count = models.PositiveIntegerField(default=0)
    visit_count = models.PositiveIntegerField(default=0)
    last_purchase_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by a merge (patron/merging): this record is a tombstone and every door answers with the
    # survivor instead. Cleared by an unmerge.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(null=True, blank=True)

    objects = LiveCustomerManager()
    with_tombstones = models.Manager()

    class Meta:
        ordering = ["sort_name", "id"]
        base_manager_name = "with_tombstones"
        constraints = [
            models.UniqueConstraint(Lower("account_number"), name="customer_account_number_unique_ci"),
            models.CheckConstraint(condition=Q(default_discount__gte=0) & Q(default_discount__lte=100),
                                   name="customer_discount_is_percent"),
            models.CheckConstraint(condition=Q(kind__in=CustomerKind.values), name="customer_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=CustomerStatus.values), name="customer_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "sort_name"])]

    def __str__(self):
        return f"{self.name} ({self.account_number})"

    @property
    def is_person(self) -> bool:
        return self.kind == CustomerKind.PERSON

    @property
    def is_company(self) -> bool:
        return self.kind == CustomerKind.COMPANY

    @property
    def is_placeholder(self) -> bool:
        return self.kind == CustomerKind.PLACEHOLDER


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(max_length=10, choices=PhoneKind.choices)
    number = models.CharField(max_length=40, help_text="As typed.")
    e164 = models.CharField(max_length=20, db_index=True)
    digits_reversed = models.CharField(max_length=20, db_index=True, default="",
                                       help_text="The E.164 digits backwards: finds a phone by its last digits.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.number


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=10, choices=EmailKind.choices, default=EmailKind.PERSONAL)
    address = models.CharField(max_length=254)
    address_key = models.CharField(max_length=254, db_index=True, help_text="Lower-cased, for matching.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.address


class Address(models.Model):
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=AddressKind.choices)
    label = models.CharField(max_length=100, blank=True, help_text="E.g. the name of a worksite.")
    line1 = models.CharField(max_length=100, blank=True)
    line2 = models.CharField(max_length=100, blank=True)
    line3 = models.CharField(max_length=100, blank=True)
    line4 = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind"], condition=Q(kind__in=["contact", "billing"]),
                                    name="address_one_contact_and_billing"),
        ]

    def __str__(self):
        return ", ".join(part for part in (self.line1, self.postal_code, self.city, self.country) if part)

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.line1, self.line2, self.line3, self.line4) if line]


class Contact(models.Model):
    """A person tied to a customer who is not a customer of their own: a spouse, a child, an
    accounts-payable clerk. Contacts are deactivated rather than deleted as people move on."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=60, blank=True, help_text="E.g. spouse, owner, accounts payable.")
    email = models.CharField(max_length=254, blank=True)
    mobile_phone = models.CharField(max_length=40, blank=True)
    mobile_phone_e164 = models.CharField(max_length=20, blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True, db_index=True)
    is_authorized_buyer = models.BooleanField(default=False, help_text="May buy on the customer's account.")
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_active", "last_name", "first_name", "id"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


class Representation(models.Model):
    """A person (a customer of their own) who represents a company customer."""

    company = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="representations")
    person = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="companies_represented")
    role = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "person"], name="representation_unique"),
            models.CheckConstraint(condition=~Q(company=models.F("person")), name="representation_not_self"),
        ]

    def __str__(self):
        return f"{self.person.name} for {self.company.name}"


class Message(models.Model):
    """One entry of the customer's communication log."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    direction = models.CharField(max_length=10, choices=MessageDirection.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    author_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return self.subject or self.get_channel_display()


class StatusChange(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=CustomerStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CustomerStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor_label = models.CharField(max_length=150)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class SearchTerm(models.Model):
    """A folded word of a customer's name, for finding customers by whole word or prefix.

    Rewritten by every action that changes what lookups see (customers/search_index.py), in the
    same transaction. ``sort_key`` and ``at_till`` copy the customer's sort name and whether the
    till may show it, so one index walk answers "customers with this word, in name order"."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    term = models.CharField(max_length=100)
    sort_key = models.CharField(max_length=200)
    at_till = models.BooleanField()

    class Meta:
        # The walk index covers what a lookup reads, so it never visits the table itself.
        indexes = [models.Index(fields=["term", "sort_key", "customer", "at_till"], name="search_term_walk"),
                   models.Index(fields=["customer", "term"], name="search_term_of_customer")]


class SearchVariant(models.Model):
    """Known name words by their spellings one letter short (a deletion neighbourhood): a word
    typed with one typo shares a variant with the word it was meant to be."""

    variant = models.CharField(max_length=100)
    term = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["variant", "term"], name="search_variant_unique")]


class CustomerChange(models.Model):
    """One line of the change feed tills follow: this customer changed (or was removed).

    Written by the actions in the same transaction as the change. ``transaction_id`` is the
    PostgreSQL transaction that wrote it: the feed hands out only lines of transactions older than
    every one still running, so a transaction that commits late is never skipped. (SQLite writes
    one transaction at a time, so the id order already is the commit order.)"""

    customer_id = models.BigIntegerField(db_index=True)
    customer_uuid = models.UUIDField()
    is_removal = models.BooleanField(default=False)
    transaction_id = models.BigIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["transaction_id", "id"], name="customer_change_feed_order")]
