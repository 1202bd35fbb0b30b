"""Sales, returns, receipts, orders and purchase figures through the API."""

import datetime
import socket
import uuid
from decimal import Decimal

import pytest

from patron.api.tests.conftest import assert_problem, key, pointers
from patron.core.models import AuditEvent
from patron.credit.models import CreditAccount, LedgerEntry
from patron.customers.actions import add_contact, change_status
from patron.customers.models import CustomerKind, CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.locations.queries import default_location
from patron.sales.actions import record_order
from patron.sales.models import Order, Sale
from patron.sales.tests.factories import line, sale_factory

pytestmark = pytest.mark.django_db


def _sale(number="1001", *, customer=None, lines=None, payments=None, **fields) -> dict:
    body = {"source": "till-1", "number": number,
            "lines": lines or [{"sku": "MUG-1", "description": "Blue mug", "department": "Kitchen",
                                "quantity": "2", "unit_price": "12.50", "discount": "5.00", "tax": "1.60"}],
            "payments": payments if payments is not None else [{"tender": "cash", "amount": "21.60"}], **fields}
    if customer is not None:
        body["customer"] = str(customer.uuid)
    return body


def _record(api, body, idempotency_key="sale-1"):
    return api.post("/sales", body, headers=key(idempotency_key))


def _counts() -> tuple:
    return Sale.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count()


def test_recording_a_sale_answers_201_with_lines_payments_and_the_customer(api):
    customer = customer_factory(first_name="Ada", last_name="Lovelace")
    response = _record(api, _sale(customer=customer, occurred_at="2026-11-23T10:30:00+01:00"))
    assert response.status_code == 201, response.content
    sale = Sale.objects.get()
    body = response.json()
    assert response["Location"] == f"/api/v1/sales/{sale.uuid}"
    assert body["customer"] == {"id": str(customer.uuid), "name": "Ada Lovelace",
                                "account_number": customer.account_number}
    assert {name: body[name] for name in ("kind", "number", "source", "channel", "occurred_at", "subtotal",
                                          "discount_total", "tax_total", "total", "currency")} == {
        "kind": "sale", "number": "1001", "source": "till-1", "channel": "pos", "occurred_at": "2026-11-23T09:30:00Z",
        "subtotal": "25.00", "discount_total": "5.00", "tax_total": "1.60", "total": "21.60", "currency": "USD"}
    assert body["lines"] == [{"position": 1, "sku": "MUG-1", "description": "Blue mug", "department": "Kitchen",
                              "quantity": "2", "unit_price": "12.50", "discount": "5.00", "tax": "1.60",
                              "line_total": "21.60"}]
    assert body["payments"] == [{"tender": "cash", "amount": "21.60", "credit_entry": None, "points": None}]
    assert body["location"]["id"] == str(default_location().uuid)
    assert (body["original_sale"], body["returns"], body["bought_by"]) == (None, [], None)
    assert api.get(f"/sales/{sale.uuid}").content == response.content


def test_a_sale_on_account_charges_the_credit_account_in_the_same_transaction(api, system, holder):
    buyer = add_contact(actor=system, customer=holder,
                        values={"first_name": "Bo", "last_name": "Buyer", "is_authorized_buyer": True})
    body = _sale(customer=holder, bought_by=str(buyer.uuid), payments=[{"tender": "on_account", "amount": "21.60"}])
    response = _record(api, body)
    assert response.status_code == 201, response.content
    entry = LedgerEntry.objects.get()
    assert response.json()["payments"][0]["credit_entry"] == str(entry.uuid)
    assert response.json()["bought_by"] == {"id": str(buyer.uuid), "name": "Bo Buyer", "role": ""}
    assert (entry.amount, entry.reference) == (Decimal("21.60"), "till-1/1001")


def test_a_sale_is_recorded_at_the_token_s_store_unless_an_unbound_token_names_one(client, system):
    from patron.api.tests.conftest import ApiClient
    from patron.core.permissions import Role
    from patron.locations.actions import create_location
    from patron.staff.tests.factories import token_factory

    york = create_location(actor=system, code="S11", name="York", kind="store", parent=default_location().parent)
    _, secret = token_factory(location=york)
    till = ApiClient(client, secret)
    assert _record(till, _sale()).json()["location"]["code"] == "S11"
    assert_problem(_record(till, _sale("1002", location=str(default_location().uuid)), "sale-2"), 403,
                   "location-not-yours")
    _, admin = token_factory(Role.ADMIN, location=york)
    named = _record(ApiClient(client, admin), _sale("1002", location=str(default_location().uuid)), "sale-3")
    assert named.json()["location"]["id"] == str(default_location().uuid)


def test_paying_with_points_redeems_them_at_their_value(api, system):
    from patron.loyalty.actions import adjust_points

    customer = customer_factory()
    adjust_points(actor=system, customer=customer, points=3000, note="Welcome")
    response = _record(api, _sale(customer=customer, payments=[{"tender": "points", "amount": "20.00"},
                                                               {"tender": "cash", "amount": "1.60"}]))
    assert response.json()["payments"][0] == {"tender": "points", "amount": "20.00", "credit_entry": None,
                                              "points": 2000}
    assert api.get(f"/customers/{customer.uuid}/points").json()["balance"] == 1001  # 1,000 left, 1 earned


def test_a_sale_on_account_over_the_limit_is_422_and_no_sale_is_stored(api, holder):
    before = _counts()
    body = _sale(customer=holder, lines=[line("Sofa", "1", "600.00")],
                 payments=[{"tender": "on_account", "amount": "600.00"}])
    assert_problem(_record(api, body), 422, "credit-limit-exceeded")
    assert _counts() == before
    holder.refresh_from_db()
    assert (holder.total_purchases, holder.sale_count) == (0, 0)
    assert CreditAccount.objects.get(customer=holder).balance == 0


def test_a_return_refunds_to_the_account_and_links_to_the_original_sale(api, holder):
    original = _record(api, _sale(customer=holder, payments=[{"tender": "on_account", "amount": "21.60"}])).json()
    refund = _sale("R-1", customer=holder, kind="return", original_sale=original["id"],
                   payments=[{"tender": "on_account", "amount": "21.60"}])
    response = _record(api, refund, "return-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["total"], body["original_sale"]) == (
        "return", "-21.60", {"id": original["id"], "number": "1001"})
    assert body["payments"][0]["amount"] == "-21.60"
    assert CreditAccount.objects.get(customer=holder).balance == 0
    assert api.get(f"/sales/{original['id']}").json()["returns"] == [{"id": body["id"], "number": "R-1"}]


def test_a_return_beyond_what_was_sold_is_refused(api, holder):
    original = _record(api, _sale(customer=holder)).json()
    before = _counts()
    refund = _sale("R-1", customer=holder, kind="return", original_sale=original["id"],
                   lines=[line("Blue mug", "3", "12.50")], payments=[{"tender": "cash", "amount": "37.50"}])
    assert pointers(assert_problem(_record(api, refund, "return-1"), 422, "validation-failed")) == {"/lines"}
    assert _counts() == before


@pytest.mark.parametrize("field, value, pointer", [
    ("customer", str(uuid.uuid4()), "/customer"),
    ("bought_by", str(uuid.uuid4()), "/bought_by"),
    ("original_sale", str(uuid.uuid4()), "/original_sale"),
    ("location", str(uuid.uuid4()), "/location"),
    ("lines", [], "/lines"),
    ("lines", [{"description": "Mug", "quantity": 1, "unit_price": "1.00"}], "/lines/0/quantity"),
    ("lines", [{"description": "Mug", "quantity": "0", "unit_price": "1.00"}], "/lines/0/quantity"),
    ("lines", [{"description": "Mug", "quantity": "1", "unit_price": 1.5}], "/lines/0/unit_price"),
    ("payments", [{"tender": "cash", "amount": "21.59"}], "/payments"),
    ("payments", [{"tender": "cheque", "amount": "21.60"}], "/payments/0/tender"),
    ("kind", "exchange", "/kind"),
    ("total", "21.60", "/total"),
])
def test_invalid_sales_are_422_with_a_pointer_and_store_nothing(api, field, value, pointer):
    before = _counts()
    problem = assert_problem(_record(api, {**_sale(), field: value}), 422, "validation-failed")
    assert pointer in pointers(problem)
    assert _counts() == before


def test_a_sale_number_is_unique_per_source(api):
    _record(api, _sale())
    before = _counts()
    assert_problem(_record(api, _sale(), "sale-2"), 409, "sale-number-taken")
    assert _counts() == before
    assert _record(api, {**_sale(), "source": "webshop", "channel": "webshop"}, "sale-3").status_code == 201


def test_inactive_customers_may_not_buy(api, system):
    customer = customer_factory(status=CustomerStatus.INACTIVE)
    before = _counts()
    assert_problem(_record(api, _sale(customer=customer)), 409, "customer-may-not-buy")
    assert _counts() == before


def test_untracked_placeholders_are_not_linked_to_history(api):
    walk_in = customer_factory(CustomerKind.PLACEHOLDER, name="Walk-in", track_sales=False)
    assert _record(api, _sale(customer=walk_in)).json()["customer"] is None


def test_sales_list_shows_customer_names_and_filters(api):
    ada, bob = customer_factory(first_name="Ada", last_name="Lee"), customer_factory(first_name="Bob", last_name="Ray")
    sale_factory(ada, number="A-1")
    sale_factory(bob, number="B-1")
    sale_factory(None, number="C-1")
    listed = api.get("/sales").json()
    assert [(item["number"], (item["customer"] or {}).get("name")) for item in listed["items"]] == [
        ("C-1", None), ("B-1", "Bob Ray"), ("A-1", "Ada Lee")]
    assert [item["number"] for item in api.get(f"/sales?customer={ada.uuid}").json()["items"]] == ["A-1"]
    assert [item["number"] for item in api.get("/sales?q=ray").json()["items"]] == ["B-1"]
    assert api.get("/sales?end=2000-01-01").json()["items"] == []
    assert_problem(api.get("/sales?start=someday"), 422, "validation-failed")


def test_unknown_sale_is_404(api):
    assert_problem(api.get(f"/sales/{uuid.uuid4()}"), 404, "sale-not-found")


def test_receipt_goes_to_the_customer_or_the_given_address(api, mailoutbox):
    customer = customer_factory(emails=[{"address": "ada@example.org"}])
    sale = sale_factory(customer, lines=[line("Teapot", "1", "35.00")])
    response = api.post(f"/sales/{sale.uuid}/receipt", {})
    assert response.json() == {"sale": str(sale.uuid), "sent_to": "ada@example.org"}
    assert api.post(f"/sales/{sale.uuid}/receipt", {"to": "Books@Example.org"}).json()["sent_to"] == \
        "Books@example.org"
    assert [message.to for message in mailoutbox] == [["ada@example.org"], ["Books@example.org"]]
    assert "Teapot" in mailoutbox[0].body


def test_receipt_without_an_address_is_refused_and_nothing_is_sent(api, mailoutbox):
    sale = sale_factory(customer_factory())
    assert_problem(api.post(f"/sales/{sale.uuid}/receipt", {}), 409, "no-email-address")
    assert pointers(assert_problem(api.post(f"/sales/{sale.uuid}/receipt", {"to": "nobody"}),
                                   422, "validation-failed")) == {"/to"}
    assert mailoutbox == []


def test_receipt_while_the_mail_server_is_down_is_503_and_may_be_retried(api, settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = "django.core.mail.backends.smtp.EmailBackend", "127.0.0.1"
    sale = sale_factory(customer_factory())
    before = AuditEvent.objects.count()
    response = api.post(f"/sales/{sale.uuid}/receipt", {"to": "ada@example.org"}, headers=key("mail-1"))
    assert_problem(response, 503, "mail-unavailable")
    assert response["Retry-After"] == "60"
    assert AuditEvent.objects.count() == before
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retried = api.post(f"/sales/{sale.uuid}/receipt", {"to": "ada@example.org"}, headers=key("mail-1"))
    assert retried.status_code == 200 and not retried.has_header("Idempotent-Replayed")


# --- orders ---------------------------------------------------------------------------------

def _order(customer, number="W-1", **fields) -> dict:
    return {"customer": str(customer.uuid), "source": "till-1", "number": number, "kind": "work_order",
            "amount_due": "45.00", "description": "Resole boots", **fields}


def test_orders_are_recorded_read_changed_with_if_match_and_listed(api):
    customer = customer_factory()
    created = api.post("/orders", _order(customer))
    assert created.status_code == 201, created.content
    order = created.json()
    assert (created["ETag"], created["Location"]) == ('"1"', f"/api/v1/orders/{order['id']}")
    assert {name: order[name] for name in ("kind", "status", "amount_due", "closed_at", "version")} == {
        "kind": "work_order", "status": "pending", "amount_due": "45.00", "closed_at": None, "version": 1}
    path = f"/orders/{order['id']}"
    assert api.get(path).content == created.content
    assert_problem(api.patch(path, {"status": "completed"}), 428, "precondition-required")
    completed = api.patch(path, {"status": "completed", "amount_due": "0"}, if_match=1)
    assert completed.status_code == 200, completed.content
    assert (completed["ETag"], completed.json()["status"], completed.json()["amount_due"]) == (
        '"2"', "completed", "0.00")
    assert completed.json()["closed_at"] is not None
    assert_problem(api.patch(path, {"status": "cancelled"}, if_match=1), 412, "stale-version")
    assert Order.objects.get().status == "completed"
    api.post("/orders", _order(customer, "W-2", kind="layaway"))
    listed = api.get(f"/customers/{customer.uuid}/orders?limit=1").json()
    assert len(listed["items"]) == 1 and listed["next_cursor"]


@pytest.mark.parametrize("status", [CustomerStatus.CREDIT_HOLD, CustomerStatus.DELETED])
def test_orders_are_refused_for_customers_on_hold_or_deleted(api, system, status):
    customer = customer_factory()
    change_status(actor=system, customer=customer, status=status)
    before = AuditEvent.objects.count()
    assert_problem(api.post("/orders", _order(customer)), 409, "customer-may-not-order")
    assert (Order.objects.count(), AuditEvent.objects.count()) == (0, before)


def test_invalid_orders_are_422_with_a_pointer(api):
    customer = customer_factory()
    for field, value in (("amount_due", 45), ("amount_due", "-1.00"), ("kind", "rental"),
                         ("customer", str(uuid.uuid4())), ("placed_at", "2026-11-23T10:00:00")):
        problem = assert_problem(api.post("/orders", {**_order(customer), field: value}), 422, "validation-failed")
        assert pointers(problem) == {f"/{field}"}
    assert not Order.objects.exists()


def test_an_order_taken_with_lines_reads_with_them_and_is_due_their_total(api, system):
    order = record_order(actor=system, customer=customer_factory(), source="web-orders-main", number="000001",
                         kind="special_order", location=default_location(),
                         lines=[{"sku": "TP-1", "description": "Teapot", "quantity": "1.5", "unit_price": "10.00"}])
    read = api.get(f"/orders/{order.uuid}").json()
    assert read["amount_due"] == "15.00" and read["lines"] == [
        {"position": 1, "sku": "TP-1", "description": "Teapot", "quantity": "1.5", "unit_price": "10.00",
         "line_total": "15.00"}]
    problem = assert_problem(api.patch(f"/orders/{order.uuid}", {"amount_due": "5.00"}, if_match=1), 422,
                             "validation-failed")
    assert pointers(problem) == {"/amount_due"}
    assert api.patch(f"/orders/{order.uuid}", {"status": "completed"}, if_match=1).status_code == 200
    assert api.post("/orders", _order(customer_factory())).json()["lines"] == []


# --- purchases and the customer list ----------------------------------------------------------

def _at(day: int, month: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=datetime.UTC)


def test_purchase_history_and_summary_of_a_customer(api):
    customer = customer_factory()
    first = sale_factory(customer, lines=[line("Mug", "1", "10.00", department="Kitchen")], occurred_at=_at(10, 1))
    sale_factory(customer, lines=[line("Tea", "2", "5.00", department="Food")], occurred_at=_at(3, 2))
    sale_factory(customer, kind="return", original_sale=first, lines=[line("Mug", "1", "10.00", department="Kitchen")],
                 occurred_at=_at(3, 2, 11))
    history = api.get(f"/customers/{customer.uuid}/purchases?limit=2").json()
    assert [(item["kind"], item["total"]) for item in history["items"]] == [("return", "-10.00"), ("sale", "10.00")]
    assert history["items"][0]["payments"] == [{"tender": "cash", "amount": "-10.00", "credit_entry": None,
                                                "points": None}]
    assert len(api.get(f"/customers/{customer.uuid}/purchases?cursor={history['next_cursor']}").json()["items"]) == 1
    january = api.get(f"/customers/{customer.uuid}/purchases?start=2026-01-01&end=2026-01-31").json()
    assert [item["total"] for item in january["items"]] == ["10.00"]
    summary = api.get(f"/customers/{customer.uuid}/purchases/summary").json()
    assert summary == {
        "start": None, "end": None, "total": "10.00", "sale_count": 2, "return_count": 1, "visit_count": 2,
        "average_basket": "5.00", "last_visit": "2026-02-03T11:00:00Z",
        "spend_by_month": [{"month": "2026-01-01", "total": "10.00"}, {"month": "2026-02-01", "total": "0.00"}],
        "revenue_by_department": [{"department": "Food", "total": "10.00"}, {"department": "Kitchen",
                                                                             "total": "0.00"}],
    }
    assert api.get(f"/customers/{customer.uuid}/purchases/summary?start=2026-02-01").json()["total"] == "0.00"


@pytest.mark.parametrize("sort", ["purchases", "-purchases"])
def test_customers_sort_by_total_purchases_page_by_page_including_those_without(api, sort):
    spenders = {}
    for name, amount in (("Big", "90.00"), ("None1", None), ("Small", "5.00"), ("None2", None), ("Mid", "40.00")):
        customer = customer_factory(first_name=name, last_name="Shopper")
        if amount:
            sale_factory(customer, lines=[line(unit_price=amount)])
        spenders[str(customer.uuid)] = amount or "0.00"
    seen, cursor = [], None
    while True:
        body = api.get(f"/customers?sort={sort}&limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [(item["id"], item["total_purchases"]) for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(spenders.items())
    totals = [Decimal(total) for _, total in seen]
    assert totals == sorted(totals, reverse=sort.startswith("-"))
