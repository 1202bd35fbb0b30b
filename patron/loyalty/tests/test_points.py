"""Loyalty points: the earn rule, redemption value, adjustments and the never-negative ledger."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from patron.core.errors import PermissionDenied, Refused, ValidationFailed
from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.loyalty import actions
from patron.loyalty.models import PointsEntry
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db


def test_earn_rule_rounds_down_and_follows_the_settings(system):
    assert actions.points_for(Decimal("19.99")) == 19
    actions.update_loyalty_settings(actor=system, is_enabled=True, points_per_unit=Decimal("2.5"),
                                    point_value=Decimal("0.05"))
    assert actions.points_for(Decimal("10.00")) == 25
    assert actions.value_of(25) == Decimal("1.25")
    assert actions.points_needed(Decimal("1.25")) == 25
    with pytest.raises(ValidationFailed):
        actions.points_needed(Decimal("1.27"))
    actions.update_loyalty_settings(actor=system, is_enabled=False, points_per_unit=Decimal("1"),
                                    point_value=Decimal("0.01"))
    assert actions.points_for(Decimal("100.00")) == 0


def test_balance_and_history_move_together_and_never_below_zero(system):
    customer = customer_factory()
    actions.earn_points(actor=system, customer=customer, amount=Decimal("42.50"), reference="S/1")
    actions.redeem_points(actor=system, customer=customer, points=40, reference="S/2")
    with pytest.raises(Refused):
        actions.redeem_points(actor=system, customer=customer, points=3)
    entries = list(PointsEntry.objects.filter(account__customer=customer).values_list("sequence", "points",
                                                                                      "balance_after"))
    assert entries == [(1, 42, 42), (2, -40, 2)]


def test_returns_take_back_points_but_not_below_zero(system):
    customer = customer_factory()
    actions.earn_points(actor=system, customer=customer, amount=Decimal("10"))
    actions.redeem_points(actor=system, customer=customer, points=8)
    entry = actions.take_back_points(actor=system, customer=customer, amount=Decimal("10"))
    assert (entry.points, entry.balance_after) == (-2, 0)


def test_only_managers_adjust_and_with_a_reason(system):
    customer = customer_factory()
    with pytest.raises(PermissionDenied):
        actions.adjust_points(actor=actor_for(Role.CASHIER), customer=customer, points=10, note="Gift")
    with pytest.raises(ValidationFailed):
        actions.adjust_points(actor=system, customer=customer, points=10, note="")
    with pytest.raises(ValidationFailed):
        actions.adjust_points(actor=system, customer=customer, points=0, note="Nothing")
    assert actions.adjust_points(actor=actor_for(Role.MANAGER), customer=customer, points=10,
                                 note="Gift").balance_after == 10


def test_points_entries_are_append_only(system):
    customer = customer_factory()
    entry = actions.adjust_points(actor=system, customer=customer, points=5, note="Welcome")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE loyalty_pointsentry SET points = 500 WHERE id = {entry.pk}")
