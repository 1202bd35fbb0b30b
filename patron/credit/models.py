"""Customer credit accounts ("house accounts"): a limit, and a ledger of entries that is never
edited. Amounts are signed: positive raises what the customer owes (a charge), negative lowers it
(a payment, a refund)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patron.core.ids import uuid7

ZERO = Decimal("0.00")


class CreditSettings(models.Model):
    """Shop-wide switch; a single row (pk 1), created by migration."""

    is_enabled = models.BooleanField(default=False, help_text="Let customers buy on account.")
    payment_terms_days = models.PositiveSmallIntegerField(default=30, help_text="Days before a charge is overdue.")

    class Meta:
        verbose_name_plural = "credit settings"


class CreditAccount(models.Model):
    """One per customer with credit. ``balance`` and ``last_sequence`` are caches of the ledger,
    changed only by the posting actions while they hold the account's row lock."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="credit_account")
    credit_limit = models.DecimalField(max_digits=12, decimal_places=2)
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    last_sequence = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(credit_limit__gte=0), name="credit_limit_not_negative")]

    def __str__(self):
        return f"Credit account of {self.customer.name}"

    # A negative balance is a credit balance: a payment larger than what was owed is kept, to be
    # spent by the next charges, but the limit alone says how much may be owed, so overpaying
    # never lets a customer owe more than the limit (docs/api.md, "Credit accounts").

    @property
    def owed(self) -> Decimal:
        """What the customer owes now; 0.00 when in credit."""
        return max(self.balance, ZERO)

    @property
    def credit_balance(self) -> Decimal:
        """What the customer paid beyond what was owed; the next charges spend it first."""
        return max(-self.balance, ZERO)

    @property
    def available_credit(self) -> Decimal:
        """What may still be owed within the limit: never more than the limit."""
        return max(self.credit_limit - self.owed, ZERO)

    @property
    def chargeable(self) -> Decimal:
        """The largest charge accepted now: the credit balance, then the available credit."""
        return self.credit_balance + self.available_credit

    def split_charge(self, amount: Decimal) -> tuple[Decimal, Decimal]:
        """A charge of ``amount`` as (taken from the credit balance, owed on account)."""
        from_credit_balance = min(amount, self.credit_balance)
        return from_credit_balance, amount - from_credit_balance

    def split_payment(self, amount: Decimal) -> tuple[Decimal, Decimal]:
        """A payment of ``amount`` as (settling what is owed, kept as a credit balance): the part
        beyond what is owed is not refused but kept, for the next charges to spend first."""
        settles = min(amount, self.owed)
        return settles, amount - settles


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge on account")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund to account")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    OTHER = "other", _("Other")


class LedgerEntry(models.Model):
    """An entry of a credit account. Append-only: database triggers refuse UPDATE and DELETE;
    a mistake is corrected by a reversal entry pointing back at it."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    sequence = models.PositiveIntegerField(help_text="1, 2, 3 ... per account, without gaps.")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(max_digits=12, decimal_places=2)
    effective_date = models.DateField()
    posted_at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=15, choices=PaymentMethod.choices, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    exceeds_limit = models.BooleanField(default=False, help_text="Posted although it took the balance over the "
                                                                 "limit (only reversals and adjustments can).")
    actor_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["account", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["account", "sequence"], name="ledger_sequence_unique"),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["account", "effective_date"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"
