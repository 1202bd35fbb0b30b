"""Sales and returns recorded by POS terminals and webshops, and customer orders."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7


class SaleKind(models.TextChoices):
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")


class Channel(models.TextChoices):
    POS = "pos", _("Point of sale")
    WEBSHOP = "webshop", _("Webshop")
    BACK_OFFICE = "back_office", _("Back office")


class TenderKind(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    ON_ACCOUNT = "on_account", _("On account")
    POINTS = "points", _("Loyalty points")
    OTHER = "other", _("Other")


class Sale(models.Model):
    """A sale or a return. Amounts of a return are negative; a return names the sale it refunds."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    source = models.CharField(max_length=60, help_text="Which till or webshop numbered the sale.")
    number = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=SaleKind.choices, default=SaleKind.SALE)
    original_sale = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="returns")
    occurred_at = models.DateTimeField(db_index=True)
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="sales")
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.POS)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="sales")
    bought_by = models.ForeignKey("customers.Contact", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="purchases", help_text="The authorized contact who bought.")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    recorded_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "number"], name="sale_number_unique_per_source")]
        indexes = [models.Index(fields=["customer", "occurred_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=200)
    department = models.CharField(max_length=60, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["sale", "position"]


class SalePayment(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="payments")
    tender = models.CharField(max_length=12, choices=TenderKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    ledger_entry = models.OneToOneField("credit.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="sale_payment")
    points_entry = models.OneToOneField("loyalty.PointsEntry", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="sale_payment")

    class Meta:
        ordering = ["sale", "id"]


class OrderKind(models.TextChoices):
    WORK_ORDER = "work_order", _("Work order")
    BACKORDER = "backorder", _("Backorder")
    SPECIAL_ORDER = "special_order", _("Special order")
    LAYAWAY = "layaway", _("Layaway")


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="orders")
    source = models.CharField(max_length=60)
    number = models.CharField(max_length=40)
    kind = models.CharField(max_length=15, choices=OrderKind.choices)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="orders")
    placed_at = models.DateTimeField()
    amount_due = models.DecimalField(max_digits=12, decimal_places=2)
    closed_at = models.DateTimeField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="order_number_unique_per_source"),
            models.CheckConstraint(condition=Q(amount_due__gte=0), name="order_amount_due_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class OrderLine(models.Model):
    """What an order is for, line by line; an order taken without lines (the API's) carries only
    its amount due. With lines, the amount due is their total (``sales.actions``)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["order", "position"]


class SaleCounter(models.Model):
    """The last sale number a source handed out, for sources that let Patron number their sales
    (the back office's tills). Changed only under this row's lock (``numbers.next_sale_number``)."""

    source = models.CharField(max_length=60, unique=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.source}: {self.last_number}"
