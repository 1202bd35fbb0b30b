"""Real concurrent requests (threads with their own database connections), on both engines.

PostgreSQL serialises the racers with row locks and unique constraints; SQLite (a file, as in
production) serialises writers at BEGIN IMMEDIATE. Either way the outcome must be the same."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from patron.api.models import IdempotencyRecord
from patron.api.tests.conftest import ApiClient, assert_problem
from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import token_factory

pytestmark = pytest.mark.django_db(transaction=True)


def _in_parallel(count: int, request) -> list:
    """Run ``request(client, index)`` in ``count`` threads released at the same moment."""
    start, results = threading.Barrier(count), [None] * count

    def worker(index: int):
        try:
            start.wait()
            results[index] = request(Client(), index)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_duplicates_have_exactly_one_effect():
    _, secret = token_factory(Role.CASHIER)
    body = {"kind": "person", "last_name": "Racer"}

    def create(client, index):
        return ApiClient(client, secret).post("/customers", body, headers={"Idempotency-Key": "race-1"})

    responses = _in_parallel(8, create)
    created = [response for response in responses if response.status_code == 201]
    assert created and {response.content for response in created} == {created[0].content}
    for response in responses:
        assert response.status_code == 201 or response.json()["code"] == "idempotency-request-in-flight"
    assert Customer.objects.filter(last_name="Racer").count() == 1


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_patches_with_the_same_etag_have_one_winner(trial):
    _, secret = token_factory(Role.MANAGER)
    customer = customer_factory(last_name="Old")

    def patch(client, index):
        return ApiClient(client, secret).patch(f"/customers/{customer.uuid}", {"last_name": f"Name{index}"},
                                               if_match=1)

    responses = _in_parallel(2, patch)
    assert sorted(response.status_code for response in responses) == [200, 412]
    winner = next(response for response in responses if response.status_code == 200).json()
    customer.refresh_from_db()
    assert (customer.last_name, customer.version) == (winner["last_name"], 2)


def test_a_duplicate_waiting_too_long_gets_409_in_flight(settings):
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the first request's write transaction makes the duplicate wait at BEGIN")
    settings.PATRON_API_IDEMPOTENCY_WAIT_SECONDS = 0.2
    token, secret = token_factory(Role.CASHIER)
    holding, release = threading.Event(), threading.Event()

    def first_request_still_running():
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(token=token, key="slow-1", fingerprint="x")
                holding.set()
                release.wait(10)
                transaction.set_rollback(True)
        finally:
            connection.close()

    holder = threading.Thread(target=first_request_still_running)
    holder.start()
    try:
        assert holding.wait(10)
        api = ApiClient(Client(), secret)
        assert_problem(api.post("/customers", {"kind": "person", "last_name": "Slow"},
                                headers={"Idempotency-Key": "slow-1"}), 409, "idempotency-request-in-flight")
    finally:
        release.set()
        holder.join()
    assert not Customer.objects.filter(last_name="Slow").exists()
    retried = ApiClient(Client(), secret).post("/customers", {"kind": "person", "last_name": "Slow"},
                                               headers={"Idempotency-Key": "slow-1"})
    assert retried.status_code == 201


def _account_holder(limit: str):
    from patron.core.actors import system_actor
    from patron.credit import actions

    actions.set_credit_enabled(actor=system_actor(), is_enabled=True)
    customer = customer_factory()
    actions.set_credit_limit(actor=system_actor(), customer=customer, credit_limit=limit)
    return customer


def test_i3_concurrent_duplicate_charges_post_exactly_one_entry():
    from patron.credit.models import LedgerEntry

    customer = _account_holder("500.00")
    _, secret = token_factory(Role.CASHIER)

    def charge(client, index):
        return ApiClient(client, secret).post(f"/customers/{customer.uuid}/credit/charges", {"amount": "25.00"},
                                              headers={"Idempotency-Key": "charge-race-1"})

    responses = _in_parallel(20, charge)
    created = [response for response in responses if response.status_code == 201]
    assert created and {response.content for response in created} == {created[0].content}
    for response in responses:
        assert response.status_code == 201 or response.json()["code"] == "idempotency-request-in-flight"
    assert LedgerEntry.objects.filter(account__customer=customer).count() == 1
    retried = ApiClient(Client(), secret).post(f"/customers/{customer.uuid}/credit/charges", {"amount": "25.00"},
                                               headers={"Idempotency-Key": "charge-race-1"})
    assert (retried.content, retried["Idempotent-Replayed"]) == (created[0].content, "true")


def test_concurrent_charges_never_pass_the_limit():
    from patron.credit.models import CreditAccount
    from patron.credit.queries import ledger_problems

    customer = _account_holder("500.00")
    _, secret = token_factory(Role.CASHIER)

    def charge(client, index):
        return ApiClient(client, secret).post(f"/customers/{customer.uuid}/credit/charges", {"amount": "30.00"},
                                              headers={"Idempotency-Key": f"charge-{index}"})

    responses = _in_parallel(20, charge)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 16 + [422] * 4
    assert {response.json()["code"] for response in responses if response.status_code == 422} == {
        "credit-limit-exceeded"}
    account = CreditAccount.objects.get(customer=customer)
    assert str(account.balance) == "480.00" and ledger_problems(account) == []


def _wait_for_lock_waiters(count: int, done=lambda: False) -> None:
    """Until ``count`` transactions of this database wait for a lock (PostgreSQL), or ``done()``.
    SQLite has no such view: the writers wait at BEGIN for the busy timeout; give them a moment."""
    if connection.vendor != "postgresql":
        time.sleep(0.3)
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not done():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity "
                           "WHERE wait_event_type = 'Lock' AND datname = current_database()")
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)


def _in_thread(work) -> tuple[threading.Thread, list]:
    result = []

    def run():
        try:
            result.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def _posted_after_the_hold(customer) -> list:
    """Entries posted after the customer's credit hold was committed (there must be none)."""
    from patron.credit.models import LedgerEntry

    customer.refresh_from_db()
    assert customer.status == "credit_hold"
    return list(LedgerEntry.objects.filter(account__customer=customer, posted_at__gt=customer.status_changed_at))


def _posted_after_credit_was_switched_off(customer) -> list:
    from patron.core.models import AuditEvent
    from patron.credit.models import LedgerEntry

    switched = AuditEvent.objects.filter(action="settings.credit_updated").latest("occurred_at")
    assert switched.changes == {"is_enabled": [True, False]}
    return list(LedgerEntry.objects.filter(account__customer=customer, posted_at__gt=switched.occurred_at))


def _put_on_hold(customer, secret):
    return ApiClient(Client(), secret).post(f"/customers/{customer.uuid}/status",
                                            {"status": "credit_hold", "reason": "unpaid"}).status_code


def _switch_credit_off(customer, secret):
    from patron.core.actors import system_actor
    from patron.credit import actions

    actions.set_credit_enabled(actor=system_actor(), is_enabled=False)
    return 200


@pytest.mark.parametrize(("change", "refusal", "posted_after"), [
    (_put_on_hold, "customer-may-not-buy-on-account", _posted_after_the_hold),
    (_switch_credit_off, "credit-disabled", _posted_after_credit_was_switched_off),
])
def test_a_charge_waiting_for_the_account_lock_is_not_posted_after_a_hold_or_credit_off(change, refusal,
                                                                                        posted_after):
    """Issue 15 (1): a charge waiting for the account's row lock used to be posted, on PostgreSQL,
    after a credit hold (or the credit switch turned off) had been committed and answered while it
    waited: it kept the customer and the switch it had read before the wait."""
    from patron.credit.models import CreditAccount

    customer = _account_holder("500.00")
    _, cashier = token_factory(Role.CASHIER)
    _, manager = token_factory(Role.MANAGER)
    account = CreditAccount.objects.get(customer=customer)
    holding, release = threading.Event(), threading.Event()

    def hold_the_account_lock():  # a second connection, as psql would
        with transaction.atomic():
            CreditAccount.objects.select_for_update(of=("self",)).get(pk=account.pk)
            holding.set()
            release.wait(10)

    holder, _ = _in_thread(hold_the_account_lock)
    assert holding.wait(10)
    try:
        charger, charged = _in_thread(lambda: ApiClient(Client(), cashier).post(
            f"/customers/{customer.uuid}/credit/charges", {"amount": "10.00"}, headers={"Idempotency-Key": "wait-1"}))
        _wait_for_lock_waiters(1)
        changer, changed = _in_thread(lambda: change(customer, manager))
        _wait_for_lock_waiters(2, done=lambda: bool(changed))
    finally:
        release.set()
    for thread in (holder, charger, changer):
        thread.join(15)
    assert changed == [200]
    assert charged[0].status_code == 201 or charged[0].json()["code"] == refusal
    assert posted_after(customer) == []


@pytest.mark.parametrize("trial", range(3))
def test_sixteen_charges_racing_a_credit_hold_post_nothing_after_it(trial):
    customer = _account_holder("500.00")
    _, cashier = token_factory(Role.CASHIER)
    _, manager = token_factory(Role.MANAGER)

    def request(client, index):
        if index == 16:
            time.sleep(0.03)  # land among the charges waiting for the account
            return ApiClient(client, manager).post(f"/customers/{customer.uuid}/status",
                                                   {"status": "credit_hold", "reason": "unpaid"})
        return ApiClient(client, cashier).post(f"/customers/{customer.uuid}/credit/charges", {"amount": "1.00"},
                                               headers={"Idempotency-Key": f"race-hold-{trial}-{index}"})

    responses = _in_parallel(17, request)
    assert responses[16].status_code == 200
    for response in responses[:16]:
        assert response.status_code == 201 or response.json()["code"] == "customer-may-not-buy-on-account"
    assert _posted_after_the_hold(customer) == []
