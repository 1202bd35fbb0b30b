"""Recording sales, returns and orders from POS terminals and webshops.

A sale is one transaction: its lines, its payments, the charge on the customer's credit account
for the part paid on account, the points redeemed and earned, and the customer's purchase
totals. Either all of it is stored or none of it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict
from patron.core.money import check_currency, parse_amount, quantize
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.core.validation import FieldErrors
from patron.credit import actions as credit
from patron.customers import rules
from patron.customers.models import Contact, Customer
from patron.locations.models import Location
from patron.loyalty import actions as loyalty
from patron.sales.models import (
    Channel,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Sale,
    SaleKind,
    SaleLine,
    SalePayment,
    TenderKind,
)
from patron.sales.stats import add_to_purchase_figures

MAX_LINES = 250
_QUANTITY_PLACES = Decimal("0.001")


def _clean_quantity(errors: FieldErrors, field: str, value) -> Decimal | None:
    if isinstance(value, float) or value in (None, ""):
        errors.add(field, _("Give the quantity as a decimal string, e.g. \"1\" or \"0.5\"."))
        return None
    try:
        quantity = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(field, _("Enter a quantity."))
        return None
    if not quantity.is_finite() or quantity <= 0 or quantity > 100_000 or quantity != quantity.quantize(
            _QUANTITY_PLACES):
        errors.add(field, _("Enter a positive quantity with at most three decimals."))
        return None
    return quantity


def _clean_money(errors: FieldErrors, field: str, value, *, allow_zero: bool) -> Decimal | None:
    try:
        return parse_amount("0" if value in (None, "") else value, allow_zero=allow_zero)
    except ValueError as error:
        errors.add(field, str(error))
        return None


def _clean_lines(errors: FieldErrors, lines: list[dict]) -> list[dict]:
    if not lines:
        errors.add("lines", _("A sale needs at least one line."))
    if len(lines) > MAX_LINES:
        errors.add("lines", _("Use at most %(max_lines)s lines.") % {"max_lines": MAX_LINES})
        return []
    cleaned = []
    for index, line in enumerate(lines):
        prefix = f"lines.{index}"
        values = {
            "sku": errors.clean(f"{prefix}.sku", clean_text, line.get("sku", ""), max_length=60),
            "description": errors.clean(f"{prefix}.description", clean_text, line.get("description"),
                                        max_length=200),
            "department": errors.clean(f"{prefix}.department", clean_text, line.get("department", ""),
                                       max_length=60),
            "quantity": _clean_quantity(errors, f"{prefix}.quantity", line.get("quantity")),
            "unit_price": _clean_money(errors, f"{prefix}.unit_price", line.get("unit_price"), allow_zero=True),
            "discount": _clean_money(errors, f"{prefix}.discount", line.get("discount"), allow_zero=True),
            "tax": _clean_money(errors, f"{prefix}.tax", line.get("tax"), allow_zero=True),
        }
        if values["description"] == "":
            errors.add(f"{prefix}.description", _("Describe the item."))
        if None not in values.values():
            gross = quantize(values["quantity"] * values["unit_price"])
            if values["discount"] > gross:
                errors.add(f"{prefix}.discount", _("The discount is larger than the line."))
            values["line_total"] = gross - values["discount"] + values["tax"]
            values["gross"] = gross
        cleaned.append(values)
    return cleaned


def _clean_payments(errors: FieldErrors, payments: list[dict]) -> list[dict]:
    cleaned = []
    for index, payment in enumerate(payments):
        tender = payment.get("tender")
        if tender not in TenderKind.values:
            errors.add(f"payments.{index}.tender", _("Choose cash, card, on account, points or other."))
        amount = _clean_money(errors, f"payments.{index}.amount", payment.get("amount"), allow_zero=False)
        cleaned.append({"tender": tender, "amount": amount})
    return cleaned


def _totals(lines: list[dict], sign: int) -> dict[str, Decimal]:
    subtotal = sum((line["gross"] for line in lines), Decimal("0"))
    discount = sum((line["discount"] for line in lines), Decimal("0"))
    tax = sum((line["tax"] for line in lines), Decimal("0"))
    return {"subtotal": quantize(sign * subtotal), "discount_total": quantize(sign * discount),
            "tax_total": quantize(sign * tax), "total": quantize(sign * (subtotal - discount + tax))}


def price_lines(lines: list[dict]) -> tuple[list[Decimal], dict[str, Decimal]]:
    """Each line's total and the totals of a sale of ``lines``, as ``record_sale`` would store
    them, recording nothing: what a till's cart shows. Refuses bad lines like ``record_sale``."""
    errors = FieldErrors()
    cleaned = _clean_lines(errors, lines)
    errors.raise_if_any()
    return [line["line_total"] for line in cleaned], _totals(cleaned, 1)


def percent_discount(quantity: Decimal, unit_price: Decimal, percent: Decimal) -> Decimal:
    """The discount of a line at ``percent`` off (a customer's default discount, O14)."""
    return quantize(quantize(quantity * unit_price) * percent / 100)


def _current(customer: Customer | None) -> Customer | None:
    """The customer as committed now, locked until the sale or order is stored: its status may
    have changed since the caller read it, and a status change must not slip in between the
    check and the sale (``rules.locked_for_decision``)."""
    return rules.locked_for_decision(customer) if customer is not None else None


def _linked_customer(customer: Customer | None) -> Customer | None:
    """Placeholders whose sales are not tracked are not linked to history."""
    if customer is not None and customer.is_placeholder and not customer.track_sales:
        return None
    return customer


def _check_buyer(errors: FieldErrors, customer: Customer | None, bought_by: Contact | None, on_account: bool):
    if bought_by is None:
        return
    if customer is None or bought_by.customer_id != customer.pk or not bought_by.is_active:
        errors.add("bought_by", _("The buyer must be an active contact of the customer."))
    elif on_account and not bought_by.is_authorized_buyer:
        errors.add("bought_by", _("%(bought_by)s is not authorized to buy on the account.") % {"bought_by": bought_by})


def _check_return(errors: FieldErrors, original: Sale | None, customer: Customer | None, total: Decimal):
    if original is None:
        errors.add("original_sale", _("A return names the sale it refunds."))
        return
    if original.kind != SaleKind.SALE:
        errors.add("original_sale", _("Only a sale can be returned."))
    if original.customer_id != (customer.pk if customer else None):
        errors.add("original_sale", _("The return must be for the customer of the original sale."))
    returned = -sum((sale.total for sale in original.returns.all()), Decimal("0"))
    if -total + returned > original.total:
        errors.add("lines", _("Only %(amount)s of sale %(number)s is left to return.") % {
            "amount": original.total - returned, "number": original.number})


@transaction.atomic
def record_sale(*, actor: Actor, source: str, number: str, location: Location, lines: list[dict],
                payments: list[dict], customer: Customer | None = None, bought_by: Contact | None = None,
                occurred_at: datetime.datetime | None = None, channel: str = Channel.POS,
                kind: str = SaleKind.SALE, original_sale: Sale | None = None, currency: str | None = None) -> Sale:
    """Record a sale (or a return, with ``kind="return"`` and ``original_sale``).

    Lines carry positive quantities and amounts; a return's totals and payments are stored
    negative. Payments must add up to the total. Paying "on_account" charges the customer's
    credit account (a return refunds it); "points" redeems loyalty points at their value.
    """
    require(actor, "sales.record")
    check_currency(currency)
    errors = FieldErrors()
    source = errors.clean("source", clean_text, source, max_length=60)
    number = errors.clean("number", clean_text, number, max_length=40)
    for field, value in (("source", source), ("number", number)):
        if value == "":
            errors.add(field, _("Required."))
    if kind not in SaleKind.values:
        errors.add("kind", _("Choose sale or return."))
    if channel not in Channel.values:
        errors.add("channel", _("Choose pos, webshop or back_office."))
    sign = -1 if kind == SaleKind.RETURN else 1
    rules.check_records_at(actor, location)
    customer = _current(customer)
    if customer is not None:
        rules.check_may_serve(actor, customer)
    cleaned_lines = _clean_lines(errors, lines)
    cleaned_payments = _clean_payments(errors, payments)
    errors.raise_if_any()

    totals = _totals(cleaned_lines, sign)
    paid = quantize(sum((payment["amount"] for payment in cleaned_payments), Decimal("0")))
    if sign * paid != totals["total"]:
        errors.add("payments", _("Payments add up to %(paid)s, the sale totals %(total)s.") % {
            "paid": paid, "total": abs(totals['total'])})
    tenders = {payment["tender"] for payment in cleaned_payments}
    linked = _linked_customer(customer)
    if tenders & {TenderKind.ON_ACCOUNT, TenderKind.POINTS} and linked is None:
        errors.add("payments", _("Paying on account or with points needs a customer whose sales are tracked."))
    if kind == SaleKind.RETURN and TenderKind.POINTS in tenders:
        errors.add("payments", _("Refund a return in cash, by card or to the account, not in points."))
    _check_buyer(errors, linked, bought_by, TenderKind.ON_ACCOUNT in tenders)
    if kind == SaleKind.RETURN:
        _check_return(errors, original_sale, linked, totals["total"])
    errors.raise_if_any()
    if customer is not None and kind == SaleKind.SALE:
        rules.check_may_buy(customer)

    sale = _store_sale(actor, source=source, number=number, kind=kind, original_sale=original_sale,
                       occurred_at=occurred_at or timezone.now(), location=location, channel=channel,
                       customer=linked, bought_by=bought_by, totals=totals, lines=cleaned_lines)
    for payment in cleaned_payments:
        _take_payment(actor, sale, payment["tender"], sign * payment["amount"])
    _update_points(actor, sale, cleaned_payments)
    if linked is not None:
        add_to_purchase_figures(sale)
    record_event(actor=actor, action=f"sales.{kind}_recorded", subject=sale, customer=linked,
                 data={"number": number, "source": source, "total": sale.total,
                       "tenders": sorted(tenders)})
    return sale


def _store_sale(actor: Actor, *, lines: list[dict], totals: dict, **fields) -> Sale:
    try:
        with transaction.atomic():
            sale = Sale.objects.create(currency=settings.PATRON_CURRENCY, recorded_by=actor.label, **totals,
                                       **fields)
    except IntegrityError:
        raise Conflict(_("Sale %(number)s of %(source)s is already recorded.") % {
            "number": fields['number'], "source": fields['source']},
                       field="number", code="sale-number-taken") from None
    SaleLine.objects.bulk_create(
        SaleLine(sale=sale, position=position, sku=line["sku"], description=line["description"],
                 department=line["department"], quantity=line["quantity"], unit_price=line["unit_price"],
                 discount=line["discount"], tax=line["tax"], line_total=line["line_total"])
        for position, line in enumerate(lines, start=1)
    )
    return sale


def _take_payment(actor: Actor, sale: Sale, tender: str, amount: Decimal) -> SalePayment:
    payment = SalePayment(sale=sale, tender=tender, amount=amount)
    reference = f"{sale.source}/{sale.number}"
    sale_day = timezone.localdate(sale.occurred_at)  # a sale recorded late belongs to its own day's statement
    if tender == TenderKind.ON_ACCOUNT and amount > 0:
        payment.ledger_entry = credit.post_charge(actor=actor, customer=sale.customer, amount=amount,
                                                  reference=reference, effective_date=sale_day)
    elif tender == TenderKind.ON_ACCOUNT:
        payment.ledger_entry = credit.post_refund(actor=actor, customer=sale.customer, amount=-amount,
                                                  reference=reference, effective_date=sale_day)
    elif tender == TenderKind.POINTS:
        payment.points_entry = loyalty.redeem_points(actor=actor, customer=sale.customer,
                                                     points=loyalty.points_needed(amount), reference=reference)
    payment.save()
    return payment


def _update_points(actor: Actor, sale: Sale, payments: list[dict]) -> None:
    """Earn points on what was not paid with points; a return takes back what it had earned."""
    if sale.customer is None:
        return
    paid_in_points = sum((p["amount"] for p in payments if p["tender"] == TenderKind.POINTS), Decimal("0"))
    amount = abs(sale.total) - paid_in_points
    reference = f"{sale.source}/{sale.number}"
    if sale.kind == SaleKind.SALE:
        loyalty.earn_points(actor=actor, customer=sale.customer, amount=amount, reference=reference)
    else:
        loyalty.take_back_points(actor=actor, customer=sale.customer, amount=amount, reference=reference)


# --- orders ---------------------------------------------------------------------------------

def _clean_order_lines(errors: FieldErrors, lines: list[dict]) -> list[dict]:
    """An order's lines: an article (sku), a description, a quantity and a unit price each."""
    if not lines:
        errors.add("lines", _("An order needs at least one line."))
        return []
    return _clean_lines(errors, [{key: line.get(key) for key in ("sku", "description", "quantity", "unit_price")}
                                 for line in lines])


def _order_amount(errors: FieldErrors, amount_due, lines: list[dict] | None) -> Decimal | None:
    """The amount due: the lines' total when the order has lines, else the amount given."""
    if lines is None:
        return _clean_money(errors, "amount_due", amount_due, allow_zero=True)
    if amount_due is not None:
        errors.add("amount_due", _("An order with lines is due the lines' total."))
    return quantize(sum((line.get("line_total", Decimal("0")) for line in lines), Decimal("0")))


def _store_order_lines(order: Order, lines: list[dict]) -> None:
    order.lines.all().delete()
    OrderLine.objects.bulk_create(
        OrderLine(order=order, position=position, sku=line["sku"], description=line["description"],
                  quantity=line["quantity"], unit_price=line["unit_price"], line_total=line["line_total"])
        for position, line in enumerate(lines, start=1)
    )


def _check_order_status(errors: FieldErrors, status: str | None) -> None:
    if status is not None and status not in OrderStatus.values:
        errors.add("status", _("Choose pending, completed or cancelled."))


def _closed_at(status: str) -> datetime.datetime | None:
    return None if status == OrderStatus.PENDING else timezone.now()


@transaction.atomic
def record_order(*, actor: Actor, customer: Customer, source: str, number: str, kind: str, location: Location,
                 amount_due=None, placed_at: datetime.datetime | None = None, description: str = "",
                 lines: list[dict] | None = None, status: str = OrderStatus.PENDING) -> Order:
    """Record a work order, backorder, special order or layaway taken at a till or in the back
    office. Given ``lines`` (sku, description, quantity, unit price), the amount due is their
    total. Refused for a customer on credit hold or entered by mistake."""
    require(actor, "orders.record")
    errors = FieldErrors()
    source = errors.clean("source", clean_text, source, max_length=60)
    number = errors.clean("number", clean_text, number, max_length=40)
    description = errors.clean("description", clean_text, description, max_length=500)
    if kind not in OrderKind.values:
        errors.add("kind", _("Choose work order, backorder, special order or layaway."))
    _check_order_status(errors, status)
    cleaned_lines = _clean_order_lines(errors, lines) if lines is not None else None
    amount = _order_amount(errors, amount_due, cleaned_lines)
    for field, value in (("source", source), ("number", number)):
        if value == "":
            errors.add(field, _("Required."))
    errors.raise_if_any()
    rules.check_records_at(actor, location)
    customer = _current(customer)
    rules.check_may_serve(actor, customer)
    rules.check_may_place_order(customer)
    try:
        with transaction.atomic():
            order = Order.objects.create(customer=customer, source=source, number=number, kind=kind,
                                         location=location, amount_due=amount, description=description,
                                         placed_at=placed_at or timezone.now(), status=status,
                                         closed_at=_closed_at(status))
    except IntegrityError:
        raise Conflict(_("Order %(number)s of %(source)s is already recorded.") % {
            "number": number, "source": source}, field="number",
                       code="order-number-taken") from None
    if cleaned_lines is not None:
        _store_order_lines(order, cleaned_lines)
    record_event(actor=actor, action="orders.recorded", subject=order, customer=customer,
                 data={"kind": kind, "number": number, "amount_due": amount, "status": status,
                       "lines": len(cleaned_lines or ())})
    return order


def _line_key(line) -> list[str]:
    """A line as plain text, the same for a stored line and a cleaned one (audit, comparison)."""
    get = line.get if isinstance(line, dict) else lambda key: getattr(line, key)
    return [get("sku"), get("description"), str(get("quantity").quantize(_QUANTITY_PLACES)),
            str(quantize(get("unit_price")))]


def _line_values(order: Order) -> list[list[str]]:
    return [_line_key(line) for line in order.lines.all()]


@transaction.atomic
def update_order(*, actor: Actor, order: Order, status: str | None = None, amount_due=None,
                 description: str | None = None, lines: list[dict] | None = None,
                 expected_version: int | None = None) -> Order:
    """Change an order's status, amount due, description or lines; completing or cancelling it
    sets the close date. Lines replace the order's lines and set the amount due to their total;
    only a pending order's lines and description change."""
    require(actor, "orders.record")
    order = Order.objects.select_for_update().get(pk=order.pk)
    rules.check_may_serve(actor, order.customer)
    if expected_version is not None and order.version != expected_version:
        from patron.core.errors import StaleVersion

        raise StaleVersion(_("The order was changed by someone else; reload and try again."))
    errors = FieldErrors()
    _check_order_status(errors, status)
    if description is not None:
        description = errors.clean("description", clean_text, description, max_length=500)
    cleaned_lines = _clean_order_lines(errors, lines) if lines is not None else None
    if amount_due is not None and cleaned_lines is None and order.lines.exists():
        errors.add("amount_due", _("An order with lines is due the lines' total."))
    if cleaned_lines is not None or amount_due is not None:
        amount = _order_amount(errors, amount_due, cleaned_lines)
    else:
        amount = None
    errors.raise_if_any()
    if order.status != OrderStatus.PENDING and (
            (cleaned_lines is not None and _line_values(order) != [_line_key(line) for line in cleaned_lines])
            or (description is not None and description != order.description)):
        raise Conflict(_("%(order)s is closed: only a pending order's lines and note can change.") % {
            "order": order}, code="order-closed")
    before = {"status": order.status, "amount_due": order.amount_due, "description": order.description,
              "lines": _line_values(order)}
    if status is not None and status != order.status:
        order.status = status
        order.closed_at = _closed_at(status)
    if amount is not None:
        order.amount_due = amount
    if description is not None:
        order.description = description
    if cleaned_lines is not None:
        _store_order_lines(order, cleaned_lines)
    after = {"status": order.status, "amount_due": order.amount_due, "description": order.description,
             "lines": _line_values(order)}
    if after != before:
        order.version += 1
        order.save()
        record_event(actor=actor, action="orders.updated", subject=order, customer=order.customer,
                     changes={key: [before[key], after[key]] for key in after if before[key] != after[key]})
    return order
