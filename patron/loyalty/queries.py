"""Reading loyalty points: a customer's balance and history."""

from __future__ import annotations

from django.db.models import QuerySet

from patron.customers.models import Customer
from patron.loyalty.models import PointsAccount, PointsEntry


def points_balance(customer: Customer) -> int:
    return PointsAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or 0


def points_history(customer: Customer) -> QuerySet[PointsEntry]:
    """The customer's points entries, newest first."""
    return PointsEntry.objects.filter(account__customer=customer).order_by("-sequence")
