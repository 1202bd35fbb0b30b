"""Credit accounts through the API: limit, charges, payments, adjustments, reversals, entries,
statements, the overdue list, and the money rules of every amount."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from patron.api.errors import PROBLEM_BASE
from patron.api.tests.conftest import assert_problem, key, pointers
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit import actions
from patron.credit.models import CreditAccount, LedgerEntry
from patron.credit.queries import ledger_problems
from patron.customers.actions import change_status
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db
D = Decimal


def _credit(customer) -> str:
    return f"/customers/{customer.uuid}/credit"


def _charge(api, customer, amount="12.34", *, idempotency_key="charge-1", **fields):
    return api.post(_credit(customer) + "/charges", {"amount": amount, **fields}, headers=key(idempotency_key))


def _state(customer) -> tuple:
    account = CreditAccount.objects.get(customer=customer)
    return account.balance, account.credit_limit, account.entries.count(), AuditEvent.objects.count()


def test_setting_a_limit_opens_the_account_then_changes_it(api, credit_on):
    customer = customer_factory()
    assert_problem(api.get(_credit(customer)), 404, "no-credit-account")
    opened = api.request("PUT", _credit(customer), {"credit_limit": "500.00"})
    assert opened.status_code == 201, opened.content
    assert opened.json() | {"opened_at": None, "updated_at": None} == {
        "customer": {"id": str(customer.uuid), "name": customer.name, "account_number": customer.account_number},
        "credit_limit": "500.00", "balance": "0.00", "credit_balance": "0.00", "available_credit": "500.00",
        "chargeable": "500.00", "currency": "USD",
        "aging": {"current": "0.00", "days_30": "0.00", "days_60": "0.00", "days_90_plus": "0.00"},
        "opened_at": None, "updated_at": None,
    }
    changed = api.request("PUT", _credit(customer), {"credit_limit": "250"})
    assert (changed.status_code, changed.json()["credit_limit"]) == (200, "250.00")
    assert api.get(_credit(customer)).json()["available_credit"] == "250.00"


def test_limit_cannot_be_set_while_credit_is_switched_off(api):
    customer = customer_factory()
    assert_problem(api.request("PUT", _credit(customer), {"credit_limit": "500.00"}), 409, "credit-disabled")
    assert not CreditAccount.objects.exists()


def test_a_charge_answers_201_with_the_entry_and_raises_the_balance(api, holder):
    response = _charge(api, holder, "120.50", reference="S1/1001")
    assert response.status_code == 201, response.content
    entry = LedgerEntry.objects.get()
    assert response["Location"] == f"/api/v1/credit/entries/{entry.uuid}"
    body = response.json()
    assert body | {"posted_at": None} == {
        "id": str(entry.uuid), "sequence": 1, "kind": "charge", "amount": "120.50", "balance_after": "120.50",
        "effective_date": timezone.localdate().isoformat(), "posted_at": None, "posted_by": entry.actor_label,
        "method": "", "reference": "S1/1001", "note": "", "reverses": None, "exceeds_limit": False,
    }
    assert api.get(f"/credit/entries/{entry.uuid}").content == response.content
    assert api.get(_credit(holder)).json()["balance"] == "120.50"


def test_a_charge_over_the_limit_is_422_credit_limit_exceeded_and_changes_nothing(api, holder):
    assert _charge(api, holder, "499.99", idempotency_key="first").status_code == 201
    before = _state(holder)
    problem = assert_problem(_charge(api, holder, "0.02", idempotency_key="second"), 422, "credit-limit-exceeded")
    assert problem["type"] == PROBLEM_BASE + "credit-limit-exceeded" and "available: 0.01" in problem["detail"]
    assert _state(holder) == before
    assert _charge(api, holder, "0.01", idempotency_key="third").json()["balance_after"] == "500.00"


@pytest.mark.parametrize("status", [CustomerStatus.CREDIT_HOLD, CustomerStatus.INACTIVE, CustomerStatus.DELETED])
def test_charges_are_refused_for_customers_who_may_not_buy_on_account(api, system, holder, status):
    change_status(actor=system, customer=holder, status=status)
    before = _state(holder)
    assert_problem(_charge(api, holder), 409, "customer-may-not-buy-on-account")
    assert _state(holder) == before


@pytest.mark.parametrize("amount", [
    12.34, 12, "12.345", "NaN", "Infinity", "1e3", "1E+3", "-5.00", "0", "0.00", "100000000.00", "", " 5",
    "12,50", "١٢", True, None,
])
def test_amounts_other_than_positive_decimal_strings_are_422_with_a_pointer(api, holder, amount):
    before = _state(holder)
    problem = assert_problem(_charge(api, holder, amount), 422, "validation-failed")
    assert pointers(problem) == {"/amount"}
    assert _state(holder) == before


def test_the_largest_amount_passes_the_schema_and_meets_the_limit(api, holder):
    problem = assert_problem(_charge(api, holder, "99999999.99"), 422, "credit-limit-exceeded")
    assert "99999999.99" in problem["detail"]


def test_bare_nan_is_not_json_at_all(api, holder):
    response = api.post(_credit(holder) + "/charges", raw=b'{"amount": NaN}', headers=key())
    assert_problem(response, 400, "invalid-json")
    assert LedgerEntry.objects.count() == 0


def test_another_currency_is_422_mismatching_currency(api, holder):
    before = _state(holder)
    problem = assert_problem(_charge(api, holder, currency="EUR"), 422, "mismatching-currency")
    assert pointers(problem) == {"/currency"}
    assert _state(holder) == before
    assert _charge(api, holder, currency="usd", idempotency_key="in-dollars").status_code == 201


def test_unknown_fields_such_as_the_balance_are_refused(api, holder):
    before = _state(holder)
    problem = assert_problem(_charge(api, holder, balance_after="0.00"), 422, "validation-failed")
    assert pointers(problem) == {"/balance_after"}
    assert _state(holder) == before


def test_payments_lower_the_balance_and_keep_their_method(api, holder):
    _charge(api, holder, "100.00")
    response = api.post(_credit(holder) + "/payments", {"amount": "40.00", "method": "cheque", "reference": "Chq 12"},
                        headers=key("pay-1"))
    assert response.status_code == 201, response.content
    assert {name: response.json()[name] for name in ("kind", "amount", "balance_after", "method", "sequence")} == {
        "kind": "payment", "amount": "-40.00", "balance_after": "60.00", "method": "cheque", "sequence": 2}


def test_a_payment_needs_a_known_method(api, holder):
    before = _state(holder)
    problem = assert_problem(api.post(_credit(holder) + "/payments", {"amount": "1.00", "method": "barter"},
                                      headers=key()), 422, "validation-failed")
    assert pointers(problem) == {"/method"}
    assert _state(holder) == before


def test_adjustments_are_signed_need_a_reason_and_may_pass_the_limit(api, holder):
    path = _credit(holder) + "/adjustments"
    raised = api.post(path, {"amount": "600.00", "note": "Opening balance from the old system"}, headers=key("a1"))
    assert (raised.status_code, raised.json()["exceeds_limit"], raised.json()["balance_after"]) == (201, True, "600.00")
    lowered = api.post(path, {"amount": "-100.00", "note": "Goodwill"}, headers=key("a2"))
    assert lowered.json()["amount"] == "-100.00"
    before = _state(holder)
    assert pointers(assert_problem(api.post(path, {"amount": "-1.00", "note": "  "}, headers=key("a3")),
                                   422, "validation-failed")) == {"/note"}
    assert pointers(assert_problem(api.post(path, {"amount": "-0.00", "note": "x"}, headers=key("a4")),
                                   422, "validation-failed")) == {"/amount"}
    assert _state(holder) == before


def test_a_reversal_cancels_an_entry_once_whatever_came_between(api, holder):
    charge = _charge(api, holder, "80.00").json()
    _charge(api, holder, "5.00", idempotency_key="charge-2")
    path = f"/credit/entries/{charge['id']}/reversal"
    reversal = api.post(path, {}, headers=key("rev-1"))
    assert reversal.status_code == 201, reversal.content
    assert {name: reversal.json()[name] for name in ("kind", "amount", "balance_after", "reverses", "note")} == {
        "kind": "reversal", "amount": "-80.00", "balance_after": "5.00", "reverses": charge["id"],
        "note": "Reverses entry 1"}
    before = _state(holder)
    assert_problem(api.post(path, {"note": "again"}, headers=key("rev-2")), 409, "already-reversed")
    assert_problem(api.post(f"/credit/entries/{reversal.json()['id']}/reversal", {}, headers=key("rev-3")),
                   409, "reversal-of-reversal")
    assert _state(holder) == before
    assert ledger_problems(CreditAccount.objects.get(customer=holder)) == []


def test_reversing_a_payment_may_pass_the_limit_and_is_flagged(api, holder):
    _charge(api, holder, "500.00")
    payment = api.post(_credit(holder) + "/payments", {"amount": "500.00", "method": "cash"}, headers=key("p"))
    _charge(api, holder, "500.00", idempotency_key="charge-2")
    reversal = api.post(f"/credit/entries/{payment.json()['id']}/reversal", {}, headers=key("r"))
    assert (reversal.json()["balance_after"], reversal.json()["exceeds_limit"]) == ("1000.00", True)


def test_unknown_entries_and_customers_are_404(api, holder):
    import uuid

    assert_problem(api.get(f"/credit/entries/{uuid.uuid4()}"), 404, "entry-not-found")
    assert_problem(api.post(f"/credit/entries/{uuid.uuid4()}/reversal", {}, headers=key()), 404, "entry-not-found")
    assert_problem(api.post(f"/customers/{uuid.uuid4()}/credit/charges", {"amount": "1.00"}, headers=key("k2")),
                   404, "customer-not-found")
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_entries_cannot_be_changed_or_deleted_through_the_api(api, holder, method):
    entry = _charge(api, holder).json()
    for path in (f"/credit/entries/{entry['id']}", _credit(holder) + "/entries"):
        response = api.request(method, path, {"amount": "0.01"}, headers={"If-Match": "*"})
        assert_problem(response, 405, "method-not-allowed")
        assert response["Allow"] == "GET"
    assert LedgerEntry.objects.get().amount == D("12.34")


def test_entries_are_listed_newest_first_page_by_page(api, holder):
    for index in range(5):
        _charge(api, holder, f"{index + 1}.00", idempotency_key=f"charge-{index}")
    seen, cursor = [], None
    while True:
        body = api.get(_credit(holder) + "/entries?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [entry["sequence"] for entry in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1]
    assert_problem(api.get(_credit(customer_factory()) + "/entries"), 404, "no-credit-account")


def test_statement_gives_opening_balance_entries_and_closing_balance(api, system, holder):
    day = datetime.date(2026, 3, 1)
    for amount, offset in (("100.00", -10), ("30.00", 0), ("20.00", 5)):
        actions.post_charge(actor=system, customer=holder, amount=amount,
                            effective_date=day + datetime.timedelta(days=offset))
    actions.post_payment(actor=system, customer=holder, amount="40.00", method="cash",
                         effective_date=day + datetime.timedelta(days=2))
    body = api.get(_credit(holder) + "/statement?start=2026-03-01&end=2026-03-31").json()
    assert {name: body[name] for name in ("start", "end", "opening_balance", "charges", "credits",
                                          "closing_balance", "currency")} == {
        "start": "2026-03-01", "end": "2026-03-31", "opening_balance": "100.00", "charges": "50.00",
        "credits": "-40.00", "closing_balance": "110.00", "currency": "USD"}
    assert [entry["amount"] for entry in body["entries"]] == ["30.00", "-40.00", "20.00"]


@pytest.mark.parametrize("query, parameter", [
    ("start=2026-03-31&end=2026-03-01", "end"),
    ("start=2025-01-01&end=2026-03-01", "end"),
    ("start=2026-02-30&end=2026-03-01", "start"),
    ("end=2026-03-01", "start"),
])
def test_statement_periods_must_make_sense(api, holder, query, parameter):
    problem = assert_problem(api.get(_credit(holder) + f"/statement?{query}"), 422, "validation-failed")
    assert problem["errors"][0]["parameter"] == parameter


def test_overdue_list_puts_the_largest_overdue_amount_first_page_by_page(api, system, credit_on):
    long_ago = timezone.localdate() - datetime.timedelta(days=45)
    owing = {}
    for name, amount in (("Small", "10.00"), ("Large", "300.00"), ("Middle", "50.00"), ("Recent", None)):
        customer = customer_factory(first_name=name, last_name="Owes")
        actions.set_credit_limit(actor=system, customer=customer, credit_limit="500.00")
        actions.post_charge(actor=system, customer=customer, amount=amount or "99.00",
                            effective_date=None if amount is None else long_ago)
        owing[name] = customer
    first = api.get("/credit/overdue?limit=2").json()
    second = api.get(f"/credit/overdue?limit=2&cursor={first['next_cursor']}").json()
    assert [row["customer"]["name"] for row in first["items"] + second["items"]] == [
        "Large Owes", "Middle Owes", "Small Owes"]
    assert second["next_cursor"] is None
    assert first["items"][0] | {"oldest_open": None} == {
        "customer": {"id": str(owing["Large"].uuid), "name": "Large Owes",
                     "account_number": owing["Large"].account_number},
        "balance": "300.00", "credit_limit": "500.00", "overdue": "300.00", "oldest_open": None,
        "aging": {"current": "0.00", "days_30": "300.00", "days_60": "0.00", "days_90_plus": "0.00"}}
    assert_problem(api.get("/credit/overdue?cursor=" + first["next_cursor"] + "x"), 400, "invalid-cursor")


def test_cashiers_may_charge_and_take_payments_but_not_adjust_reverse_or_set_limits(api_as, holder):
    cashier = api_as(Role.CASHIER)
    entry = _charge(cashier, holder, "10.00").json()
    assert entry["balance_after"] == "10.00"
    assert cashier.post(_credit(holder) + "/payments", {"amount": "4.00", "method": "cash"},
                        headers=key("p")).status_code == 201
    before = _state(holder)
    assert_problem(cashier.post(_credit(holder) + "/adjustments", {"amount": "-6.00", "note": "Gift"},
                                headers=key("a")), 403, "permission-denied")
    assert_problem(cashier.post(f"/credit/entries/{entry['id']}/reversal", {}, headers=key("r")),
                   403, "permission-denied")
    assert_problem(cashier.request("PUT", _credit(holder), {"credit_limit": "9000.00"}), 403, "permission-denied")
    assert_problem(cashier.get("/credit/overdue"), 403, "permission-denied")
    assert _state(holder) == before


def test_an_overpayment_is_answered_as_a_credit_balance_within_the_limit(api, holder):
    """Issue 15 (10): paying 750 on 500 owed used to answer available credit 750 on a limit of 500."""
    assert _charge(api, holder, "500.00").status_code == 201
    paid = api.post(_credit(holder) + "/payments", {"amount": "750.00", "method": "cash"}, headers=key("pay-1"))
    assert paid.status_code == 201
    account = api.get(_credit(holder)).json()
    assert {name: account[name] for name in ("balance", "credit_balance", "available_credit", "chargeable")} == {
        "balance": "-250.00", "credit_balance": "250.00", "available_credit": "500.00", "chargeable": "750.00"}
    before = _state(holder)
    assert_problem(_charge(api, holder, "750.01", idempotency_key="charge-2"), 422, "credit-limit-exceeded")
    assert _state(holder) == before
    assert _charge(api, holder, "600.00", idempotency_key="charge-3").json()["balance_after"] == "350.00"
    account = api.get(_credit(holder)).json()
    assert (account["credit_balance"], account["available_credit"], account["chargeable"]) == (
        "0.00", "150.00", "150.00")
