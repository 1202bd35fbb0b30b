"""A merge racing other requests, on both engines, with real concurrent connections (threads):
reliability test L6 (charges keep hitting the old ids while the merge runs) and two staff merging
the same customers at once. (The kill -9 test is test_merge_crash.py.)"""

import itertools
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from patron.api.tests.conftest import ApiClient
from patron.core.actors import system_actor
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import CreditAccount, LedgerEntry
from patron.credit.queries import ledger_problems
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.merging.models import Merge
from patron.staff.tests.factories import token_factory

pytestmark = pytest.mark.django_db(transaction=True)
CHARGERS = 3
CHARGES_EACH = 12


def _holders(count: int) -> list[Customer]:
    system = system_actor()
    credit.set_credit_enabled(actor=system, is_enabled=True)
    customers = []
    for index in range(count):
        customer = customer_factory(last_name=f"Holder{index}")
        credit.set_credit_limit(actor=system, customer=customer, credit_limit="10000.00")
        credit.post_charge(actor=system, customer=customer, amount=f"{10 * (index + 1)}.00")
        customers.append(customer)
    return customers


def _threads(work, count: int) -> list[threading.Thread]:
    def run(index):
        try:
            work(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    return threads


@pytest.mark.parametrize("losers", [1, 4])
def test_l6_charges_to_the_old_ids_while_merging_lose_nothing(losers):
    survivor, *others = _holders(losers + 1)
    before_total = sum(CreditAccount.objects.values_list("balance", flat=True), Decimal(0))
    entries_before = {entry.uuid: (entry.amount, entry.balance_after) for entry in LedgerEntry.objects.all()}
    _, cashier = token_factory(Role.CASHIER)
    _, manager = token_factory(Role.MANAGER)
    started = threading.Barrier(CHARGERS + 1)
    answers, numbers = [], itertools.count()

    def charge(index):
        client = ApiClient(Client(), cashier)
        started.wait()
        for turn in range(CHARGES_EACH):
            old = others[(index + turn) % len(others)]
            response = client.post(f"/customers/{old.uuid}/credit/charges", {"amount": "1.25"},
                                   headers={"Idempotency-Key": f"l6-{next(numbers)}"})
            answers.append(response)

    chargers = _threads(charge, CHARGERS)
    started.wait()
    merged = ApiClient(Client(), manager).post(
        "/customers/merge", {"survivor": str(survivor.uuid), "others": [str(other.uuid) for other in others]},
        headers={"Idempotency-Key": "l6-merge"})
    for thread in chargers:
        thread.join(60)

    assert merged.status_code == 201, merged.content
    assert len(answers) == CHARGERS * CHARGES_EACH
    assert all(answer.status_code == 201 or (answer.status_code == 409 and answer.json()["code"])
               for answer in answers), [answer.content for answer in answers if answer.status_code != 201]
    posted = [answer.json()["id"] for answer in answers if answer.status_code == 201]
    assert LedgerEntry.objects.filter(uuid__in=posted, kind="charge").count() == len(posted)  # none lost
    assert {entry.uuid: (entry.amount, entry.balance_after)
            for entry in LedgerEntry.objects.filter(uuid__in=entries_before)} == entries_before  # none changed
    survivor_account = CreditAccount.objects.get(customer=survivor)
    assert survivor_account.balance == before_total + Decimal("1.25") * len(posted)
    assert set(CreditAccount.objects.exclude(customer=survivor).values_list("balance", flat=True)) == {0}
    assert survivor_account.credit_limit == Decimal("10000.00")  # the survivor keeps its own limit
    for account in CreditAccount.objects.all():
        assert ledger_problems(account) == []
    merge = Merge.objects.get()
    named = {str(survivor.uuid), *[str(other.uuid) for other in others]}
    merged = AuditEvent.objects.get(action="customer.merged").data  # what integrations hear (patron/events)
    assert {merged["survivor"], *merged["merged"]} == named and merged["merged"] == merge.merged_uuids
    client = ApiClient(Client(), cashier)
    assert {client.get(f"/customers/{other.uuid}").json()["id"] for other in others} == {str(survivor.uuid)}


@pytest.mark.parametrize("trial", range(2))
def test_two_staff_merging_the_same_customers_get_one_merge_and_one_409(trial):
    first, second, third = (customer_factory(last_name=f"Same{index}") for index in range(3))
    _, manager = token_factory(Role.MANAGER)
    bodies = [{"survivor": str(first.uuid), "others": [str(second.uuid), str(third.uuid)]},
              {"survivor": str(second.uuid), "others": [str(first.uuid)]}]
    started, answers = threading.Barrier(2), [None, None]

    def merge(index):
        client = ApiClient(Client(), manager)
        started.wait()
        answers[index] = client.post("/customers/merge", bodies[index], headers={"Idempotency-Key": f"two-{index}"})

    for thread in _threads(merge, 2):
        thread.join(60)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409], [answer.content for answer in answers]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json()["code"] == "already-merged"
    assert Merge.objects.count() == 1
    assert Customer.objects.count() == 1 + (0 if answers[0].status_code == 201 else 1)


def test_two_staff_undoing_the_same_merge_get_one_undo_and_one_409():
    from patron.merging.actions import merge_customers

    survivor, other = customer_factory(last_name="Undo0"), customer_factory(last_name="Undo1")
    merge = merge_customers(actor=system_actor(), survivor=survivor, others=[other])
    _, manager = token_factory(Role.MANAGER)
    started, answers = threading.Barrier(2), [None, None]

    def undo(index):
        client = ApiClient(Client(), manager)
        started.wait()
        answers[index] = client.post(f"/merges/{merge.uuid}/undo", headers={"Idempotency-Key": f"undo-{index}"})

    for thread in _threads(undo, 2):
        thread.join(60)
    assert sorted(answer.status_code for answer in answers) == [200, 409], [answer.content for answer in answers]
    assert next(answer for answer in answers if answer.status_code == 409).json()["code"] == "merge-already-undone"
    assert Customer.objects.count() == 2
