"""The till page (G16, G17, G19, G24, O14): find and select a customer, fill the cart, pay in
cash, by card, on account or with points, and never record a sale twice."""

import re
import threading
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers.actions import change_status, delete_customer
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.locations import actions as locations
from patron.locations.models import Location
from patron.loyalty import actions as loyalty
from patron.loyalty.queries import points_balance
from patron.sales.models import Sale, TenderKind
from patron.staff.tests.factories import user_factory
from patron.web.tests.customer_support import client_for, field_error
from patron.web.tests.money_support import balance_of, customer_with_credit, money_state, url

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cashier_user():
    return user_factory(Role.CASHIER)


@pytest.fixture
def cashier(cashier_user):
    client = Client()
    client.force_login(cashier_user)
    return client


def search(client, term: str, **headers) -> str:
    return client.get(url("till", query=f"q={term}"), **headers).content.decode()


def select(client, customer):
    return client.post(url("till_select_customer"), {"customer": str(customer.uuid)})


def add_line(client, description="Teapot", unit_price="35.00", quantity="1", **extra):
    data = {"description": description, "unit_price": unit_price, "quantity": quantity, **extra}
    return client.post(url("till_add_line"), data)


def cart(client) -> dict:
    return client.session.get("till_cart", {})


def pay(client, number=None, **tenders):
    """Press "Complete sale" with these amounts per tender (cash="10.00", on_account=...)."""
    return client.post(url("till_complete"), {"number": number or cart(client)["number"], **tenders})


def page(client) -> str:
    return client.get(url("till")).content.decode()


# --- finding and selecting a customer -----------------------------------------------------------

@pytest.mark.parametrize("role", list(Role))
def test_every_role_with_sales_record_opens_the_till(role, client):
    assert client_for(role).get(url("till")).status_code == 200
    response = client.get(url("till"))
    assert response.status_code == 302 and "/login/" in response.url


def test_search_finds_an_active_customer_by_name_phone_or_account_number(cashier):
    customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-77",
                     phones=[{"kind": "mobile", "number": "202 555 0143"}])
    customer_factory(first_name="Bert", last_name="Other")
    for term in ("schmidt", "202-555-0143", "k-77"):
        html = search(cashier, term)
        assert "Anna Schmidt" in html and "Bert Other" not in html, term


@pytest.mark.parametrize("term, matched_on", [
    ("(202) 555-0143", "phone"), ("+1 202 555 0143", "phone"), ("555-0143", "phone (last digits)"),
    ("Shmidt", "name (similar spelling)"), ("schmidt anna", "name"), ("schm", "name (start)"),
])
def test_search_forgives_a_typo_takes_any_phone_format_and_says_what_matched(cashier, term, matched_on):
    customer_factory(first_name="Anna", last_name="Schmidt", phones=[{"kind": "mobile", "number": "202.555.0143"}])
    customer_factory(first_name="Bert", last_name="Other", phones=[{"kind": "mobile", "number": "(415) 555-0199"}])
    html = search(cashier, quote(term))
    assert "Anna Schmidt" in html and "Bert Other" not in html
    assert f"matched: {matched_on}" in html


def test_search_shows_the_best_match_first(cashier):
    customer_factory(first_name="Joanna", last_name="Schmidtke")
    customer_factory(first_name="Anna", last_name="Schmidt")
    html = search(cashier, "schmidt")
    assert html.index("Anna Schmidt") < html.index("Joanna Schmidtke")


def test_typing_in_the_search_box_swaps_only_the_results(cashier):
    customer_factory(first_name="Anna", last_name="Schmidt")
    html = search(cashier, "Anna", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="till-results")
    assert "Anna Schmidt" in html and "<html" not in html and "Select" in html


@pytest.mark.parametrize("status", [CustomerStatus.INACTIVE, CustomerStatus.DELETED])
def test_inactive_and_deleted_customers_can_never_be_found_or_selected(cashier, status):
    hidden = customer_factory(first_name="Hidden", last_name="Person", status=status, account_number="H-1",
                              phones=[{"number": "202 555 0188"}])
    for term in ("Hidden", "Hiddne Person", "202-555-0188", "0188", "h-1"):
        assert "Hidden Person" not in search(cashier, quote(term)), term
    response = select(cashier, hidden)
    assert response.status_code == 302
    assert cart(cashier).get("customer", "") == ""
    assert "cannot be served at this store" in page(cashier)


def test_customer_not_available_at_the_users_store_is_not_found(cashier):
    other = locations.create_location(actor=system_actor(), code="S02", name="Second store", kind="store",
                                      parent=Location.objects.get(code="HQ"))
    elsewhere = locations.save_location_group(actor=system_actor(), name="Second store only", locations=[other])
    customer = customer_factory(first_name="Far", last_name="Away", location_groups=[elsewhere],
                                phones=[{"number": "202 555 0177"}])
    assert "Far Away" not in search(cashier, "Away")
    assert "Far Away" not in search(cashier, quote("(202) 555-0177"))
    select(cashier, customer)
    assert cart(cashier).get("customer", "") == ""
    # a cashier working at the second store finds and selects them
    there = Client()
    there.force_login(user_factory(Role.CASHIER, location=Location.objects.get(code="S02")))
    assert "Far Away" in search(there, "Away")
    assert "matched: phone" in search(there, quote("(202) 555-0177"))
    select(there, customer)
    assert cart(there)["customer"] == str(customer.uuid)


def test_selected_customer_appears_in_the_cart_with_their_terms(cashier, system):
    customer = customer_with_credit("300.00", first_name="Anna", last_name="Schmidt", account_number="K-1",
                                    price_level="B", default_discount="5")
    loyalty.adjust_points(actor=system, customer=customer, points=250, note="Welcome")
    select(cashier, customer)
    html = page(cashier)
    assert "Anna Schmidt" in html and "K-1" in html and customer.get_status_display() in html
    assert "photo initials" in html  # the photo, or the initial when there is none
    for shown in ("Price level", "5.00 %", "$300.00", "250 (worth $2.50)", 'id="on-account">Yes'):
        assert shown in html, shown


def test_customer_on_hold_shows_why_they_may_not_buy_on_account(cashier, system):
    customer = customer_with_credit("300.00")
    change_status(actor=system, customer=customer, status=CustomerStatus.CREDIT_HOLD)
    select(cashier, customer)
    html = page(cashier)
    assert "No: " in html and "is on credit hold" in html and "Not possible:" in html


# --- the cart -----------------------------------------------------------------------------------

def test_a_line_gets_the_customers_default_discount(cashier):
    select(cashier, customer_factory(default_discount="10"))
    assert 'name="discount_percent" value="10"' in page(cashier)
    add_line(cashier, unit_price="35.00", quantity="2", discount_percent="10.00")
    [line] = cart(cashier)["lines"]
    assert (line["quantity"], line["unit_price"], line["discount"]) == ("2", "35.00", "7.00")
    assert "$63.00" in page(cashier)  # 70.00 - 7.00


def test_first_line_gives_the_cart_its_sale_number(cashier):
    assert cart(cashier) == {}
    add_line(cashier)
    add_line(cashier, "Cup", "4.50", sku="CUP-1", department="Kitchen")
    assert cart(cashier)["number"] == "000001" and len(cart(cashier)["lines"]) == 2
    html = page(cashier)
    assert "Sale <span id=\"sale-number\">000001</span>" in html and "CUP-1" in html and "$39.50" in html


def test_a_bad_line_shows_its_errors_and_adds_nothing(cashier):
    response = add_line(cashier, description="", unit_price="-1", quantity="0")
    html = response.content.decode()
    assert response.status_code == 422
    assert field_error(html, "id_description") and field_error(html, "id_unit_price")
    assert field_error(html, "id_quantity")
    assert cart(cashier) == {}


def test_a_line_can_be_removed_and_the_cart_given_up(cashier):
    add_line(cashier, "Teapot")
    add_line(cashier, "Cup", "4.50")
    cashier.post(url("till_remove_line", 0))
    assert [line["description"] for line in cart(cashier)["lines"]] == ["Cup"]
    cashier.post(url("till_new_sale"))
    assert cart(cashier) == {}


# --- paying -------------------------------------------------------------------------------------

def test_cash_sale_is_recorded_with_the_till_as_source(cashier, cashier_user):
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    select(cashier, customer)
    add_line(cashier, "Teapot", "35.00", sku="TP-9", department="Kitchen")
    response = pay(cashier, cash="35.00")
    sale = Sale.objects.get()
    assert response.status_code == 302 and response.url == url("till_done", sale)
    assert (sale.source, sale.number, sale.customer, sale.total) == ("web-till-S01", "000001", customer, D("35.00"))
    assert sale.location.code == "S01" and sale.recorded_by == cashier_user.username
    assert [(line.sku, line.department) for line in sale.lines.all()] == [("TP-9", "Kitchen")]
    assert cart(cashier) == {}  # a new sale starts empty
    html = cashier.get(response.url).content.decode()
    assert "000001" in html and url("sale_detail", sale) in html and "E-mail receipt" in html and "New sale" in html


def test_sale_without_a_customer(cashier):
    add_line(cashier, "Bread", "3.20")
    pay(cashier, card="3.20")
    sale = Sale.objects.get()
    assert sale.customer is None and sale.payments.get().tender == TenderKind.CARD


def test_on_account_sale_raises_the_balance(cashier):
    customer = customer_with_credit("100.00")
    select(cashier, customer)
    add_line(cashier, "Teapot", "35.00")
    pay(cashier, on_account="35.00")
    assert balance_of(customer) == D("35.00")
    assert Sale.objects.get().payments.get().ledger_entry.amount == D("35.00")


def test_split_payment_part_on_account_rest_in_cash(cashier):
    customer = customer_with_credit("100.00")
    select(cashier, customer)
    add_line(cashier, "Teapot", "35.00")
    pay(cashier, on_account="20.00", cash="15.00")
    sale = Sale.objects.get()
    assert sorted((p.tender, p.amount) for p in sale.payments.all()) == [("cash", D("15.00")),
                                                                          ("on_account", D("20.00"))]
    assert balance_of(customer) == D("20.00")


def test_points_payment_redeems_points(cashier, system):
    customer = customer_factory()
    loyalty.adjust_points(actor=system, customer=customer, points=1000, note="Welcome")
    select(cashier, customer)
    add_line(cashier, "Cup", "4.50")
    pay(cashier, points="4.50")
    payment = Sale.objects.get().payments.get()
    assert (payment.tender, payment.points_entry.points) == ("points", -450)
    assert points_balance(customer) == 550  # nothing earned on what points paid


def test_charge_over_the_limit_is_refused_next_to_the_payment_and_nothing_recorded(cashier, system):
    customer = customer_with_credit("100.00")
    select(cashier, customer)
    add_line(cashier, "Kettle", "120.00")
    before = money_state()
    response = pay(cashier, on_account="120.00")
    html = response.content.decode()
    assert response.status_code == 422
    payment_part = html[html.index('id="pay"'):]
    assert "over the credit limit of 100.00" in payment_part and 'role="alert"' in payment_part
    assert money_state() == before and balance_of(customer) == D("0.00")
    assert len(cart(cashier)["lines"]) == 1  # the cart is kept to pay another way
    pay(cashier, on_account="100.00", cash="20.00")
    assert Sale.objects.get().total == D("120.00")


@pytest.mark.parametrize("tenders, message", [
    ({"cash": "10.00"}, "Payments add up to 10.00, the sale totals 35.00"),
    ({"points": "35.00"}, "has 0 points"),
    ({"on_account": "35.00"}, "on credit hold"),
])
def test_refusals_show_on_screen_and_record_nothing(cashier, system, tenders, message):
    customer = customer_with_credit("100.00")
    change_status(actor=system, customer=customer, status=CustomerStatus.CREDIT_HOLD)
    select(cashier, customer)
    add_line(cashier, "Teapot", "35.00")
    before = money_state()
    response = pay(cashier, **tenders)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert money_state() == before


def test_customer_deactivated_after_selection_cannot_buy(cashier, system):
    customer = customer_factory()
    select(cashier, customer)
    add_line(cashier)
    change_status(actor=system, customer=customer, status=CustomerStatus.INACTIVE)
    before = money_state()
    response = pay(cashier, cash="35.00")
    assert response.status_code == 422 and "a sale is not allowed" in response.content.decode()
    assert money_state() == before


def test_customer_deleted_after_selection_is_not_dropped_silently(cashier, system):
    customer = customer_factory()
    select(cashier, customer)
    add_line(cashier)
    delete_customer(actor=system, customer=customer)
    before = money_state()
    response = pay(cashier, cash="35.00")
    assert response.status_code == 422 and "no longer exists" in response.content.decode()
    assert money_state() == before


def test_submitting_the_same_payment_twice_records_one_sale(cashier):
    add_line(cashier)
    number = cart(cashier)["number"]
    first = pay(cashier, number=number, cash="35.00")
    again = pay(cashier, number=number, cash="35.00")
    assert Sale.objects.count() == 1
    assert again.status_code == 302 and again.url == first.url


def test_a_payment_for_a_cart_given_up_records_nothing(cashier):
    add_line(cashier)
    number = cart(cashier)["number"]
    cashier.post(url("till_new_sale"))
    response = pay(cashier, number=number, cash="35.00")
    assert response.status_code == 302 and Sale.objects.count() == 0
    assert "The cart changed" in page(cashier)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_sending_two_requests_at_once_records_one_sale():
    user = user_factory(Role.CASHIER)
    client = Client()
    client.force_login(user)
    add_line(client)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    number = cart(client)["number"]
    start, responses = threading.Barrier(4), []

    def click():
        try:
            twin = Client()
            twin.cookies.load(cookies)  # the same browser session
            start.wait()
            responses.append(pay(twin, number=number, cash="35.00"))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sale = Sale.objects.get()
    assert {response.status_code for response in responses} == {302}
    assert {response.url for response in responses} == {url("till_done", sale)}


# --- the buyer (issue 18) -----------------------------------------------------------------------

def test_the_authorized_buyers_are_shown_and_the_one_picked_is_recorded_on_the_sale(cashier, system):
    from patron.customers.actions import add_contact

    customer = customer_with_credit("100.00", first_name="Anna", last_name="Schmidt")
    spouse = add_contact(actor=system, customer=customer,
                         values={"first_name": "Ben", "last_name": "Schmidt", "is_authorized_buyer": True})
    add_contact(actor=system, customer=customer, values={"first_name": "Sam", "last_name": "Schmidt"})
    select(cashier, customer)
    html = page(cashier)
    assert 'id="authorized-buyers">Ben Schmidt' in html and "Sam Schmidt" not in html
    assert f'<option value="{spouse.uuid}">Ben Schmidt</option>' in html
    add_line(cashier, "Teapot", "35.00")
    assert pay(cashier, on_account="35.00", bought_by=str(spouse.uuid)).status_code == 302
    assert Sale.objects.get().bought_by == spouse


def test_a_buyer_who_is_not_an_authorized_contact_of_the_customer_is_refused(cashier, system):
    from patron.customers.actions import add_contact

    customer = customer_with_credit("100.00")
    add_contact(actor=system, customer=customer, values={"first_name": "Ben", "is_authorized_buyer": True})
    stranger = add_contact(actor=system, customer=customer_factory(),
                           values={"first_name": "Lou", "is_authorized_buyer": True})
    select(cashier, customer)
    add_line(cashier, "Teapot", "35.00")
    for bought_by in (str(stranger.uuid), "not-a-uuid"):
        response = pay(cashier, on_account="35.00", bought_by=bought_by)
        assert response.status_code == 422
        assert field_error(response.content.decode(), "id_bought_by")
    assert not Sale.objects.exists() and balance_of(customer) == 0


def _input_tag(html: str, field_id: str) -> str:
    return re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)


def test_the_search_box_is_where_the_till_opens_and_the_line_once_a_customer_is_chosen(cashier):
    assert "data-autofocus" in _input_tag(page(cashier), "id_q")
    select(cashier, customer_factory())
    html = page(cashier)
    assert "data-autofocus" in _input_tag(html, "id_description")
    assert "data-autofocus" not in _input_tag(html, "id_q")


def test_completing_an_empty_cart_says_what_is_missing(cashier):
    response = cashier.post(url("till_complete"), {"number": "", "cash": "10.00"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "The cart is empty: add a line" in html and "This field is required." not in html
    assert not Sale.objects.exists()


def test_nothing_found_offers_a_new_customer_who_comes_back_to_the_till_selected(cashier):
    html = search(cashier, "Zyxwvut")
    assert "No customer found at this store" in html
    create = url("customer_create", "person") + "?for=till"
    assert f'href="{create}"' in html
    form = cashier.get(create).content.decode()
    response = cashier.post(create, {
        "first_name": "Zoe", "last_name": "Zyxwvut",
        "home_location": re.search(r'<option value="(\d+)" selected', form).group(1),
        "location_groups": re.findall(r'value="(\d+)"[^>]*checked', form)})
    assert response.status_code == 302 and response.url == url("till")
    assert "Zoe Zyxwvut" in page(cashier) and cart(cashier)["customer"]
