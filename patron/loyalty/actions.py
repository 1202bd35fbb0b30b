"""Earning, redeeming and adjusting loyalty points."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Refused, ValidationFailed
from patron.core.money import quantize
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.customers.models import Customer
from patron.loyalty.models import LoyaltySettings, PointsAccount, PointsEntry, PointsKind


def loyalty_settings() -> LoyaltySettings:
    return LoyaltySettings.objects.get(pk=1)


def points_for(amount: Decimal) -> int:
    """Points earned for spending ``amount`` (rounded down; nothing when loyalty is off)."""
    settings = loyalty_settings()
    if not settings.is_enabled or amount <= 0:
        return 0
    return int((amount * settings.points_per_unit).to_integral_value(rounding=ROUND_DOWN))


def value_of(points: int) -> Decimal:
    return quantize(Decimal(points) * loyalty_settings().point_value)


def points_needed(amount: Decimal) -> int:
    """Points that pay exactly ``amount``; refused when the point value does not divide it."""
    value = loyalty_settings().point_value
    points = amount / value
    if points != points.to_integral_value():
        raise ValidationFailed(_("%(amount)s cannot be paid in whole points worth %(point_value)s each.") % {
            "amount": amount, "point_value": value}, field="amount",
                               code="points-not-whole")
    return int(points)


def _locked_account(customer: Customer) -> PointsAccount:
    PointsAccount.objects.get_or_create(customer=customer)
    return PointsAccount.objects.select_for_update().get(customer=customer)


def _post(customer: Customer, *, actor: Actor, kind: str, points: int, reference: str = "",
          note: str = "") -> PointsEntry:
    account = _locked_account(customer)
    balance_after = account.balance + points
    if balance_after < 0:
        raise Refused(_("%(name)s has %(balance)s points; %(points)s cannot be taken.") % {
            "name": customer.name, "balance": account.balance, "points": -points},
                      code="not-enough-points")
    entry = PointsEntry.objects.create(account=account, sequence=account.last_sequence + 1, kind=kind,
                                       points=points, balance_after=balance_after, reference=reference, note=note,
                                       actor_label=actor.label)
    account.balance, account.last_sequence = balance_after, entry.sequence
    account.save(update_fields=["balance", "last_sequence"])
    record_event(actor=actor, action=f"loyalty.{kind}", subject=entry, customer=customer,
                 data={"points": points, "balance_after": balance_after, "reference": reference})
    return entry


@transaction.atomic
def earn_points(*, actor: Actor, customer: Customer, amount: Decimal, reference: str = "") -> PointsEntry | None:
    points = points_for(amount)
    if not points:
        return None
    return _post(customer, actor=actor, kind=PointsKind.EARN, points=points, reference=reference)


@transaction.atomic
def redeem_points(*, actor: Actor, customer: Customer, points: int, reference: str = "") -> PointsEntry:
    if not loyalty_settings().is_enabled:
        raise Refused(_("Loyalty points are switched off."), code="loyalty-disabled")
    if points <= 0:
        raise ValidationFailed(_("Redeem a positive number of points."), field="points")
    return _post(customer, actor=actor, kind=PointsKind.REDEEM, points=-points, reference=reference)


@transaction.atomic
def take_back_points(*, actor: Actor, customer: Customer, amount: Decimal, reference: str = "") -> PointsEntry | None:
    """Returned goods take back the points they earned, but never below zero."""
    account = _locked_account(customer)
    points = min(points_for(amount), account.balance)
    if not points:
        return None
    return _post(customer, actor=actor, kind=PointsKind.RETURN, points=-points, reference=reference)


@transaction.atomic
def adjust_points(*, actor: Actor, customer: Customer, points: int, note: str) -> PointsEntry:
    """A manager's correction, with a reason."""
    require(actor, "loyalty.adjust")
    try:
        note = clean_text(note, max_length=500)
    except ValueError as error:
        raise ValidationFailed(str(error), field="note") from None
    if not note:
        raise ValidationFailed(_("Say why the points are adjusted."), field="note")
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        raise ValidationFailed(_("Give a whole number of points, not zero."), field="points")
    return _post(customer, actor=actor, kind=PointsKind.ADJUSTMENT, points=points, note=note)


@transaction.atomic
def update_loyalty_settings(*, actor: Actor, is_enabled: bool, points_per_unit: Decimal,
                            point_value: Decimal) -> LoyaltySettings:
    require(actor, "settings.manage")
    if points_per_unit < 0 or point_value <= 0:
        raise ValidationFailed(_("Use a positive point value and earn rate."), field="point_value")
    settings = LoyaltySettings.objects.select_for_update().get(pk=1)
    before = (settings.is_enabled, settings.points_per_unit, settings.point_value)
    settings.is_enabled, settings.points_per_unit, settings.point_value = is_enabled, points_per_unit, point_value
    settings.save()
    record_event(actor=actor, action="settings.loyalty_updated", subject=settings,
                 changes={"settings": [list(before), [is_enabled, points_per_unit, point_value]]})
    return settings


@transaction.atomic
def move_points(*, actor: Actor, source: Customer, target: Customer, points: int | None = None, reference: str,
                note: str) -> int:
    """Move ``points`` (default: all) of ``source`` to ``target`` as two new adjustment entries:
    the sum of all balances stays the same. Never more than ``source`` has. Returns the points
    moved (0 when there were none)."""
    require(actor, "loyalty.adjust")
    if not PointsAccount.objects.filter(customer=source).exists():
        return 0
    available = _locked_account(source).balance
    moved = available if points is None else min(points, available)
    if moved <= 0:
        return 0
    _post(source, actor=actor, kind=PointsKind.ADJUSTMENT, points=-moved, reference=reference, note=note)
    _post(target, actor=actor, kind=PointsKind.ADJUSTMENT, points=moved, reference=reference, note=note)
    return moved
