"""The Sales pages, e-mailed receipts, the customer page's Purchases and Orders sections, and the
customer list sorted by total purchases (G13, G14, G17, G23, K04, O15, O20, O22, T13)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.locations.queries import default_location
from patron.sales.actions import record_order
from patron.sales.models import Order, OrderStatus
from patron.sales.tests.factories import line, sale_factory
from patron.web.tests.customer_support import client_for
from patron.web.tests.money_support import money_state, url

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day} 12:00"))


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- the Sales page -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(Role))
def test_sales_page_lists_sales_and_returns_with_the_customer(role):
    anna = customer_factory(first_name="Anna", last_name="Schmidt")
    sale = sale_factory(anna, number="S-100", lines=[line("Teapot", "1", "35.00")])
    refund = sale_factory(anna, number="R-1", kind="return", original_sale=sale, lines=[line("Teapot", "1", "35.00")])
    walk_in = sale_factory(number="S-101", payments=[{"tender": "card", "amount": "10.00"}])
    html = html_of(client_for(role).get(url("sale_list")))
    for sale_shown in (sale, refund, walk_in):
        assert f'href="{url("sale_detail", sale_shown)}">{sale_shown.number}</a>' in html
    assert f'href="{url("customer_detail", anna)}">Anna Schmidt</a>' in html
    assert "-$35.00" in html and "Return" in html and "Card $10.00" in html and "Main store" in html


def test_sales_page_searches_by_number_or_customer_and_filters_by_date(cashier):
    anna = customer_factory(first_name="Anna", last_name="Schmidt")
    sale_factory(anna, number="S-100", occurred_at=at("2025-01-10"))
    sale_factory(number="S-200", occurred_at=at("2025-02-10"))

    def numbers(query: str, **headers) -> list[str]:
        return re.findall(r'">(S-\d+)</a>', cashier.get(url("sale_list", query=query), **headers).content.decode())

    assert numbers("q=S-2") == ["S-200"]
    assert numbers("q=schmidt") == ["S-100"]
    assert numbers("start=2025-02-01") == ["S-200"]
    assert numbers("end=2025-01-31") == ["S-100"]
    assert numbers("start=2025-03-01") == []
    partial = cashier.get(url("sale_list", query="q=S-1"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" not in partial.content.decode() and "S-100" in partial.content.decode()


def test_sales_page_pages(cashier):
    for number in range(51):
        sale_factory(number=f"P-{number:03d}", occurred_at=at("2025-01-01") + datetime.timedelta(minutes=number))
    first = html_of(cashier.get(url("sale_list")))
    assert "Page 1 of 2" in first and "P-050" in first and "P-000" not in first
    assert "P-000" in html_of(cashier.get(url("sale_list", query="page=2")))


def test_sale_page_shows_lines_totals_payments_buyer_and_returns(cashier, system):
    from patron.customers.actions import add_contact

    firm = customer_factory(first_name="Anna", last_name="Schmidt")
    buyer = add_contact(actor=system, customer=firm, values={"first_name": "Kim", "last_name": "Buyer"})
    sale = sale_factory(firm, number="S-1", bought_by=buyer, lines=[
        line("Mug", "2", "12.50", sku="MUG-1", department="Kitchen", discount="5.00", tax="3.80")])
    refund = sale_factory(firm, number="R-1", kind="return", original_sale=sale, lines=[line("Mug", "1", "10.00")])
    html = html_of(cashier.get(url("sale_detail", sale)))
    for text in ("Sale S-1", "MUG-1", "Kitchen", "$25.00", "$5.00", "$3.80", "$23.80", "Cash",
                 "Kim Buyer", f'href="{url("sale_detail", refund)}">R-1</a>', "E-mail receipt"):
        assert text in html, text
    returned = html_of(cashier.get(url("sale_detail", refund)))
    assert "Return R-1" in returned and f'href="{url("sale_detail", sale)}">Sale S-1</a>' in returned
    assert "-$10.00" in returned


def test_unknown_sale_is_404(cashier):
    assert cashier.get("/sales/01890000-0000-7000-8000-000000000000/").status_code == 404


# --- e-mailed receipts --------------------------------------------------------------------------

def test_receipt_goes_to_the_customer_through_a_real_smtp_server(cashier, smtp_inbox):
    customer = customer_factory(emails=[{"address": "ada@example.org"}])
    sale = sale_factory(customer, number="S-7", lines=[line("Teapot", "1", "35.00")])
    response = cashier.post(url("sale_email_receipt", sale))
    assert response.status_code == 302 and response.url == url("sale_detail", sale)
    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["ada@example.org"] and message["Subject"] == "Receipt S-7"
    assert "Teapot" in message.get_payload(decode=True).decode()
    assert "Receipt S-7 sent to ada@example.org." in html_of(cashier.get(response.url))


def test_receipt_to_another_address_and_back_to_the_till_confirmation(cashier, smtp_inbox):
    sale = sale_factory(customer_factory(), number="S-8")
    done = url("till_done", sale)
    response = cashier.post(url("sale_email_receipt", sale), {"to": "Books@Firm.example", "next": done})
    assert response.url == done and smtp_inbox.messages[0][0] == ["Books@firm.example"]
    outside = cashier.post(url("sale_email_receipt", sale), {"to": "x@firm.example", "next": "https://evil.example/"})
    assert outside.url == url("sale_detail", sale)


@pytest.mark.parametrize("to, message", [("", "has no e-mail address"), ("not-an-address", "e-mail")])
def test_receipt_problems_are_messages_and_nothing_is_sent(cashier, smtp_inbox, to, message):
    sale = sale_factory(customer_factory(), number="S-9")
    before = AuditEvent.objects.count()
    response = cashier.post(url("sale_email_receipt", sale), {"to": to}, follow=True)
    assert message in response.content.decode() and 'class="error"' in response.content.decode()
    assert smtp_inbox.messages == [] and AuditEvent.objects.count() == before


def test_mail_server_down_is_a_message(cashier, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens
    sale = sale_factory(customer_factory(emails=[{"address": "ada@example.org"}]))
    response = cashier.post(url("sale_email_receipt", sale), follow=True)
    assert "The receipt could not be sent" in response.content.decode()


# --- the customer page: purchases ---------------------------------------------------------------

@pytest.fixture
def shopper():
    """Sales in January and March 2025 (none in February) in two departments, and a return."""
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    first = sale_factory(customer, number="S-1", occurred_at=at("2025-01-10"),
                         lines=[line("Mug", "2", "10.00", department="Kitchen"), line("Tea", "1", "5.00",
                                                                                     department="Food")])
    sale_factory(customer, number="S-2", occurred_at=at("2025-03-05"), lines=[line("Pot", "1", "40.00",
                                                                                   department="Kitchen")],
                 payments=[{"tender": "card", "amount": "40.00"}])
    sale_factory(customer, number="R-1", kind="return", original_sale=first, occurred_at=at("2025-03-05"),
                 lines=[line("Mug", "1", "10.00", department="Kitchen")])
    return customer


def purchases(client, customer, query: str = "") -> str:
    html = html_of(client.get(url("customer_detail", customer, query=query)))
    return html[html.index('id="purchases"'):html.index('id="addresses"')]


def summary(section: str) -> dict[str, str]:
    block = section[section.index('id="purchase-summary"'):section.index("</dl>")]
    return {name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip()
            for name, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.S)}


def test_purchase_summary_since_the_first_purchase(cashier, shopper):
    figures = summary(purchases(cashier, shopper))
    assert figures["Total purchases"] == "$55.00"  # 25 + 40 - 10
    assert figures["Number of sales"] == "2 and 1 return"
    assert figures["Visits"] == "2"
    assert figures["Average basket"] == "$27.50"
    assert figures["Last visit"].startswith("Mar 5, 2025")
    assert figures["Revenue to date"] == "$55.00"


def test_purchase_history_lists_sales_and_marks_returns(cashier, shopper):
    section = purchases(cashier, shopper)
    assert re.findall(r'">([SR]-\d)</a>', section) == ["R-1", "S-2", "S-1"]  # newest first
    assert section.count('class="return-row"') == 1 and "-$10.00" in section
    assert "Card $40.00" in section and "Cash $25.00" in section


def test_date_filter_narrows_summary_chart_and_history(cashier, shopper):
    section = purchases(cashier, shopper, "start=2025-03-01&end=2025-03-31")
    assert summary(section)["Total purchases"] == "$30.00"
    assert re.findall(r'">([SR]-\d)</a>', section) == ["R-1", "S-2"]
    assert section.count("<rect") == 1
    assert summary(section)["Revenue to date"] == "$55.00"  # all time


def test_chart_has_one_bar_per_month(cashier, shopper):
    section = purchases(cashier, shopper)
    titles = re.findall(r"<rect[^>]*><title>([^<]+)</title>", section)
    assert titles == ["January 2025: $25.00", "February 2025: $0.00", "March 2025: $30.00"]
    assert "<svg" in section and "<script" not in section


def test_department_toggle_between_the_whole_customer_and_one_department(cashier, shopper):
    whole = purchases(cashier, shopper)
    rows = dict(re.findall(r"<tr><td>(\w+)</td><td class=\"num\">([^<]+)</td>", whole))
    assert rows == {"Food": "$5.00", "Kitchen": "$50.00"}  # 20 + 40 - 10
    assert "All departments" in whole and "$55.00" in whole
    kitchen = purchases(cashier, shopper, "department=Kitchen")
    assert "Financials of department Kitchen" in kitchen and "Food" not in kitchen.split("<table")[1]
    assert "$50.00" in kitchen and "90.9%" in kitchen  # 50 of 55
    unknown = purchases(cashier, shopper, "department=Garden")
    assert "Revenue per department" in unknown  # an unknown department falls back to the whole customer


def test_customer_without_purchases(cashier):
    section = purchases(cashier, customer_factory())
    assert "No purchases in this period." in section and "<svg" not in section


# --- the customer page: orders ------------------------------------------------------------------

def test_orders_section_and_marking_one_completed(cashier, system):
    customer = customer_factory()
    order = record_order(actor=system, customer=customer, source="till-1", number="WO-7", kind="work_order",
                         location=default_location(), amount_due="80.00", description="Fix the kettle")
    html = html_of(cashier.get(url("customer_detail", customer)))
    for text in ("WO-7", "Work order", "Pending", "$80.00", "Main store"):
        assert text in html, text
    response = cashier.post(url("customer_order_status", customer, order), {"status": "completed", "version": "1"})
    assert response.status_code == 302 and response.url.endswith("#orders")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.closed_at is not None
    before = money_state()
    stale = cashier.post(url("customer_order_status", customer, order), {"status": "cancelled", "version": "1"},
                         follow=True)
    assert "changed by someone else" in stale.content.decode() and money_state() == before
    assert Order.objects.get().status == OrderStatus.COMPLETED


# --- the customer list ----------------------------------------------------------------------------

def test_customer_list_sorts_by_total_purchases(cashier):
    for name, amount in (("Low", "5.00"), ("High", "90.00"), ("Middle", "40.00")):
        sale_factory(customer_factory(first_name=name, last_name="Buyer"), lines=[line(unit_price=amount)])
    customer_factory(first_name="None", last_name="Buyer")

    def names(sort: str) -> list[str]:
        html = html_of(cashier.get(url("customer_list", query=f"sort={sort}")))
        return re.findall(r"(\w+) Buyer</a>", html)

    assert names("-purchases") == ["High", "Middle", "Low", "None"]
    assert names("purchases") == ["None", "Low", "Middle", "High"]
    html = html_of(cashier.get(url("customer_list", query="sort=-purchases")))
    assert "Total purchases" in html and "$90.00" in html and "Total purchases, high to low" in html
