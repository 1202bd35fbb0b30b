"""The customer page's Account and Points sections, the statement, the overdue list and the
"Credit and loyalty" settings (G15, G18, G20, G22, O15, O16, O23)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from patron.core.actors import system_actor
from patron.core.formats import format_date
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import CreditAccount, CreditSettings, LedgerEntry
from patron.customers.tests.factories import customer_factory
from patron.loyalty.models import LoyaltySettings
from patron.loyalty.queries import points_balance
from patron.sales.tests.factories import line, sale_factory
from patron.web.tests.customer_support import client_for, field_error
from patron.web.tests.money_support import balance_of, customer_with_credit, money_state, switch_credit_on, url

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


@pytest.fixture
def manager():
    return client_for(Role.MANAGER)


@pytest.fixture
def customer():
    return customer_with_credit("100.00", first_name="Anna", last_name="Schmidt")


def page(client, customer) -> str:
    return client.get(url("customer_detail", customer)).content.decode()


def shown(html: str, element_id: str) -> str:
    """The text of the element with this id."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


# --- the account section ------------------------------------------------------------------------

def test_account_section_shows_balance_limit_and_available_credit(cashier, customer, system):
    credit.post_charge(actor=system, customer=customer, amount="35.00")
    html = page(cashier, customer)
    assert 'href="#account"' in html
    assert (shown(html, "account-balance"), shown(html, "account-limit"), shown(html, "account-available")) == (
        "$35.00", "$100.00", "$65.00")


def test_account_section_shows_an_overpayment_as_a_credit_balance(cashier, customer, system):
    credit.post_payment(actor=system, customer=customer, amount="30.00", method="cash")
    html = page(cashier, customer)
    assert (shown(html, "account-balance"), shown(html, "account-credit-balance"), shown(html, "account-available"),
            shown(html, "account-chargeable")) == ("-$30.00", "$30.00", "$100.00", "$130.00")


def test_while_credit_is_off_a_customer_without_an_account_shows_only_that_it_is_off(cashier):
    html = page(cashier, customer_factory())
    assert 'id="account-figures"' not in html and 'id="credit-off"' in html


# --- credit switched off: said where it matters, with the way to switch it on (issue 18) --------

@pytest.mark.parametrize("role, links", [(Role.ADMIN, True), (Role.MANAGER, False), (Role.CASHIER, False)])
def test_the_customer_page_says_credit_is_off_and_where_to_switch_it_on(role, links):
    html = page(client_for(role), customer_factory())
    notice = html.split('id="credit-off">')[1].split("</p>")[0]
    assert "Customer credit is switched off in the settings" in notice
    assert (f'href="{url("settings_credit_loyalty")}"' in notice) is links
    assert links or "An administrator can switch it on" in notice


def test_the_settings_page_says_credit_is_off_until_it_is_switched_on():
    admin = client_for(Role.ADMIN)
    notice = admin.get(url("settings")).content.decode().split('id="credit-off">')[1].split("</p>")[0]
    assert f'href="{url("settings_credit_loyalty")}"' in notice
    switch_credit_on()
    assert 'id="credit-off"' not in admin.get(url("settings")).content.decode()
    assert 'id="credit-off"' not in page(admin, customer_factory())


def test_without_an_account_a_manager_may_open_one_a_cashier_may_not(cashier, manager):
    switch_credit_on()
    someone = customer_factory()
    assert "has no credit account: set a credit limit" in page(manager, someone)
    assert url("customer_credit_limit", someone) in page(manager, someone)
    assert url("customer_credit_limit", someone) not in page(cashier, someone)


def test_recording_a_payment_lowers_the_balance(cashier, customer, system):
    credit.post_charge(actor=system, customer=customer, amount="80.00")
    response = cashier.post(url("customer_record_payment", customer),
                            {"payment-amount": "30.00", "payment-method": "cheque", "payment-reference": "CHQ 1234"})
    assert response.status_code == 302 and response.url.endswith("#account")
    assert balance_of(customer) == D("50.00")
    html = page(cashier, customer)
    assert "Payment of $30.00 recorded. Balance: $50.00." in html
    assert "Payment (cheque)" in html and "CHQ 1234" in html  # the payment history


def test_a_payment_larger_than_the_balance_asks_first_and_says_what_becomes_of_it(cashier, customer, system):
    credit.post_charge(actor=system, customer=customer, amount="40.00")
    before = money_state()
    posted = {"payment-amount": "100.00", "payment-method": "card", "payment-reference": "R-1", "payment-note": "n"}
    response = cashier.post(url("customer_record_payment", customer), posted)
    assert response.status_code == 200 and money_state() == before  # asked, nothing recorded
    html = response.content.decode()
    assert ("Anna Schmidt owes $40.00. This payment of $100.00 settles that, and $60.00 more will be kept as "
            "credit on the account: the next charges spend it first.") in html
    assert "Credit balance after the payment: $60.00." in html
    assert "Record the payment of $100.00" in html
    assert f'href="{url("customer_detail", customer)}#account">Cancel</a>' in html  # cancel: a link, no POST
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert hidden["payment-amount"] == "100.00" and hidden["payment-reference"] == "R-1"
    assert hidden["confirmed_owed"] == "40.00"

    confirmed = cashier.post(url("customer_record_payment", customer), hidden)
    assert confirmed.status_code == 302 and balance_of(customer) == D("-60.00")
    entry = LedgerEntry.objects.get(kind="payment")
    assert (entry.amount, entry.method, entry.reference, entry.note) == (D("-100.00"), "card", "R-1", "n")


def test_a_confirmation_for_another_balance_asks_again(cashier, customer, system):
    credit.post_charge(actor=system, customer=customer, amount="40.00")
    credit.post_payment(actor=system, customer=customer, amount="30.00", method="cash")  # paid since: owes 10
    before = money_state()
    response = cashier.post(url("customer_record_payment", customer), {
        "payment-amount": "100.00", "payment-method": "cash", "confirmed_owed": "40.00"})
    assert response.status_code == 200 and money_state() == before
    assert "owes $10.00" in response.content.decode() and "$90.00 more" in response.content.decode()


def test_a_payment_to_an_account_in_credit_is_kept_whole_and_in_german(customer, system):
    credit.post_payment(actor=system, customer=customer, amount="5.00", method="cash")
    client = client_for(Role.CASHIER, HTTP_ACCEPT_LANGUAGE="de")
    response = client.post(url("customer_record_payment", customer),
                           {"payment-amount": "1.000,50", "payment-method": "cash"})
    html = response.content.decode()
    assert response.status_code == 200 and 'name="payment-amount" value="1.000,50"' in html
    assert "1.005,50" in html  # the credit balance afterwards
    assert balance_of(customer) == D("-5.00")


def test_a_payment_up_to_the_balance_is_recorded_at_once(cashier, customer, system):
    credit.post_charge(actor=system, customer=customer, amount="40.00")
    response = cashier.post(url("customer_record_payment", customer), {"payment-amount": "40.00",
                                                                        "payment-method": "cash"})
    assert response.status_code == 302 and balance_of(customer) == D("0.00")


@pytest.mark.parametrize("amount, message", [("12.345", "at most 2 decimals"), ("-5", "must be positive"),
                                             ("0", "must not be zero"), ("1e3", "Enter an amount such as 1,234.50")])
def test_a_bad_payment_amount_shows_at_the_field_and_changes_nothing(cashier, customer, amount, message):
    before = money_state()
    response = cashier.post(url("customer_record_payment", customer),
                            {"payment-amount": amount, "payment-method": "cash"})
    assert response.status_code == 422
    assert message in field_error(response.content.decode(), "id_payment-amount")
    assert money_state() == before


def test_a_manager_sets_and_changes_the_credit_limit(manager):
    switch_credit_on()
    someone = customer_factory()
    manager.post(url("customer_credit_limit", someone), {"limit-credit_limit": "500.00"})
    assert CreditAccount.objects.get(customer=someone).credit_limit == D("500.00")
    response = manager.post(url("customer_credit_limit", someone), {"limit-credit_limit": "250"})
    assert response.status_code == 302
    assert CreditAccount.objects.get(customer=someone).credit_limit == D("250.00")
    assert "Credit limit is $250.00." in page(manager, someone)


def test_a_cashier_may_not_change_the_limit_and_nothing_changes(cashier, customer):
    before = money_state()
    response = cashier.post(url("customer_credit_limit", customer), {"limit-credit_limit": "9999.00"})
    assert response.status_code == 403
    assert money_state() == before and CreditAccount.objects.get(customer=customer).credit_limit == D("100.00")


def test_a_manager_posts_an_adjustment_with_a_reason(manager, customer, system):
    credit.post_charge(actor=system, customer=customer, amount="40.00")
    manager.post(url("customer_credit_adjustment", customer),
                 {"adjustment-amount": "-15.50", "adjustment-note": "Goodwill"})
    assert balance_of(customer) == D("24.50")
    assert "Adjustment of -$15.50 posted. Balance: $24.50." in page(manager, customer)
    before = money_state()
    response = manager.post(url("customer_credit_adjustment", customer),
                            {"adjustment-amount": "5.00", "adjustment-note": ""})
    assert response.status_code == 422 and field_error(response.content.decode(), "id_adjustment-note")
    assert money_state() == before


def test_a_manager_reverses_an_entry_once(manager, customer, system):
    payment = credit.post_payment(actor=system, customer=customer, amount="20.00", method="cash")
    assert balance_of(customer) == D("-20.00")
    reverse = url("customer_credit_reverse", customer, payment)
    assert reverse in page(manager, customer)
    response = manager.post(reverse)
    assert response.status_code == 302 and balance_of(customer) == D("0.00")
    html = page(manager, customer)
    assert "Entry 1 (payment of -$20.00) reversed." in html and "reversed by #2" in html and "reverses #1" in html
    assert reverse not in html  # reversed once, no button any more
    before = money_state()
    manager.post(reverse)
    assert "already been reversed" in page(manager, customer) and money_state() == before


@pytest.mark.parametrize("name, data", [
    ("customer_credit_adjustment", {"adjustment-amount": "10.00", "adjustment-note": "Fee"}),
    ("customer_credit_reverse", {}),
])
def test_a_cashier_may_not_adjust_or_reverse(cashier, customer, system, name, data):
    entry = credit.post_charge(actor=system, customer=customer, amount="10.00")
    html = page(cashier, customer)
    args = (customer, entry) if name == "customer_credit_reverse" else (customer,)
    assert url(name, *args) not in html
    before = money_state()
    assert cashier.post(url(name, *args), data).status_code == 403
    assert money_state() == before


def test_a_sale_on_account_links_its_entry_to_the_sale(cashier, customer):
    sale = sale_factory(customer, lines=[line("Teapot", "1", "35.00")],
                        payments=[{"tender": "on_account", "amount": "35.00"}])
    html = page(cashier, customer)
    assert f'href="{url("sale_detail", sale)}">{sale.number}</a>' in html


def test_aging_on_the_page(cashier, customer, system):
    for days, amount in ((100, "40.00"), (45, "30.00"), (0, "10.00")):
        credit.post_charge(actor=system, customer=customer, amount=amount, effective_date=days_ago(days))
    credit.post_payment(actor=system, customer=customer, amount="15.00", method="cash")  # pays the oldest first
    html = page(cashier, customer)
    aging = dict(re.findall(r'data-bucket="([^"]+)">([^<]+)<', html))
    assert aging == {"current": "$10.00", "30": "$30.00", "60": "$0.00", "90+": "$25.00"}


def test_statement_of_a_period(cashier, customer, system):
    for day, amount in (("2025-01-10", "50.00"), ("2025-02-20", "30.00"), ("2025-03-15", "10.00")):
        credit.post_charge(actor=system, customer=customer, amount=amount,
                           effective_date=datetime.date.fromisoformat(day))
    credit.post_payment(actor=system, customer=customer, amount="20.00", method="card",
                        effective_date=datetime.date(2025, 2, 5))
    response = cashier.get(url("customer_statement", customer, query="start=2025-02-01&end=2025-02-28"))
    html = response.content.decode()
    assert response.status_code == 200
    assert shown(html, "statement-period") == "Feb 1, 2025 to Feb 28, 2025"
    figures = [shown(html, name) for name in ("opening-balance", "period-charges", "period-credits",
                                              "closing-balance")]
    assert figures == ["$50.00", "$30.00", "-$20.00", "$60.00"]
    assert "Feb 5, 2025" in html and "Mar 15, 2025" not in html and "data-print" in html


def test_statement_shows_this_month_by_default(cashier, customer):
    html = cashier.get(url("customer_statement", customer)).content.decode()
    today = timezone.localdate()
    assert shown(html, "statement-period") == f"{format_date(today.replace(day=1))} to {format_date(today)}"
    assert f'value="{today.isoformat()}"' in html


def test_statement_needs_an_account(cashier):
    switch_credit_on()
    assert cashier.get(url("customer_statement", customer_factory())).status_code == 404


# --- the overdue list ---------------------------------------------------------------------------

def test_overdue_list_shows_whom_to_follow_up(manager, system):
    late = customer_with_credit("500.00", first_name="Late", last_name="Payer")
    on_time = customer_with_credit("500.00", first_name="On", last_name="Time")
    credit.post_charge(actor=system, customer=late, amount="120.00", effective_date=days_ago(75))
    credit.post_charge(actor=system, customer=late, amount="20.00", effective_date=days_ago(3))
    credit.post_charge(actor=system, customer=on_time, amount="60.00", effective_date=days_ago(3))
    html = manager.get(url("overdue_accounts")).content.decode()
    assert "Late Payer" in html and "On Time" not in html
    assert f'{url("customer_detail", late)}#account' in html
    assert "<strong>$120.00</strong>" in html and format_date(days_ago(75)) in html
    assert "$140.00" in html  # the balance
    in_the_past = manager.get(url("overdue_accounts", query=f"as_of={days_ago(60).isoformat()}"))
    assert "Late Payer" not in in_the_past.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_overdue_list_is_for_managers(role):
    client = client_for(role)
    response = client.get(url("overdue_accounts"))
    may = role != Role.CASHIER
    assert response.status_code == (200 if may else 403)
    assert ('href="/overdue-accounts/"' in client.get(url("till")).content.decode()) == may


# --- points -------------------------------------------------------------------------------------

def test_points_section_shows_balance_value_and_history(cashier, system):
    customer = customer_factory()
    sale_factory(customer, lines=[line("Teapot", "1", "35.00")], number="S-9")
    html = page(cashier, customer)
    assert shown(html, "points-balance") == "35 points" and "$0.35" in html
    assert "Earned" in html and "till-1/S-9" in html
    assert url("customer_points_adjustment", customer) not in html


def test_a_manager_adjusts_points_and_a_cashier_may_not(manager, cashier):
    customer = customer_factory()
    response = manager.post(url("customer_points_adjustment", customer), {"points-points": "120",
                                                                          "points-note": "Apology"})
    assert response.status_code == 302 and points_balance(customer) == 120
    assert "Points adjusted by +120: the balance is 120." in page(manager, customer)
    before = money_state()
    refused = manager.post(url("customer_points_adjustment", customer), {"points-points": "-500",
                                                                         "points-note": "Too many"})
    assert refused.status_code == 422 and "has 120 points" in refused.content.decode()
    assert cashier.post(url("customer_points_adjustment", customer),
                        {"points-points": "5", "points-note": "x"}).status_code == 403
    assert money_state() == before


# --- settings -----------------------------------------------------------------------------------

SETTINGS = {"credit_enabled": "on", "payment_terms_days": "14", "loyalty_enabled": "on",
            "points_per_unit": "2", "point_value": "0.05"}


def test_an_admin_switches_credit_on_and_sets_loyalty():
    admin = client_for(Role.ADMIN)
    assert 'href="/settings/credit-loyalty/"' in admin.get(url("settings")).content.decode()
    response = admin.post(url("settings_credit_loyalty"), SETTINGS)
    assert response.status_code == 302
    shop, points = CreditSettings.objects.get(pk=1), LoyaltySettings.objects.get(pk=1)
    assert (shop.is_enabled, shop.payment_terms_days) == (True, 14)
    assert (points.is_enabled, points.points_per_unit, points.point_value) == (True, D("2"), D("0.05"))
    admin.post(url("settings_credit_loyalty"), {**SETTINGS, "credit_enabled": ""})
    assert CreditSettings.objects.get(pk=1).is_enabled is False


def test_refused_settings_change_nothing():
    admin = client_for(Role.ADMIN)
    credit.set_credit_enabled(actor=system_actor(), is_enabled=False, payment_terms_days=30)
    before = (list(CreditSettings.objects.values()), list(LoyaltySettings.objects.values()), money_state())
    for refused, field in (({"point_value": "0"}, "point_value"), ({"payment_terms_days": "400"},
                                                                     "payment_terms_days")):
        response = admin.post(url("settings_credit_loyalty"), {**SETTINGS, **refused})
        assert response.status_code == 200 and field in response.context["form"].errors
    assert (list(CreditSettings.objects.values()), list(LoyaltySettings.objects.values()), money_state()) == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER])
def test_only_admins_change_credit_and_loyalty_settings(role):
    before = (list(CreditSettings.objects.values()), list(LoyaltySettings.objects.values()))
    assert client_for(role).post(url("settings_credit_loyalty"), SETTINGS).status_code == 403
    assert (list(CreditSettings.objects.values()), list(LoyaltySettings.objects.values())) == before


def test_credit_switched_off_keeps_an_existing_account_visible(cashier, customer, system):
    credit.post_charge(actor=system, customer=customer, amount="10.00")
    credit.set_credit_enabled(actor=system, is_enabled=False)
    html = page(cashier, customer)
    assert shown(html, "account-balance") == "$10.00" and "switched off in the settings" in html
    assert LedgerEntry.objects.count() == 1
