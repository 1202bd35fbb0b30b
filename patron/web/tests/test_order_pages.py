"""Orders taken and edited in the back office (issue 18): a new order from the customer's Orders
section, with lines typed the user's way, and editing an open order's lines and note, through the
same actions as the API; refusals next to their fields, nothing half-saved."""

from decimal import Decimal

import pytest

from patron.core.actors import system_actor
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers import actions as customer_actions
from patron.customers.tests.factories import customer_factory
from patron.locations.queries import default_location
from patron.sales.actions import record_order
from patron.sales.models import Order, OrderLine, OrderStatus
from patron.web.tests.customer_support import client_for, field_error
from patron.web.tests.money_support import money_state, url

pytestmark = pytest.mark.django_db
D = Decimal


def lines(*rows, spare: int = 1) -> dict:
    """The posted rows of the lines table: (sku, description, quantity, unit price) each."""
    data = {"rows": str(len(rows) + spare)}
    for index, row in enumerate(rows):
        data.update({f"line-{index}-{name}": value
                     for name, value in zip(("sku", "description", "quantity", "unit_price"), row, strict=True)})
    return data


def new_order(client, customer, **values):
    data = {"kind": "special_order", "number": "", "description": "", "status": "pending", **values}
    return client.post(url("customer_new_order", customer), data)


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


def test_the_orders_section_links_to_a_new_order(cashier):
    customer = customer_factory()
    html = cashier.get(url("customer_detail", customer)).content.decode()
    assert f'href="{url("customer_new_order", customer)}"' in html
    page = cashier.get(url("customer_new_order", customer))
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Type", "Reference", "Note", "Status", "Article", "Unit price"):
        assert label in html
    assert 'name="line-2-quantity"' in html and 'aria-label="Quantity, line 3"' in html


def test_a_new_order_with_lines_typed_in_german(cashier):
    customer = customer_factory()
    client = client_for(Role.CASHIER, HTTP_ACCEPT_LANGUAGE="de")
    response = new_order(client, customer, description="Abholung Freitag",
                         **lines(("TP-1", "Teekanne", "1,5", "1.234,50"), ("", "Tassen", "4", "2,25 $")))
    assert response.status_code == 302 and response.url.endswith("?open=orders")
    order = Order.objects.get()
    assert order.kind == "special_order" and order.status == OrderStatus.PENDING and order.closed_at is None
    assert order.amount_due == D("1860.75")  # 1.5 × 1234.50 = 1851.75, + 4 × 2.25
    assert order.number == "000001" and order.source == "web-orders-" + default_location().code
    assert order.description == "Abholung Freitag" and order.location == default_location()
    assert [(line.position, line.sku, line.description, line.quantity, line.unit_price, line.line_total)
            for line in order.lines.all()] == [
        (1, "TP-1", "Teekanne", D("1.5"), D("1234.50"), D("1851.75")), (2, "", "Tassen", D("4"), D("2.25"), D("9.00"))]
    event = AuditEvent.objects.get(action="orders.recorded")
    assert event.data["lines"] == 2
    shown = client.get(response.url).content.decode()
    assert "1.860,75" in shown and "1,5 × Teekanne (TP-1)" in shown
    assert new_order(client, customer, **lines(("", "Tee", "1", "1"))).status_code == 302
    assert Order.objects.filter(number="000002").exists()  # numbered in turn


def test_a_refused_order_shows_every_error_next_to_its_field_and_saves_nothing(cashier):
    customer = customer_factory()
    before = money_state()
    response = new_order(cashier, customer, kind="wish", status="lost",
                         **lines(("A-1", "", "two", "3.00"), ("", "Cups", "1", "1,50"), ("", "", "", "")))
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "id_kind") and field_error(html, "id_status")
    assert field_error(html, "id_line-0-description") == "Required."
    assert "Enter a number such as 1,234.5" in field_error(html, "id_line-0-quantity")
    assert "Enter an amount such as" in field_error(html, "id_line-1-unit_price")  # "1,50" is not English
    assert "Correct the lines marked below." in html
    assert 'value="A-1"' in html and 'value="Cups"' in html  # what was typed stays
    assert money_state() == before and not OrderLine.objects.exists()
    refused_by_the_action = new_order(cashier, customer, **lines(("", "Tea", "0", "1.00")))
    assert refused_by_the_action.status_code == 422 and money_state() == before
    assert new_order(cashier, customer, **lines(("", "Tea", "1", "1.00"))).status_code == 302
    assert Order.objects.get().number == "000001"  # a refused order used up no number


def test_an_order_needs_a_line_and_a_free_reference(cashier, system):
    customer = customer_factory()
    refused = new_order(cashier, customer, **lines(("", "", "", ""), spare=2))
    assert refused.status_code == 422 and "An order needs at least one line." in refused.content.decode()
    record_order(actor=system, customer=customer, source="web-orders-" + default_location().code, number="R-9",
                 kind="layaway", location=default_location(), amount_due="1.00")
    before = money_state()
    taken = new_order(cashier, customer, number="R-9", **lines(("", "Tea", "1", "2.00")))
    assert taken.status_code == 422 and "is already recorded" in field_error(taken.content.decode(), "id_number")
    assert money_state() == before


def test_no_order_for_a_customer_on_credit_hold(cashier):
    customer = customer_factory()
    customer_actions.change_status(actor=system_actor(), customer=customer, status="credit_hold", reason="unpaid")
    before = money_state()
    response = new_order(cashier, customer, **lines(("", "Tea", "1", "2.00")))
    assert response.status_code == 422 and money_state() == before


@pytest.fixture
def open_order(system):
    customer = customer_factory()
    return record_order(actor=system, customer=customer, source="web-orders-x", number="000007", kind="work_order",
                        location=default_location(), description="Fix the handle",
                        lines=[{"sku": "", "description": "Repair", "quantity": "1", "unit_price": "30.00"}])


def edit(client, order, version=None, **values):
    data = {"description": order.description, "status": order.status,
            "version": str(version or order.version), **values}
    return client.post(url("customer_edit_order", order.customer, order), data)


def test_editing_an_open_order_replaces_its_lines_and_note(cashier, open_order):
    html = cashier.get(url("customer_edit_order", open_order.customer, open_order)).content.decode()
    assert 'value="Repair"' in html and 'value="30.00"' in html and "Fix the handle" in html
    assert 'name="kind"' not in html  # the type stays
    response = edit(cashier, open_order, description="Handle and lid",
                    **lines(("", "Repair", "1", "30.00"), ("L-2", "Lid", "2", "12.50")))
    assert response.status_code == 302
    open_order.refresh_from_db()
    assert open_order.amount_due == D("55.00") and open_order.description == "Handle and lid"
    assert open_order.version == 2 and open_order.lines.count() == 2
    event = AuditEvent.objects.filter(action="orders.updated").get()
    assert set(event.changes) == {"amount_due", "description", "lines"}
    stale = edit(cashier, open_order, version=1, description="Other", **lines(("", "Other", "1", "1.00")))
    assert stale.status_code == 422 and "changed by someone else" in stale.content.decode()
    open_order.refresh_from_db()
    assert open_order.description == "Handle and lid" and open_order.lines.count() == 2


def test_a_refused_edit_changes_nothing(cashier, open_order):
    before = money_state(), list(OrderLine.objects.values_list("description", "quantity"))
    response = edit(cashier, open_order, description="New note", **lines(("", "Repair", "0", "30.00")))
    assert response.status_code == 422  # the action refuses the line: its message goes under the row
    assert "at most three decimals" in field_error(response.content.decode(), "id_line-0-quantity")
    too_long = edit(cashier, open_order, description="x" * 501, **lines(("", "Repair", "2", "30.00")))
    assert too_long.status_code == 422 and field_error(too_long.content.decode(), "id_description")
    assert (money_state(), list(OrderLine.objects.values_list("description", "quantity"))) == before


def test_completing_from_the_edit_page_closes_the_order_and_a_closed_one_is_not_edited(cashier, open_order):
    response = edit(cashier, open_order, status="completed", **lines(("", "Repair", "1", "30.00")))
    assert response.status_code == 302
    open_order.refresh_from_db()
    assert open_order.status == OrderStatus.COMPLETED and open_order.closed_at is not None
    page = cashier.get(url("customer_edit_order", open_order.customer, open_order))
    assert page.status_code == 302
    before = money_state()
    assert edit(cashier, open_order, description="late", **lines(("", "Other", "1", "1.00"))).status_code == 302
    assert money_state() == before
