"""A merge through each door (API, command line), and the tombstone at each door: the API's read,
a charge and a sale to an old id, the change feed, the lookup and the lists."""

import json

import pytest

from patron.api.tests.conftest import assert_problem, key
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import LedgerEntry
from patron.customers.queries import CustomerFilter, filter_customers
from patron.customers.tests.factories import customer_factory
from patron.lookup.feed import read_changes
from patron.lookup.queries import search_customers
from patron.merging.actions import merge_customers
from patron.merging.models import Merge
from patron.sales.models import Sale
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db


def _pair():
    return (customer_factory(first_name="Bram", last_name="Visser"),
            customer_factory(first_name="Bram", last_name="Vissers", birth_date="1970-01-01"))


def test_api_merge_read_and_undo(api):
    survivor, other = _pair()
    body = {"survivor": str(survivor.uuid), "others": [str(other.uuid)],
            "field_choices": {"last_name": str(other.uuid)}}
    created = api.post("/customers/merge", body, headers=key("m-1"))
    assert created.status_code == 201, created.content
    merge = created.json()
    assert merge["survivor"] == str(survivor.uuid) and merge["merged"][0]["id"] == str(other.uuid)
    assert created["Location"].endswith(f"/merges/{merge['id']}")
    replayed = api.post("/customers/merge", body, headers=key("m-1"))
    assert (replayed.status_code, replayed.json()["id"]) == (201, merge["id"]) and Merge.objects.count() == 1

    old = api.get(f"/customers/{other.uuid}")  # the old id answers with the survivor
    assert old.status_code == 200 and old.json()["id"] == str(survivor.uuid)
    assert old.json()["last_name"] == "Vissers"
    assert api.get(f"/merges/{merge['id']}").json()["undone_at"] is None

    undone = api.post(f"/merges/{merge['id']}/undo")
    assert undone.status_code == 200 and undone.json()["report"]["restored"] == [str(other.uuid)]
    assert api.get(f"/customers/{other.uuid}").json()["id"] == str(other.uuid)
    assert_problem(api.post(f"/merges/{merge['id']}/undo"), 409, "merge-already-undone")


def test_api_refusals(api, api_as):
    survivor, other = _pair()
    same = {"survivor": str(survivor.uuid), "others": [str(survivor.uuid)]}
    assert_problem(api.post("/customers/merge", same, headers=key("m-2")), 409, "merge-into-itself")
    body = {"survivor": str(survivor.uuid), "others": [str(other.uuid)]}
    assert api.post("/customers/merge", body).status_code == 400  # the Idempotency-Key is required
    assert_problem(api_as(Role.CASHIER).post("/customers/merge", body, headers=key("m-3")), 403,
                   "permission-denied")
    assert api.post("/customers/merge", body, headers=key("m-4")).status_code == 201
    third = customer_factory()
    again = {"survivor": str(third.uuid), "others": [str(other.uuid)]}
    assert_problem(api.post("/customers/merge", again, headers=key("m-5")), 409, "already-merged")
    assert_problem(api.get("/merges/0190f0a0-0000-7000-8000-000000000000"), 404, "merge-not-found")


def test_charges_and_sales_to_an_old_id_land_on_the_survivor(api, system, credit_on):
    survivor, other = _pair()
    credit.set_credit_limit(actor=system, customer=survivor, credit_limit="100.00")
    merge_customers(actor=actor_for(Role.MANAGER), survivor=survivor, others=[other])
    charged = api.post(f"/customers/{other.uuid}/credit/charges", {"amount": "12.00"}, headers=key("c-1"))
    assert charged.status_code == 201, charged.content
    assert LedgerEntry.objects.get(reference="").account.customer_id == survivor.pk
    sale = {"source": "till-9", "number": "77", "lines": [{"description": "Mug", "quantity": "1",
                                                          "unit_price": "4.00"}],
            "payments": [{"tender": "cash", "amount": "4.00"}], "customer": str(other.uuid)}
    recorded = api.post("/sales", sale, headers=key("s-1"))
    assert recorded.status_code == 201, recorded.content
    assert Sale.objects.get(number="77").customer_id == survivor.pk


@pytest.mark.django_db(transaction=True)  # PostgreSQL's feed hands out committed lines only
def test_feed_lookup_and_lists_drop_the_tombstone(system):
    survivor, other = _pair()
    start = read_changes(store=None).position
    merge_customers(actor=actor_for(Role.MANAGER), survivor=survivor, others=[other])
    items = {item.customer_uuid: item for item in read_changes(after=start, store=None).items}
    assert items[str(other.uuid)].customer is None
    assert items[str(other.uuid)].merged_into == str(survivor.uuid)
    assert items[str(survivor.uuid)].customer is not None
    found = {hit.customer_id for hit in search_customers(CustomerFilter(search="Bram"))}
    assert survivor.pk in found and other.pk not in found
    found = [hit.customer_id for hit in search_customers(CustomerFilter(search=other.account_number))]
    assert found == [survivor.pk]  # the old account number finds the survivor
    assert other.pk not in set(filter_customers(CustomerFilter()).values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)  # PostgreSQL's feed hands out committed lines only
def test_till_feed_over_the_api_names_the_survivor(api):
    survivor, other = _pair()
    first = api.get("/changes").json()
    merge_customers(actor=actor_for(Role.MANAGER), survivor=survivor, others=[other])
    page = api.get(f"/changes?after={first['next_cursor']}").json()
    removed = {item["id"]: item for item in page["items"] if item["op"] == "remove"}
    assert removed[str(other.uuid)]["merged_into"] == str(survivor.uuid)
    till = api.get(f"/lookup?q={other.account_number}&scope=till").json()["items"]
    assert [item["customer"]["id"] for item in till] == [str(survivor.uuid)]


def test_cli_merge_and_unmerge(cli):
    survivor, other = _pair()
    status, out, err = cli("customers", "merge", survivor.account_number, other.account_number,
                           "--take", f"last_name={other.account_number}", "--json")
    assert status == 0, err
    merge = json.loads(out)
    assert merge["survivor"]["account_number"] == survivor.account_number
    assert merge["field_choices"]["last_name"] == str(other.uuid)
    assert merge["field_choices"]["birth_date"] == str(other.uuid)  # the survivor had none
    assert merge["field_choices"]["first_name"] == str(survivor.uuid)
    status, out, err = cli("customers", "merge", survivor.account_number, other.account_number)
    assert status != 0 and "already merged" in err
    status, out, err = cli("customers", "unmerge", merge["id"])
    assert status == 0 and "restored 1 customer" in out
    status, out, err = cli("customers", "unmerge", merge["id"])
    assert status != 0 and "already undone" in err


def test_api_refuses_unknown_ids_and_oversized_bodies_as_invalid_input(api):
    survivor, _other = _pair()
    unknown = {"survivor": str(survivor.uuid), "others": ["0190f0a0-0000-7000-8000-000000000000"]}
    problem = assert_problem(api.post("/customers/merge", unknown, headers=key("u-1")), 422, "validation-failed")
    assert [error["pointer"] for error in problem["errors"]] == ["/others/0"]
    many = {"survivor": str(survivor.uuid), "others": [str(customer_factory().uuid) for _ in range(21)]}
    assert api.post("/customers/merge", many, headers=key("u-2")).status_code == 422
    assert not Merge.objects.exists()
