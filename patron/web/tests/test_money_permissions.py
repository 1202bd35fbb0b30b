"""Every sales, orders, credit and loyalty cell of docs/permissions.md, checked through the web
pages: a role with the permission succeeds, one without is refused (403, or the control is not
shown) and nothing changes."""

import pytest

from patron.core.permissions import Role, allows
from patron.credit import actions as credit
from patron.credit.models import CreditAccount
from patron.locations.queries import default_location
from patron.loyalty.queries import points_balance
from patron.sales.actions import record_order
from patron.sales.models import Order, Sale
from patron.sales.tests.factories import sale_factory
from patron.web.tests.customer_support import client_for
from patron.web.tests.money_support import balance_of, customer_with_credit, money_state, url

pytestmark = pytest.mark.django_db
ROLES = list(Role)


@pytest.fixture
def customer():
    return customer_with_credit("100.00", emails=[{"address": "ada@example.org"}])


def check(role: str, permission: str, response, changed: bool, before, after) -> None:
    """Allowed: the change happened. Refused: 403 and the state did not move."""
    if allows(role, permission):
        assert changed, (role, permission)
    else:
        assert response.status_code == 403 and after == before and not changed, (role, permission)


# (URL name, what it needs as arguments, permission)
PAGES = [
    ("till", (), "sales.record"),
    ("till_done", ("sale",), "sales.record"),
    ("sale_list", (), "sales.view"),
    ("sale_detail", ("sale",), "sales.view"),
    ("customer_statement", ("customer",), "credit.view"),
    ("overdue_accounts", (), "credit.view_overdue"),
    ("settings_credit_loyalty", (), "settings.manage"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, needs, permission", PAGES)
def test_pages_open_for_the_roles_that_may_see_them(role, name, needs, permission, customer):
    records = {"customer": customer, "sale": sale_factory(customer)}
    response = client_for(role).get(url(name, *(records[need] for need in needs)))
    assert response.status_code == (200 if allows(role, permission) else 403)


@pytest.mark.parametrize("role", ROLES)
def test_customer_page_shows_the_sections_and_controls_of_the_role(role, customer, system):
    entry = credit.post_charge(actor=system, customer=customer, amount="10.00")
    order = record_order(actor=system, customer=customer, source="till-1", number="WO-1", kind="work_order",
                         location=default_location(), amount_due="5.00")
    html = client_for(role).get(url("customer_detail", customer)).content.decode()
    shown = {
        "sales.view": 'id="purchases"' in html and 'id="orders"' in html,
        "credit.view": 'id="account"' in html,
        "loyalty.view": 'id="points"' in html,
        "credit.record_payment": url("customer_record_payment", customer) in html,
        "credit.set_limit": url("customer_credit_limit", customer) in html,
        "credit.adjust": url("customer_credit_adjustment", customer) in html,
        "credit.reverse": url("customer_credit_reverse", customer, entry) in html,
        "loyalty.adjust": url("customer_points_adjustment", customer) in html,
        "orders.record": url("customer_order_status", customer, order) in html,
    }
    assert shown == {permission: allows(role, permission) for permission in shown}


def _till_sale(client, customer, tender: str):
    client.post(url("till_select_customer"), {"customer": str(customer.uuid)})
    client.post(url("till_add_line"), {"description": "Teapot", "quantity": "1", "unit_price": "35.00"})
    number = client.session.get("till_cart", {}).get("number", "none")  # none when adding lines was refused
    return client.post(url("till_complete"), {"number": number, tender: "35.00"})


@pytest.mark.parametrize("role", ROLES)
def test_sales_record(role, customer):
    client = client_for(role)
    before = money_state()
    response = _till_sale(client, customer, "cash")
    check(role, "sales.record", response, Sale.objects.count() == 1, before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_credit_charge(role, customer):
    client = client_for(role)
    before = money_state()
    response = _till_sale(client, customer, "on_account")
    check(role, "credit.charge", response, balance_of(customer) == 35, before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_credit_record_payment(role, customer):
    client = client_for(role)
    before = money_state()
    response = client.post(url("customer_record_payment", customer),
                                     {"payment-amount": "5.00", "payment-method": "cash",
                                      "confirmed_owed": "0.00"})  # more than owed: confirmed
    check(role, "credit.record_payment", response, balance_of(customer) == -5, before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_credit_set_limit(role, customer):
    client = client_for(role)
    before = money_state()
    response = client.post(url("customer_credit_limit", customer), {"limit-credit_limit": "300.00"})
    changed = CreditAccount.objects.get(customer=customer).credit_limit == 300
    check(role, "credit.set_limit", response, changed, before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_credit_adjust(role, customer):
    client = client_for(role)
    before = money_state()
    response = client.post(url("customer_credit_adjustment", customer),
                                     {"adjustment-amount": "7.00", "adjustment-note": "Fee"})
    check(role, "credit.adjust", response, balance_of(customer) == 7, before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_credit_reverse(role, customer, system):
    entry = credit.post_charge(actor=system, customer=customer, amount="10.00")
    client = client_for(role)
    before = money_state()
    response = client.post(url("customer_credit_reverse", customer, entry))
    check(role, "credit.reverse", response, balance_of(customer) == 0, before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_loyalty_adjust(role, customer):
    client = client_for(role)
    before = money_state()
    response = client.post(url("customer_points_adjustment", customer),
                                     {"points-points": "50", "points-note": "Welcome"})
    check(role, "loyalty.adjust", response, points_balance(customer) == 50, before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_orders_record(role, customer, system):
    order = record_order(actor=system, customer=customer, source="till-1", number="WO-1", kind="layaway",
                         location=default_location(), amount_due="5.00")
    client = client_for(role)
    before = money_state()
    response = client.post(url("customer_order_status", customer, order),
                                     {"status": "cancelled", "version": "1"})
    check(role, "orders.record", response, Order.objects.get().status == "cancelled", before, money_state())


@pytest.mark.parametrize("role", ROLES)
def test_sales_email_receipt(role, customer, smtp_inbox):
    sale = sale_factory(customer)
    client = client_for(role)
    before = money_state()
    response = client.post(url("sale_email_receipt", sale))
    check(role, "sales.email_receipt", response, len(smtp_inbox.messages) == 1, before, money_state())
