"""Idempotency-Key on the operations that move money (reliability I1, I2, I5, I7)."""

import pytest

from patron.api.models import IdempotencyRecord
from patron.api.tests.conftest import assert_problem, key
from patron.core.models import AuditEvent
from patron.credit.actions import post_charge
from patron.credit.models import CreditAccount, LedgerEntry
from patron.loyalty.models import PointsEntry
from patron.sales.models import Sale

pytestmark = pytest.mark.django_db


def _charges(customer) -> str:
    return f"/customers/{customer.uuid}/credit/charges"


def _state(customer) -> tuple:
    account = CreditAccount.objects.get(customer=customer)
    return account.balance, account.entries.count(), Sale.objects.count(), PointsEntry.objects.count(), \
        AuditEvent.objects.count()


def _money_posts(customer, entry) -> list[tuple[str, dict]]:
    credit = f"/customers/{customer.uuid}/credit"
    return [
        (credit + "/charges", {"amount": "1.00"}),
        (credit + "/payments", {"amount": "1.00", "method": "cash"}),
        (credit + "/adjustments", {"amount": "1.00", "note": "Fix"}),
        (f"/credit/entries/{entry.uuid}/reversal", {}),
        ("/sales", {"source": "till-1", "number": "9", "lines": [{"description": "Mug", "quantity": "1",
                                                                  "unit_price": "1.00"}],
                    "payments": [{"tender": "cash", "amount": "1.00"}]}),
        (f"/customers/{customer.uuid}/points/adjustments", {"points": 5, "note": "Fix"}),
    ]


def test_every_money_operation_refuses_to_run_without_a_key(api, system, holder):
    entry = post_charge(actor=system, customer=holder, amount="10.00")
    before = _state(holder)
    for path, body in _money_posts(holder, entry):
        problem = assert_problem(api.post(path, body), 400, "idempotency-key-required")
        assert "Idempotency-Key" in problem["detail"]
        assert _state(holder) == before, path
    for path, body in _money_posts(holder, entry):  # and each runs with one
        assert api.post(path, body, headers=key(path)).status_code == 201, path


def test_i1_fifty_retries_replay_the_charge_byte_for_byte_with_exactly_one_entry(api, holder):
    first = api.post(_charges(holder), {"amount": "12.34", "reference": "S1/1"}, headers=key("till1-0001"))
    assert first.status_code == 201 and not first.has_header("Idempotent-Replayed")
    for _ in range(50):
        again = api.post(_charges(holder), {"reference": "S1/1", "amount": "12.34"}, headers=key("till1-0001"))
        assert (again.status_code, again.content, again["Location"]) == (201, first.content, first["Location"])
        assert again["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.count() == 1
    assert str(CreditAccount.objects.get(customer=holder).balance) == "12.34"


@pytest.mark.parametrize("other", [{"amount": "12.35"}, {"amount": "12.34", "reference": "S1/2"}])
def test_i2_the_same_key_with_another_body_is_422_and_moves_nothing(api, holder, other):
    api.post(_charges(holder), {"amount": "12.34"}, headers=key())
    before = _state(holder)
    assert_problem(api.post(_charges(holder), other, headers=key()), 422, "idempotency-key-reused")
    assert _state(holder) == before


def test_i2_the_same_key_on_another_account_or_route_is_422_and_moves_nothing(api, system, holder, credit_on):
    from patron.credit.actions import set_credit_limit
    from patron.customers.tests.factories import customer_factory

    other = customer_factory()
    set_credit_limit(actor=system, customer=other, credit_limit="500.00")
    api.post(_charges(holder), {"amount": "12.34"}, headers=key())
    before = _state(holder)
    assert_problem(api.post(_charges(other), {"amount": "12.34"}, headers=key()), 422, "idempotency-key-reused")
    assert_problem(api.post(f"/customers/{holder.uuid}/credit/payments", {"amount": "12.34", "method": "cash"},
                            headers=key()), 422, "idempotency-key-reused")
    assert _state(holder) == before
    assert not LedgerEntry.objects.filter(account__customer=other).exists()


def test_i5_a_refusal_over_the_limit_stays_refused_after_a_payment_freed_credit(api, holder):
    assert api.post(_charges(holder), {"amount": "450.00"}, headers=key("k-1")).status_code == 201
    refused = api.post(_charges(holder), {"amount": "100.00"}, headers=key("k-2"))
    assert_problem(refused, 422, "credit-limit-exceeded")
    paid = api.post(f"/customers/{holder.uuid}/credit/payments", {"amount": "400.00", "method": "card"},
                    headers=key("k-3"))
    assert paid.json()["balance_after"] == "50.00"
    before = _state(holder)
    retried = api.post(_charges(holder), {"amount": "100.00"}, headers=key("k-2"))
    assert (retried.status_code, retried.content, retried["Idempotent-Replayed"]) == (422, refused.content, "true")
    assert retried["Content-Type"] == "application/problem+json"
    assert _state(holder) == before
    assert api.post(_charges(holder), {"amount": "100.00"}, headers=key("k-4")).status_code == 201  # a new key


def test_a_sale_refused_over_the_limit_is_stored_with_nothing_of_the_sale(api, holder):
    sale = {"source": "till-1", "number": "77", "customer": str(holder.uuid),
            "lines": [{"description": "Sofa", "quantity": "1", "unit_price": "600.00"}],
            "payments": [{"tender": "on_account", "amount": "600.00"}]}
    before = _state(holder)
    refused = api.post("/sales", sale, headers=key())
    assert_problem(refused, 422, "credit-limit-exceeded")
    assert _state(holder) == before
    assert IdempotencyRecord.objects.get().status_code == 422
    assert api.post("/sales", sale, headers=key()).content == refused.content


@pytest.mark.parametrize("body", [
    {"amount": 12.34},  # refused by the schema
    {"amount": "12.34", "currency": "EUR"},  # refused by the action (ValidationFailed)
])
def test_input_refusals_are_not_stored_so_the_corrected_charge_may_reuse_the_key(api, holder, body):
    assert api.post(_charges(holder), body, headers=key()).status_code == 422
    assert not IdempotencyRecord.objects.exists()
    corrected = api.post(_charges(holder), {"amount": "12.34"}, headers=key())
    assert corrected.status_code == 201 and not corrected.has_header("Idempotent-Replayed")
    assert LedgerEntry.objects.count() == 1
