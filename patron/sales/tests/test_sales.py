"""Recording sales and returns: lines, payments, charges on account, points, purchase figures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from patron.core.errors import Conflict, NotFound, Refused, RuleViolation, ValidationFailed
from patron.core.models import AuditEvent
from patron.credit import actions as credit
from patron.credit.models import LedgerEntry
from patron.customers.actions import add_contact, change_status, delete_customer
from patron.customers.models import Customer, CustomerKind, CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.loyalty import actions as loyalty
from patron.loyalty.models import PointsAccount, PointsEntry
from patron.sales import queries
from patron.sales.actions import record_order, update_order
from patron.sales.models import Order, Sale, SaleKind
from patron.sales.tests.factories import line, sale_factory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def on_account(system):
    credit.set_credit_enabled(actor=system, is_enabled=True)
    customer = customer_factory()
    credit.set_credit_limit(actor=system, customer=customer, credit_limit="100.00")
    return customer


def _points(customer) -> int:
    return PointsAccount.objects.get(customer=customer).balance


def _counts():
    return Sale.objects.count(), LedgerEntry.objects.count(), PointsEntry.objects.count(), AuditEvent.objects.count()


def test_sale_keeps_lines_totals_and_payments(system):
    customer = customer_factory()
    sale = sale_factory(customer, lines=[
        line("Mug", "2", "12.50", sku="MUG-1", department="Kitchen", discount="5.00", tax="3.80"),
        line("Tea", "0.5", "9.99", department="Food")])
    assert (sale.subtotal, sale.discount_total, sale.tax_total, sale.total) == (
        D("30.00"), D("5.00"), D("3.80"), D("28.80"))
    assert [item.line_total for item in sale.lines.all()] == [D("23.80"), D("5.00")]
    assert sale.customer == customer and sale.payments.get().tender == "cash"


def test_payments_must_add_up_to_the_total(system):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        sale_factory(lines=[line(unit_price="10.00")], payments=[{"tender": "cash", "amount": "9.99"}])
    assert "payments" in raised.value.errors
    assert _counts() == before


def test_sale_number_is_unique_per_source(system):
    sale_factory(number="A-1")
    with pytest.raises(Conflict):
        sale_factory(number="A-1")
    assert Sale.objects.count() == 1


def test_paying_on_account_charges_the_account_in_the_same_transaction(system, on_account):
    sale = sale_factory(on_account, lines=[line(unit_price="60.00")],
                        payments=[{"tender": "on_account", "amount": "40.00"}, {"tender": "card", "amount": "20.00"}])
    entry = sale.payments.get(tender="on_account").ledger_entry
    assert (entry.amount, entry.reference) == (D("40.00"), f"till-1/{sale.number}")
    on_account.credit_account.refresh_from_db()
    assert on_account.credit_account.balance == D("40.00")


def test_a_sale_recorded_late_charges_the_account_on_the_day_of_the_sale(system, on_account):
    monday = timezone.make_aware(datetime.datetime(2026, 10, 5, 15))
    sale = sale_factory(on_account, occurred_at=monday, payments=[{"tender": "on_account", "amount": "10.00"}])
    assert sale.payments.get().ledger_entry.effective_date == datetime.date(2026, 10, 5)


def test_a_refused_charge_stores_nothing_of_the_sale(system, on_account):
    sale_factory(on_account, lines=[line(unit_price="90.00")], payments=[{"tender": "on_account", "amount": "90.00"}])
    before = _counts()
    with pytest.raises(Refused):
        sale_factory(on_account, lines=[line(unit_price="10.01")],
                     payments=[{"tender": "on_account", "amount": "10.01"}])
    assert _counts() == before
    assert Customer.objects.get(pk=on_account.pk).sale_count == 1


def test_on_account_needs_a_customer_and_on_hold_customers_cannot_use_it(system, on_account):
    with pytest.raises(ValidationFailed):
        sale_factory(None, payments=[{"tender": "on_account", "amount": "10.00"}])
    change_status(actor=system, customer=on_account, status=CustomerStatus.CREDIT_HOLD)
    with pytest.raises(RuleViolation):
        sale_factory(on_account, payments=[{"tender": "on_account", "amount": "10.00"}])
    sale_factory(on_account)  # paying at once is still fine on credit hold


@pytest.mark.parametrize("status", [CustomerStatus.INACTIVE, CustomerStatus.DELETED])
def test_inactive_and_deleted_customers_cannot_buy(system, status):
    customer = customer_factory()
    change_status(actor=system, customer=customer, status=status)
    with pytest.raises(RuleViolation):
        sale_factory(customer)
    assert not Sale.objects.exists()


def test_placeholder_that_does_not_track_sales_is_not_linked(system):
    walk_in = customer_factory(CustomerKind.PLACEHOLDER, name="Walk-in", track_sales=False)
    tracked = customer_factory(CustomerKind.PLACEHOLDER, name="Market stall")
    assert sale_factory(walk_in).customer is None
    assert sale_factory(tracked).customer == tracked


def test_authorized_contact_buys_on_account_and_is_recorded(system, on_account):
    spouse = add_contact(actor=system, customer=on_account, values={"first_name": "Kim", "is_authorized_buyer": True})
    child = add_contact(actor=system, customer=on_account, values={"first_name": "Sam"})
    sale = sale_factory(on_account, bought_by=spouse, payments=[{"tender": "on_account", "amount": "10.00"}])
    assert sale.bought_by == spouse
    with pytest.raises(ValidationFailed) as raised:
        sale_factory(on_account, bought_by=child, payments=[{"tender": "on_account", "amount": "10.00"}])
    assert "not authorized" in raised.value.errors["bought_by"][0]
    stranger = add_contact(actor=system, customer=customer_factory(), values={"first_name": "Lou",
                                                                            "is_authorized_buyer": True})
    with pytest.raises(ValidationFailed):
        sale_factory(on_account, bought_by=stranger)


def test_return_references_the_sale_and_refunds_the_account(system, on_account):
    sale = sale_factory(on_account, lines=[line(unit_price="30.00", quantity="2")],
                        payments=[{"tender": "on_account", "amount": "60.00"}])
    refund = sale_factory(on_account, kind=SaleKind.RETURN, original_sale=sale, lines=[line(unit_price="30.00")],
                          payments=[{"tender": "on_account", "amount": "30.00"}])
    assert (refund.total, refund.original_sale) == (D("-30.00"), sale)
    assert refund.payments.get().ledger_entry.amount == D("-30.00")
    on_account.credit_account.refresh_from_db()
    assert on_account.credit_account.balance == D("30.00")
    with pytest.raises(ValidationFailed):  # only 30.00 is left to return
        sale_factory(on_account, kind=SaleKind.RETURN, original_sale=sale, lines=[line(unit_price="30.01")],
                     payments=[{"tender": "cash", "amount": "30.01"}])


def test_points_are_earned_and_redeemed_as_payment(system):
    customer = customer_factory()
    sale_factory(customer, lines=[line(unit_price="250.75")])
    assert _points(customer) == 250  # 1 point per unit, rounded down
    sale = sale_factory(customer, lines=[line(unit_price="3.00")], payments=[{"tender": "points", "amount": "2.00"},
                                                                           {"tender": "cash", "amount": "1.00"}])
    assert sale.payments.get(tender="points").points_entry.points == -200
    assert _points(customer) == 51  # 250 - 200 + 1 earned on the cash part
    with pytest.raises(Refused):
        sale_factory(customer, lines=[line(unit_price="1.00")], payments=[{"tender": "points", "amount": "1.00"}])


def test_points_never_go_negative(system):
    customer = customer_factory()
    with pytest.raises(Refused):
        loyalty.redeem_points(actor=system, customer=customer, points=1)
    with pytest.raises(Refused):
        loyalty.adjust_points(actor=system, customer=customer, points=-5, note="typo")
    loyalty.adjust_points(actor=system, customer=customer, points=5, note="Welcome bonus")
    assert _points(customer) == 5


def test_purchase_figures_count_sales_visits_and_departments(system):
    customer = customer_factory()
    monday = timezone.make_aware(datetime.datetime(2026, 10, 5, 10))
    sale_factory(customer, occurred_at=monday, lines=[line(unit_price="20.00", department="Kitchen")])
    first = sale_factory(customer, occurred_at=monday + datetime.timedelta(hours=3),
                         lines=[line(unit_price="10.00", department="Food")])
    sale_factory(customer, occurred_at=monday + datetime.timedelta(days=30),
                 lines=[line(unit_price="30.00", department="Kitchen")])
    sale_factory(customer, kind=SaleKind.RETURN, original_sale=first, occurred_at=monday + datetime.timedelta(days=31),
                 lines=[line(unit_price="10.00", department="Food")])
    summary = queries.purchase_summary(customer)
    assert (summary.total, summary.sale_count, summary.return_count, summary.visit_count, summary.average_basket) == (
        D("50.00"), 3, 1, 3, D("16.67"))
    figures = Customer.objects.get(pk=customer.pk)
    assert (figures.total_purchases, figures.sale_count, figures.visit_count) == (D("50.00"), 3, 3)
    assert figures.last_purchase_at == monday + datetime.timedelta(days=31)
    assert queries.revenue_by_department(customer) == {"Food": D("0.00"), "Kitchen": D("50.00")}
    assert [total for month, total in queries.spend_by_month(customer)] == [D("30.00"), D("20.00")]
    october = queries.purchase_history(customer, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31))
    assert october.count() == 2


def test_customer_with_sales_must_be_deactivated_not_deleted(system):
    customer = customer_factory()
    sale_factory(customer)
    with pytest.raises(RuleViolation, match="1 sale"):
        delete_customer(actor=system, customer=customer)


def test_bad_lines_are_refused_with_their_position(system):
    with pytest.raises(ValidationFailed) as raised:
        sale_factory(lines=[line(), line(description="", quantity="-1", unit_price="1.234")],
                     payments=[{"tender": "cash", "amount": "10.00"}])
    assert {"lines.1.description", "lines.1.quantity", "lines.1.unit_price"} <= set(raised.value.errors)


# --- orders ---------------------------------------------------------------------------------

def test_orders_are_recorded_and_closed(system):
    from patron.locations.queries import default_location

    customer = customer_factory()
    order = record_order(actor=system, customer=customer, source="till-1", number="WO-1", kind="work_order",
                         location=default_location(), amount_due="45.00", description="Resize ring")
    order = update_order(actor=system, order=order, status="completed", amount_due="0")
    assert (order.status, order.amount_due, order.closed_at is not None) == ("completed", D("0.00"), True)


@pytest.mark.parametrize("status", [CustomerStatus.CREDIT_HOLD, CustomerStatus.DELETED])
def test_orders_are_blocked_on_credit_hold_and_deleted(system, status):
    from patron.locations.queries import default_location

    customer = customer_factory()
    change_status(actor=system, customer=customer, status=status)
    with pytest.raises(RuleViolation):
        record_order(actor=system, customer=customer, source="till-1", number="L-1", kind="layaway",
                     location=default_location(), amount_due="10.00")
    assert not Order.objects.exists()


def test_unknown_sale_is_not_found():
    with pytest.raises(NotFound):
        queries.get_sale("00000000-0000-0000-0000-000000000000")
